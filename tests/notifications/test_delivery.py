"""Delivering outbox rows: once, with retries and backoff, and the sweeper as the safety net."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from kombu.exceptions import OperationalError

from articles.models import Article, ArticleState
from notifications import outbox, tasks
from notifications.kinds import Kind
from notifications.models import Delivery, DeliveryStatus
from notifications.outbox import Message, notify
from tests.factories import submit

from .conftest import notes_for

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def queued(user) -> Delivery:
    note = notify(
        user, Message(Kind.ARTICLE_SUBMITTED, "Submitted: Asthma", "Please assign reviewers.", "/desk/x/")
    )
    return note.deliveries.get()


@pytest.fixture
def mail_down(monkeypatch):
    def refuse(self, messages):
        raise ConnectionRefusedError("mail server unreachable")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


def test_delivering_sends_the_email_and_marks_the_row_sent(managing, mailoutbox):
    delivery = queued(managing)

    assert outbox.deliver(delivery.pk) == "sent"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.address) == (DeliveryStatus.SENT, 1, managing.email)
    assert delivery.sent_at is not None
    [email] = mailoutbox
    assert email.to == [managing.email]
    assert email.extra_headers["X-Vetted-Delivery"] == str(delivery.pk)
    assert "http://127.0.0.1:8000/desk/x/" in email.body  # a link back to the page
    assert "http://127.0.0.1:8000/desk/x/" in email.alternatives[0].content


def test_the_same_task_run_twice_sends_one_email(managing, mailoutbox):
    delivery = queued(managing)

    first = tasks.deliver.apply(args=(delivery.pk,)).get()
    second = tasks.deliver.apply(args=(delivery.pk,)).get()

    assert (first, second) == ("sent", "not-claimed")
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_failure_is_retried_later_with_a_doubling_delay(managing, mailoutbox, mail_down, settings):
    settings.VETTED = {**settings.VETTED, "NOTIFY_RETRY_BASE_SECONDS": 15}
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = queued(managing)

        assert outbox.deliver(delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.next_attempt_at == NOW + datetime.timedelta(seconds=15)
        assert "mail server unreachable" in delivery.last_error
        assert outbox.deliver(delivery.pk) == "not-claimed"  # not due yet

        clock.move_to(NOW + datetime.timedelta(seconds=15))
        assert outbox.deliver(delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        assert delivery.next_attempt_at == NOW + datetime.timedelta(seconds=15 + 30)
    assert mailoutbox == []


def test_after_the_last_attempt_the_row_is_left_failed(managing, mail_down, settings):
    settings.VETTED = {**settings.VETTED, "NOTIFY_MAX_ATTEMPTS": 3}
    delivery = queued(managing)
    outcomes = []
    for _ in range(3):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        outcomes.append(outbox.deliver(delivery.pk))

    assert outcomes == ["retry", "retry", "failed"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert "ConnectionRefusedError" in delivery.last_error


def test_long_waits_come_from_the_sweeper_not_from_the_broker(managing, mail_down, settings):
    # 15 s, 30 s, 60 s are countdowns; the 4th failure waits 120 s, longer than we let the broker hold.
    settings.VETTED = {**settings.VETTED, "NOTIFY_RETRY_BASE_SECONDS": 15}
    delivery = queued(managing)
    for _ in range(4):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        outbox.deliver(delivery.pk)
    delivery.refresh_from_db()

    assert delivery.queued_at is None
    assert outbox.sweep(now=delivery.next_attempt_at - datetime.timedelta(seconds=1)) == []
    assert outbox.sweep(now=delivery.next_attempt_at) == [delivery.pk]


def test_an_undeliverable_row_fails_at_once(managing, mailoutbox):
    delivery = queued(managing)
    managing.email = ""
    managing.save()

    assert outbox.deliver(delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert mailoutbox == []


def test_the_admin_retry_action_sends_a_failed_row_again(
    managing, admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    delivery = queued(managing)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=6, last_error="boom"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/notifications/delivery/", {"action": "retry_now", "_selected_action": [delivery.pk]}
        )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert len(mailoutbox) == 1


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
    delivery = notes_for(managing, Kind.ARTICLE_SUBMITTED).get().deliveries.get()
    assert (delivery.status, delivery.queued_at) == (DeliveryStatus.PENDING, None)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.sweep() == [delivery.pk]  # "the broker is back"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(mailoutbox) == 1


def test_the_sweeper_takes_only_rows_that_stopped_moving(managing):
    now = timezone.now() + datetime.timedelta(seconds=5)  # a moment after the rows are written
    old = now - datetime.timedelta(minutes=10)
    recent = now - datetime.timedelta(seconds=30)

    def row(**fields):
        delivery = queued(managing)
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        return delivery.pk

    never_queued = row(queued_at=None)
    lost_message = row(queued_at=old)
    dead_worker = row(status=DeliveryStatus.SENDING, claimed_at=old, queued_at=old)
    row(queued_at=recent)  # just queued: the worker will get to it
    row(status=DeliveryStatus.SENDING, claimed_at=recent)  # being sent right now
    row(queued_at=None, next_attempt_at=now + datetime.timedelta(minutes=5))  # waiting for its backoff
    for status in (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.HELD, DeliveryStatus.SKIPPED):
        row(status=status, queued_at=None)

    taken = outbox.sweep(now=now, stuck_after=datetime.timedelta(minutes=5))

    assert sorted(taken) == sorted([never_queued, lost_message, dead_worker])
    assert set(Delivery.objects.filter(pk__in=taken).values_list("status", flat=True)) == {
        DeliveryStatus.PENDING
    }
    assert outbox.sweep(now=now, stuck_after=datetime.timedelta(minutes=5)) == []  # they are queued now


def test_a_row_left_mid_send_by_a_dead_worker_is_claimed_again_after_the_threshold(managing, mailoutbox):
    delivery = queued(managing)
    stuck_since = timezone.now() - datetime.timedelta(minutes=1)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=stuck_since
    )

    assert outbox.deliver(delivery.pk) == "not-claimed"  # it may still be in its worker's hands
    assert (
        outbox.deliver(
            delivery.pk, now=stuck_since + outbox.stuck_threshold() + datetime.timedelta(seconds=1)
        )
        == "sent"
    )

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(mailoutbox) == 1
