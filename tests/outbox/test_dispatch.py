"""Delivering outbox rows: once, with retries and backoff, and the sweeper as the safety net.

Every test sends on the tests' own channel (conftest): the outbox knows no app's channel.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError

from outbox import dispatch, tasks
from outbox.models import Delivery, DeliveryStatus

from .conftest import queued_row

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


def test_delivering_sends_it_and_marks_the_row_sent_with_where_it_went(channel):
    delivery = queued_row()

    assert dispatch.deliver(delivery.pk) == "sent"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.address) == (
        DeliveryStatus.SENT,
        1,
        "someone@example.org",
    )
    assert delivery.sent_at is not None and channel.sent == [delivery.pk]


def test_the_same_task_run_twice_sends_once(channel):
    delivery = queued_row()

    first = tasks.deliver.apply(args=(delivery.pk,)).get()
    second = tasks.deliver.apply(args=(delivery.pk,)).get()

    assert (first, second) == ("sent", "not-claimed")
    assert channel.sent == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_failure_is_retried_later_with_a_doubling_delay(channel):
    channel.failures = [ConnectionRefusedError("receiver unreachable")] * 2
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = queued_row()

        assert dispatch.deliver(delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.next_attempt_at == NOW + datetime.timedelta(seconds=15)
        assert "receiver unreachable" in delivery.last_error
        assert dispatch.deliver(delivery.pk) == "not-claimed"  # not due yet

        clock.move_to(NOW + datetime.timedelta(seconds=15))
        assert dispatch.deliver(delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        assert delivery.next_attempt_at == NOW + datetime.timedelta(seconds=15 + 30)
    assert channel.sent == []


def test_after_the_last_attempt_the_row_is_left_failed(channel):
    channel.failures = [ConnectionRefusedError("receiver unreachable")] * 3
    delivery = queued_row()
    outcomes = []
    for _ in range(3):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        outcomes.append(dispatch.deliver(delivery.pk))

    assert outcomes == ["retry", "retry", "failed"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert "ConnectionRefusedError" in delivery.last_error


def test_long_waits_come_from_the_sweeper_not_from_the_broker(channel):
    # 15 s, 30 s, 60 s are countdowns; the 4th failure waits 120 s, longer than we let the broker hold.
    channel.policy = type(channel.policy)(max_attempts=6, base_delay_seconds=15)
    channel.failures = [ConnectionRefusedError("receiver unreachable")] * 4
    delivery = queued_row()
    for _ in range(4):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        dispatch.deliver(delivery.pk)
    delivery.refresh_from_db()

    assert delivery.queued_at is None
    assert dispatch.sweep(now=delivery.next_attempt_at - datetime.timedelta(seconds=1)) == []
    assert dispatch.sweep(now=delivery.next_attempt_at) == [delivery.pk]


def test_an_undeliverable_row_fails_at_once(channel):
    delivery = queued_row(payload={})

    assert dispatch.deliver(delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "Nobody to send it to" in delivery.last_error


def test_a_row_on_a_channel_nobody_registered_fails_at_once_and_says_so(db):
    delivery = queued_row(channel="carrier-pigeon")

    assert dispatch.deliver(delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "No sender is registered for channel 'carrier-pigeon'" in delivery.last_error


def test_the_broker_being_down_leaves_the_row_to_the_sweeper(
    channel, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    delivery = queued_row(queued_at=timezone.now())
    with monkeypatch.context() as patch:
        patch.setattr(tasks.deliver, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            dispatch.enqueue_after_commit([delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.queued_at) == (DeliveryStatus.PENDING, None)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.sweep() == [delivery.pk]  # "the broker is back"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and channel.sent == [delivery.pk]


def test_the_sweeper_takes_only_rows_that_stopped_moving(channel):
    now = timezone.now() + datetime.timedelta(seconds=5)  # a moment after the rows are written
    old = now - datetime.timedelta(minutes=10)
    recent = now - datetime.timedelta(seconds=30)

    def row(**fields):
        return queued_row(**fields).pk

    never_queued = row(queued_at=None)
    lost_message = row(queued_at=old)
    dead_worker = row(status=DeliveryStatus.SENDING, claimed_at=old, queued_at=old)
    row(queued_at=recent)  # just queued: the worker will get to it
    row(status=DeliveryStatus.SENDING, claimed_at=recent)  # being sent right now
    row(queued_at=None, next_attempt_at=now + datetime.timedelta(minutes=5))  # waiting for its backoff
    for status in (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.HELD, DeliveryStatus.SKIPPED):
        row(status=status, queued_at=None)

    taken = dispatch.sweep(now=now, stuck_after=datetime.timedelta(minutes=5))

    assert sorted(taken) == sorted([never_queued, lost_message, dead_worker])
    assert set(Delivery.objects.filter(pk__in=taken).values_list("status", flat=True)) == {
        DeliveryStatus.PENDING
    }
    assert dispatch.sweep(now=now, stuck_after=datetime.timedelta(minutes=5)) == []  # they are queued now


def test_a_row_left_mid_send_by_a_dead_worker_is_claimed_again_after_the_threshold(channel):
    stuck_since = timezone.now() - datetime.timedelta(minutes=1)
    delivery = queued_row(status=DeliveryStatus.SENDING, attempts=1, claimed_at=stuck_since)

    assert dispatch.deliver(delivery.pk) == "not-claimed"  # it may still be in its worker's hands
    assert (
        dispatch.deliver(
            delivery.pk, now=stuck_since + dispatch.stuck_threshold() + datetime.timedelta(seconds=1)
        )
        == "sent"
    )

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert channel.sent == [delivery.pk]


def test_retrying_gives_failed_and_waiting_rows_fresh_attempts_and_leaves_the_rest(
    channel, django_capture_on_commit_callbacks
):
    failed = queued_row(status=DeliveryStatus.FAILED, attempts=3, last_error="boom")
    sending = queued_row(status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now())
    sent = queued_row(status=DeliveryStatus.SENT, attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.retry(Delivery.objects.all()) == 1

    assert channel.sent == [failed.pk]
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {
        failed.pk: DeliveryStatus.SENT,
        sending.pk: DeliveryStatus.SENDING,
        sent.pk: DeliveryStatus.SENT,
    }
