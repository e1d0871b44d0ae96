"""The in-app inbox: what the header's unread count and the inbox page show."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from core.actor import Actor

from .kinds import NOT_IN_INBOX
from .models import Notification


def inbox(user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user).exclude(kind__in=NOT_IN_INBOX).select_related("article")
    )


def unread_count(user: Actor) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None); returns how many."""
    rows = inbox(user).filter(read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
