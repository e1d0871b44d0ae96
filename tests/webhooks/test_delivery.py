"""Webhooks end to end against a real local receiver that verifies every signature."""

from __future__ import annotations

import datetime
import socket

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from notifications.kinds import Kind
from notifications.models import Notification
from outbox import dispatch
from outbox.models import Delivery, DeliveryStatus
from reviews.workflow import Action, perform
from webhooks import endpoints, tasks
from webhooks.models import WEBHOOK_CHANNEL, Attempt, EventKind, WebhookMessage

START = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Run ``fn`` and then what it queued after commit (the in-process Celery runs the task)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def webhook_rows():
    return Delivery.objects.filter(channel=WEBHOOK_CHANNEL)


def the_message() -> WebhookMessage:
    return WebhookMessage.objects.select_related("delivery", "endpoint").get()


def test_a_transition_reaches_the_receiver_signed_with_the_event_and_its_links(
    article, bot, endpoint, receiver, run_after_commit
):
    run_after_commit(perform, article, Action.SUBMIT, bot)

    [got] = receiver.received
    assert got.signature_valid, got.verify_error
    message = the_message()
    assert got.headers["webhook-id"] == message.webhook_id
    assert got.headers["content-type"] == "application/json"
    event = AuditEvent.objects.get(action="article.submit")
    assert got.json["id"] == f"evt_{event.pk}"
    assert got.json["type"] == "article.submitted"
    assert datetime.datetime.fromisoformat(got.json["timestamp"]) == event.created_at
    article_data = got.json["data"]["article"]
    assert (article_data["slug"], article_data["state"], article_data["version"]) == (
        "iron-in-pregnancy",
        "submitted",
        1,
    )
    assert article_data["links"]["api"] == "http://127.0.0.1:8000/api/v1/articles/iron-in-pregnancy/"
    assert article_data["links"]["desk"].endswith("/desk/articles/iron-in-pregnancy/")

    assert (message.delivery.status, message.delivery.attempts) == (DeliveryStatus.SENT, 1)
    [attempt] = message.attempts.all()
    assert (attempt.status_code, attempt.succeeded, attempt.address) == (200, True, "127.0.0.1")
    assert attempt.latency_ms is not None and attempt.response_start == '{"ok": true}'


def test_changes_requested_tells_the_pipeline_without_polling(
    article, bot, managing, endpoint, receiver, run_after_commit
):
    run_after_commit(perform, article, Action.SUBMIT, bot)
    run_after_commit(perform, article, Action.RETURN, managing, reason="Cite the 2024 guideline.")

    kinds = [r.json["type"] for r in receiver.received]
    assert kinds == ["article.submitted", "article.changes_requested"]
    last = receiver.received[-1].json
    assert last["data"]["article"]["state"] == "changes_requested"
    assert last["data"]["reason"] == "Cite the 2024 guideline."
    assert all(r.signature_valid for r in receiver.received)


def test_a_receiver_down_during_the_transition_gets_it_from_the_sweeper_with_the_same_id(
    article, bot, endpoint, receiver, run_after_commit
):
    with time_machine.travel(START, tick=True) as clock:
        receiver.stop()
        run_after_commit(perform, article, Action.SUBMIT, bot)

        message = the_message()
        delivery = message.delivery
        assert (delivery.status, delivery.attempts, delivery.queued_at) == (DeliveryStatus.PENDING, 1, None)
        [failed] = message.attempts.all()
        assert failed.status_code is None and "Connection" in failed.error

        receiver.start()  # up again, same port
        clock.shift(datetime.timedelta(seconds=61))
        assert run_after_commit(dispatch.sweep) == [delivery.pk]

    [got] = receiver.received
    assert got.signature_valid, got.verify_error
    assert got.headers["webhook-id"] == message.webhook_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_three_500s_then_a_200_is_four_attempts_one_delivered_with_doubling_waits(
    article, bot, endpoint, receiver, run_after_commit
):
    receiver.answers = [500, 500, 500]
    with time_machine.travel(START, tick=False) as clock:
        run_after_commit(perform, article, Action.SUBMIT, bot)
        message = the_message()
        waits = []
        for _ in range(3):
            delivery = Delivery.objects.get(pk=message.pk)
            assert delivery.status == DeliveryStatus.PENDING
            waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())
            assert run_after_commit(dispatch.sweep) == []  # not due yet: nothing re-queued early
            clock.move_to(delivery.next_attempt_at)
            run_after_commit(dispatch.sweep)

    assert waits == [60, 120, 240]
    attempts = list(Attempt.objects.filter(message=message))
    assert [a.status_code for a in attempts] == [500, 500, 500, 200]
    assert [a.succeeded for a in attempts] == [False, False, False, True]
    delivery = Delivery.objects.get(pk=message.pk)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 4)
    # At least once, deduplicable: every attempt carried the same id and the same body, each signed.
    assert {r.headers["webhook-id"] for r in receiver.received} == {message.webhook_id}
    assert len({r.body for r in receiver.received}) == 1
    assert all(r.signature_valid for r in receiver.received)
    assert endpoint.__class__.objects.get(pk=endpoint.pk).failing_since is None  # healthy again


def test_a_rolled_back_transition_writes_no_webhook_and_sends_nothing(
    article, bot, endpoint, receiver, run_after_commit
):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        perform(article, Action.SUBMIT, bot)
        assert webhook_rows().count() == 1  # written inside the transition's transaction...
        raise Abort

    assert webhook_rows().count() == 0  # ...and gone with it
    assert WebhookMessage.objects.count() == 0
    assert receiver.received == []


def test_only_the_kinds_chosen_and_only_the_clients_own_articles(
    article, bot, editor, specialty, managing, receiver, allow_local, run_after_commit
):
    from tests.factories import make_article

    _endpoint, secret = endpoints.register(
        client=bot, url=receiver.url, kinds=[EventKind.CHANGES_REQUESTED], by=managing
    )
    receiver.secret = secret
    someone_elses = make_article(editor, specialty, slug="not-the-pipelines")
    run_after_commit(perform, someone_elses, Action.SUBMIT, editor)
    run_after_commit(perform, someone_elses, Action.RETURN, managing, reason="No.")
    run_after_commit(perform, article, Action.SUBMIT, bot)
    assert receiver.received == []

    run_after_commit(perform, article, Action.RETURN, managing, reason="Cite more.")
    assert [r.json["type"] for r in receiver.received] == ["article.changes_requested"]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    article, bot, endpoint, receiver, run_after_commit
):
    receiver.answers = [302]
    run_after_commit(perform, article, Action.SUBMIT, bot)

    assert len(receiver.received) == 1
    message = the_message()
    assert message.delivery.status == DeliveryStatus.PENDING
    assert "redirects are not followed" in message.delivery.last_error
    assert message.attempts.get().status_code == 302


def test_only_the_first_bytes_of_an_answer_are_kept(
    article, bot, endpoint, receiver, run_after_commit, settings
):
    settings.VETTED = {**settings.VETTED, "WEBHOOK_RESPONSE_BYTES_KEPT": 64}
    receiver.answer_body = b"x" * 100_000
    run_after_commit(perform, article, Action.SUBMIT, bot)

    attempt = the_message().attempts.get()
    assert attempt.succeeded and attempt.response_start == "x" * 64


def test_a_private_address_is_refused_again_at_send_time(
    article, bot, managing, allow_local, settings, run_after_commit
):
    # Registered while the test-only setting allowed it; production refuses it at send time anyway.
    endpoints.register(client=bot, url="https://10.20.30.40/hooks", kinds=EventKind.values, by=managing)
    settings.VETTED = {**settings.VETTED, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": False}

    run_after_commit(perform, article, Action.SUBMIT, bot)

    message = the_message()
    assert message.delivery.status == DeliveryStatus.FAILED  # permanent: retrying cannot make it safe
    assert "10.20.30.40 is in a private range" in message.delivery.last_error
    attempt = message.attempts.get()
    assert attempt.status_code is None and "private range" in attempt.error


def test_a_name_that_resolves_to_loopback_at_send_time_is_refused_before_connecting(
    article, bot, managing, receiver, monkeypatch, run_after_commit
):
    answers = {"hooks.example.com": "93.184.215.14"}
    real = socket.getaddrinfo

    def fake_dns(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    _endpoint, _secret = endpoints.register(
        client=bot, url=f"https://hooks.example.com:{receiver.port}/x", kinds=EventKind.values, by=managing
    )
    answers["hooks.example.com"] = "127.0.0.1"  # DNS rebinding: public when checked, loopback later

    run_after_commit(perform, article, Action.SUBMIT, bot)

    assert receiver.received == []
    message = the_message()
    assert message.delivery.status == DeliveryStatus.FAILED
    assert "hooks.example.com (127.0.0.1) is a loopback address" in message.delivery.last_error


def test_an_endpoint_failing_for_a_day_is_disabled_and_the_managing_editors_told(
    article, bot, managing, endpoint, receiver, run_after_commit
):
    receiver.answers = [500] * 100
    with time_machine.travel(START, tick=False) as clock:
        run_after_commit(perform, article, Action.SUBMIT, bot)
        endpoint.refresh_from_db()
        assert endpoint.failing_since == START

        clock.move_to(START + datetime.timedelta(hours=23, minutes=59))
        assert tasks.disable_failing_endpoints() == 0  # not yet a day
        clock.move_to(START + datetime.timedelta(hours=24))
        assert tasks.disable_failing_endpoints() == 1
        assert tasks.disable_failing_endpoints() == 0  # once

    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_at) == (False, START + datetime.timedelta(hours=24))
    [note] = Notification.objects.filter(recipient=managing, kind=Kind.WEBHOOK_DISABLED)
    # Told by notifications, which hears the audit event: webhooks never calls it.
    assert endpoint.url in note.body and f"of {bot.get_username()} failed" in note.body
    assert Delivery.objects.get(email__notification=note).status == DeliveryStatus.PENDING
    assert AuditEvent.objects.filter(action="webhook.disabled", target_id=str(endpoint.pk)).exists()


def test_a_failed_attempt_after_a_day_of_failures_disables_the_endpoint_itself(
    article, bot, managing, endpoint, receiver, run_after_commit
):
    receiver.answers = [500] * 100
    with time_machine.travel(START, tick=False) as clock:
        run_after_commit(perform, article, Action.SUBMIT, bot)
        while (message := the_message()).delivery.status == DeliveryStatus.PENDING:
            clock.move_to(message.delivery.next_attempt_at)
            run_after_commit(dispatch.sweep)

    endpoint.refresh_from_db()
    assert not endpoint.active
    # The retries spanned a day, then the endpoint was disabled and the row given up.
    attempts = list(message.attempts.all())
    assert attempts[-1].at - attempts[0].at >= datetime.timedelta(hours=24)
    assert message.delivery.status == DeliveryStatus.FAILED
    assert Notification.objects.filter(recipient=managing, kind=Kind.WEBHOOK_DISABLED).count() == 1


def test_a_success_ends_the_failure_streak(article, bot, endpoint, receiver, run_after_commit):
    receiver.answers = [503]
    with time_machine.travel(START, tick=False) as clock:
        run_after_commit(perform, article, Action.SUBMIT, bot)
        endpoint.refresh_from_db()
        assert endpoint.failing_since == START
        clock.move_to(the_message().delivery.next_attempt_at)
        run_after_commit(dispatch.sweep)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.active


def test_re_sending_by_hand_sends_the_same_id_again(
    article, bot, managing, endpoint, receiver, run_after_commit
):
    run_after_commit(perform, article, Action.SUBMIT, bot)
    message = the_message()

    run_after_commit(endpoints.resend, message, by=managing)

    assert [r.headers["webhook-id"] for r in receiver.received] == [message.webhook_id] * 2
    assert all(r.signature_valid for r in receiver.received)
    assert message.attempts.count() == 2
    assert AuditEvent.objects.filter(action="webhook.resent").count() == 1
