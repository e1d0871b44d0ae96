"""Celery tasks: thin wrappers over the functions that hold the rules.

Periodic tasks are scans over the database, idempotent through dedupe keys;
far-future work never sits in the broker as an ETA. Delivering the emails
these write is the outbox's task (``outbox.tasks``, still named
``notifications.deliver`` and ``notifications.sweep_outbox``).
Reviews' own periodic jobs (scheduled publication, invitation expiry) are
reviews' tasks (``reviews.tasks``): this app only tells people.
"""

from __future__ import annotations

from celery import shared_task

from . import digest, reminders, rereview_due


@shared_task(name="notifications.send_reminders", ignore_result=True)
def send_reminders() -> int:
    return reminders.send_reminders()


@shared_task(name="notifications.send_digests", ignore_result=True)
def send_digests() -> dict[str, int]:
    return {"daily": digest.send_daily_digests(), "overdue": digest.send_overdue_digests()}


@shared_task(name="notifications.check_rereview_due", ignore_result=True)
def check_rereview_due() -> int:
    return rereview_due.check_rereview_due()
