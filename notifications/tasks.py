"""Celery tasks: thin wrappers over the functions that hold the rules.

Delivery tasks are idempotent (the row is claimed with a conditional update),
so ``acks_late`` redelivery after a lost worker can only ever send once more
what was never sent. Periodic tasks are scans over the database, idempotent
through dedupe keys; far-future work never sits in the broker as an ETA.
"""

from __future__ import annotations

import datetime
import importlib
import logging

from celery import shared_task
from django.utils import timezone

from . import digest, outbox, reminders, rereview

log = logging.getLogger(__name__)


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
    return rereview.check_rereview_due()


def reviews_hook(name: str):
    """A periodic function the reviews app provides (in decisions or assignments), or None."""
    for module in ("reviews.decisions", "reviews.assignments"):
        fn = getattr(importlib.import_module(module), name, None)
        if callable(fn):
            return fn
    return None


def _run_reviews_hook(name: str):
    fn = reviews_hook(name)
    if fn is None:
        log.warning("reviews.%s does not exist yet; nothing to do.", name)
        return None
    return fn(timezone.now())


@shared_task(name="notifications.publish_scheduled", ignore_result=True)
def publish_scheduled():
    """Publish versions whose scheduled time has come (reviews' ``publish_due(now)``)."""
    return _run_reviews_hook("publish_due")


@shared_task(name="notifications.expire_invitations", ignore_result=True)
def expire_invitations():
    """Expire invitations unanswered past their deadline (reviews' ``expire_overdue_invitations``)."""
    return _run_reviews_hook("expire_overdue_invitations")
