"""The outbox's Celery tasks: thin wrappers over ``dispatch``.

Delivery is idempotent (the row is claimed with a conditional update), so
``acks_late`` redelivery after a lost worker can only ever send once more what
was never sent.

The task names are the ones these tasks had when they lived in ``notifications``: tasks
already queued in Redis when a release ships, and the beat schedule
(``config.settings.CELERY_BEAT_SCHEDULE``), find them by name, so the names stay.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from . import dispatch


@shared_task(name="notifications.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(delivery_id: int) -> str:
    return dispatch.deliver(delivery_id)


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox(stuck_after_seconds: float | None = None) -> int:
    stuck_after = None if stuck_after_seconds is None else datetime.timedelta(seconds=stuck_after_seconds)
    return len(dispatch.sweep(stuck_after=stuck_after))
