"""Celery tasks: thin wrappers over the functions that hold the rules.

Delivery tasks are idempotent (the row is claimed with a conditional update),
so ``acks_late`` redelivery after a lost worker can only ever send once more
what was never sent. Periodic tasks are scans over the database, idempotent
through dedupe keys; far-future work never sits in the broker as an ETA.
Reviews' own periodic jobs (scheduled publication, invitation expiry) are
reviews' tasks (``reviews.tasks``): this app only tells people.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from . import digest, outbox, reminders, rereview_due


@shared_task(name="notifications.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(delivery_id: int) -> str:
    return outbox.deliver(delivery_id)


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox(stuck_after_seconds: float | None = None) -> int:
    stuck_after = None if stuck_after_seconds is None else datetime.timedelta(seconds=stuck_after_seconds)
    return len(outbox.sweep(stuck_after=stuck_after))


@shared_task(name="notifications.send_reminders", ignore_result=True)
def send_reminders() -> int:
    return reminders.send_reminders()


@shared_task(name="notifications.send_digests", ignore_result=True)
def send_digests() -> dict[str, int]:
    return {"daily": digest.send_daily_digests(), "overdue": digest.send_overdue_digests()}


@shared_task(name="notifications.check_rereview_due", ignore_result=True)
def check_rereview_due() -> int:
    return rereview_due.check_rereview_due()
