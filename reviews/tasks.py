"""Reviews' periodic jobs, as Celery tasks beat runs by name (``CELERY_BEAT_SCHEDULE``).

Thin wrappers: the rules live in ``reviews.decisions`` and ``reviews.assignments``.
Each is a scan over the database, idempotent, one transaction per row, so a
second or concurrent run finds nothing left to do.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .assignments import expire_overdue_invitations
from .decisions import publish_due


@shared_task(name="reviews.publish_scheduled", ignore_result=True)
def publish_scheduled() -> list[int]:
    """Publish the versions whose scheduled time has come; returns their articles' ids."""
    return publish_due(timezone.now())


@shared_task(name="reviews.expire_invitations", ignore_result=True)
def expire_invitations() -> int:
    """Expire the invitations left unanswered past their deadline; returns how many."""
    return expire_overdue_invitations(timezone.now())
