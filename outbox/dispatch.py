"""The outbox: delivering its rows once, retrying them, sweeping up the lost ones.

Life of a row: ``pending`` → (claimed by a worker) ``sending`` → ``sent``; a
failure goes back to ``pending`` with a later ``next_attempt_at`` until the
channel's attempt limit, then ``failed``. ``held`` rows wait for the daily
digest and become ``digested``; ``skipped`` rows were never to be sent.

At least once: after commit a task is queued; if the broker is down, or the
message or the worker is lost, the sweeper re-queues the row. At most once per
claim: a worker only sends after moving the row from ``pending`` to
``sending`` with a conditional UPDATE, so a second copy of the task finds
nothing to do. (An email already handed to the mail server when its worker
dies before recording it is sent again: email has no exactly-once.)

Rows are written by the apps that own their channels, in the caller's
transaction, then handed to ``enqueue_after_commit``.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterable

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .channels import Undeliverable, spec_for
from .models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

Status = DeliveryStatus


# The Celery task that delivers one row (``outbox.tasks.deliver``): takes its id, says what happened.
type DeliveryTask = Task[[int], str]


# The task is set by OutboxConfig.ready(): it wraps this module's deliver(), so this module
# cannot import it without the two importing each other.
_delivery_task: DeliveryTask | None = None


def use_delivery_task(task: DeliveryTask) -> None:
    """Queue deliveries with ``task`` (called once the tasks are loaded)."""
    global _delivery_task
    _delivery_task = task


def delivery_task() -> DeliveryTask:
    if _delivery_task is None:
        raise RuntimeError("No delivery task: OutboxConfig.ready() sets it when Django starts.")
    return _delivery_task


def enqueue_after_commit(delivery_ids: Iterable[int]) -> None:
    ids = list(delivery_ids)
    if ids:
        # robust: a failure here must never turn a committed transition into an error page.
        transaction.on_commit(functools.partial(enqueue, ids), robust=True)


def enqueue(delivery_ids: Iterable[int], countdown: float = 0) -> int:
    """Hand the rows to the broker; returns how many were queued.

    The broker being down is not an error for the caller: the rows stay
    ``pending`` with ``queued_at`` cleared, and the sweeper queues them later.
    """
    ids = list(delivery_ids)
    for index, pk in enumerate(ids):
        try:
            delivery_task().apply_async((pk,), countdown=countdown)
        except Exception as exc:  # any broker failure: kombu, redis, socket, file system
            unqueued = ids[index:]
            log.warning(
                "Broker unavailable (%s: %s); %d delivery row(s) left for the sweeper.",
                exc.__class__.__name__,
                exc,
                len(unqueued),
            )
            Delivery.objects.filter(pk__in=unqueued, status=Status.PENDING).update(queued_at=None)
            return index
    return len(ids)


def stuck_threshold() -> datetime.timedelta:
    """How long a row may wait queued, or mid-send, before it is presumed lost."""
    return datetime.timedelta(seconds=settings.VETTED.get("OUTBOX_STUCK_AFTER_SECONDS", 300))


def deliver(delivery_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one row if it is still to be sent. Returns what happened, for logs and tests."""
    now = now or timezone.now()
    # Pending and due; or mid-send for so long that its worker must have died (then this
    # is the broker redelivering an unacknowledged task, or the sweeper's copy).
    claimable = Q(status=Status.PENDING, next_attempt_at__lte=now + datetime.timedelta(seconds=1)) | Q(
        status=Status.SENDING, claimed_at__lt=now - stuck_threshold()
    )
    claimed = Delivery.objects.filter(claimable, pk=delivery_id).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return "not-claimed"  # sent already, in another worker's hands, or not due yet
    delivery = Delivery.objects.get(pk=delivery_id)
    spec = None
    try:
        spec = spec_for(delivery.channel)
        address = spec.send(delivery)
    except Exception as exc:
        return _record_failure(delivery, exc, permanent=isinstance(exc, Undeliverable) or spec is None)
    # Also from pending: if the sweeper reset a slow send meanwhile, recording it now
    # stops a second copy being sent.
    Delivery.objects.filter(pk=delivery.pk, status__in=[Status.SENDING, Status.PENDING]).update(
        status=Status.SENT, sent_at=timezone.now(), address=address[:500], last_error=""
    )
    return "sent"


def _record_failure(delivery: Delivery, exc: Exception, *, permanent: bool) -> str:
    error = f"{exc.__class__.__name__}: {exc}"[:2000]
    policy = spec_for(delivery.channel).policy() if not permanent else None
    mine = Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING)
    if policy is None or delivery.attempts >= policy.max_attempts:
        mine.update(status=Status.FAILED, last_error=error)
        log.error(
            "Delivery %s failed for good after %s attempt(s): %s", delivery.pk, delivery.attempts, error
        )
        return "failed"
    delay = policy.delay_after(delivery.attempts)
    now = timezone.now()
    next_at = now + datetime.timedelta(seconds=delay)
    short = delay <= policy.max_countdown_seconds
    mine.update(
        status=Status.PENDING, last_error=error, next_attempt_at=next_at, queued_at=next_at if short else None
    )
    log.warning(
        "Delivery %s attempt %s failed (%s); next try in %.0fs.", delivery.pk, delivery.attempts, error, delay
    )
    if short:
        enqueue([delivery.pk], countdown=delay)
    return "retry"


def sweep(
    *, now: datetime.datetime | None = None, stuck_after: datetime.timedelta | None = None, limit: int = 500
) -> list[int]:
    """Re-queue rows that should be moving and are not; returns their ids.

    Picks ``pending`` rows that are due and were never queued (broker down,
    long backoff) or were queued long ago (message lost), and ``sending``
    rows claimed long ago (worker killed mid-send). Rows another sweeper has
    locked are skipped, so two sweepers never take the same row.
    """
    now = now or timezone.now()
    cutoff = now - (stuck_after if stuck_after is not None else stuck_threshold())
    due = (
        Q(status=Status.PENDING, next_attempt_at__lte=now)
        & (Q(queued_at__isnull=True) | Q(queued_at__lt=cutoff))
    ) | Q(status=Status.SENDING, claimed_at__lt=cutoff)
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(status=Status.PENDING, queued_at=now)
            enqueue_after_commit(ids)
    if ids:
        log.info("Sweeper re-queued %d delivery row(s).", len(ids))
    return ids


RETRYABLE = (Status.FAILED, Status.PENDING)


def retry(deliveries: QuerySet, *, statuses: Iterable[str] = RETRYABLE) -> int:
    """Give failed (or waiting) rows a fresh set of attempts now: the admin's retry action.

    Rows being sent are left alone (retrying them could send twice); the
    sweeper takes care of those if their worker died. A channel whose
    receivers deduplicate (webhooks) may also pass ``sent`` rows: re-sending by hand.
    """
    now = timezone.now()
    wanted = [s for s in statuses if s != Status.SENDING]
    with transaction.atomic():
        ids = list(deliveries.select_for_update().filter(status__in=wanted).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=Status.PENDING, attempts=0, next_attempt_at=now, queued_at=now, claimed_at=None
        )
        enqueue_after_commit(ids)
    return len(ids)
