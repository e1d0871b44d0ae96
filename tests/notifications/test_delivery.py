"""Email through the outbox: the message a notification becomes, and a transition whose email
waits for the broker. The outbox's own rules (once, retries, the sweeper) are tests/outbox's."""

from __future__ import annotations

from kombu.exceptions import OperationalError

from articles.models import Article, ArticleState
from notifications.kinds import Kind
from notifications.models import EMAIL_CHANNEL, EmailMessage, Notification
from notifications.notify import Message, notify
from outbox import dispatch, tasks
from outbox.channels import spec_for
from outbox.models import Delivery, DeliveryStatus
from tests.factories import submit

from .conftest import email_of, notes_for


def queued(user) -> Delivery:
    note = notify(
        user, Message(Kind.ARTICLE_SUBMITTED, "Submitted: Asthma", "Please assign reviewers.", "/desk/x/")
    )
    return email_of(note)


def test_delivering_sends_the_email_and_marks_the_row_sent(managing, mailoutbox):
    delivery = queued(managing)

    assert dispatch.deliver(delivery.pk) == "sent"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.address) == (DeliveryStatus.SENT, 1, managing.email)
    assert delivery.sent_at is not None
    [email] = mailoutbox
    assert email.to == [managing.email]
    assert email.extra_headers["X-Vetted-Delivery"] == str(delivery.pk)
    assert "http://127.0.0.1:8000/desk/x/" in email.body  # a link back to the page
    assert "http://127.0.0.1:8000/desk/x/" in email.alternatives[0].content


def test_an_undeliverable_row_fails_at_once(managing, mailoutbox):
    delivery = queued(managing)
    managing.email = ""
    managing.save()

    assert dispatch.deliver(delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert mailoutbox == []


def test_the_transition_commits_when_the_broker_is_down_and_the_sweeper_delivers_later(
    draft, editor, managing, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.deliver, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            submit(draft, editor)

    assert Article.objects.get(pk=draft.pk).state == ArticleState.SUBMITTED
    delivery = email_of(notes_for(managing, Kind.ARTICLE_SUBMITTED).get())
    assert (delivery.status, delivery.queued_at) == (DeliveryStatus.PENDING, None)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.sweep() == [delivery.pk]  # "the broker is back"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(mailoutbox) == 1


def test_a_notice_withdrawn_in_its_transaction_takes_its_email_row_with_it(managing, mailoutbox):
    delivery = queued(managing)

    Notification.objects.filter(recipient=managing).delete()

    assert not Delivery.objects.filter(pk=delivery.pk).exists()
    assert not EmailMessage.objects.exists()
    assert dispatch.deliver(delivery.pk) == "not-claimed" and mailoutbox == []


def test_the_email_channel_retries_as_the_settings_say(settings):
    settings.VETTED = {**settings.VETTED, "NOTIFY_MAX_ATTEMPTS": 3, "NOTIFY_RETRY_BASE_SECONDS": 15}

    policy = spec_for(EMAIL_CHANNEL).policy()

    assert (policy.max_attempts, policy.delay_after(1), policy.delay_after(2)) == (3, 15, 30)
