"""Telling someone: an inbox entry and its email outbox row, in the caller's transaction.

The email goes out through the outbox (``outbox.dispatch``) on the ``email``
channel once the transaction commits; the recipient's preferences decide
whether it is sent now, held for the daily digest, or skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.dispatch import enqueue_after_commit
from outbox.models import Delivery, DeliveryStatus

from .kinds import ESSENTIAL_KINDS
from .models import EMAIL_CHANNEL, EmailMessage, EmailMode, Notification, NotificationPreference

Status = DeliveryStatus


@dataclass(frozen=True)
class Message:
    """What to tell someone: the inbox entry's content."""

    kind: str
    title: str
    body: str = ""
    url: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    essential: bool | None = None  # None: essential when its kind is


def email_status(recipient, kind: str, essential: bool) -> tuple[str, str]:
    """How the email for one notification goes out, from the recipient's preferences."""
    if not recipient.email:
        return Status.SKIPPED, "The recipient has no email address."
    if essential:
        return Status.PENDING, ""
    pref = NotificationPreference.objects.filter(user=recipient).first()
    if pref is None:
        return Status.PENDING, ""
    if kind in (pref.muted_kinds or []):
        return Status.SKIPPED, "Muted by the recipient."
    if pref.email_mode == EmailMode.DAILY_DIGEST:
        return Status.HELD, ""
    return Status.PENDING, ""


def notify(
    recipient,
    message: Message,
    *,
    article=None,
    event=None,
    dedupe_key: str | None = None,
    read: bool = False,
) -> Notification | None:
    """Write an inbox entry and its email outbox row in the caller's transaction.

    With a ``dedupe_key`` this happens at most once for ever, whatever the
    number of callers racing: the unique key decides. Returns None when the
    key was already taken.
    """
    if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    essential = message.essential if message.essential is not None else message.kind in ESSENTIAL_KINDS
    status, reason = email_status(recipient, message.kind, essential)
    now = timezone.now()
    try:
        # A savepoint: losing the race for the key must not spoil the caller's transaction.
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=message.kind,
                article=article,
                event=event,
                title=message.title[:250],
                body=message.body,
                url=message.url,
                payload=message.payload,
                is_essential=essential,
                created_at=now,
                read_at=now if read else None,
                dedupe_key=dedupe_key,
            )
            delivery = Delivery.objects.create(
                channel=EMAIL_CHANNEL,
                event=event,
                status=status,
                last_error=reason,
                created_at=now,
                next_attempt_at=now,
                # Assume the after-commit enqueue works; it clears this if it does not.
                queued_at=now if status == Status.PENDING else None,
                dedupe_key=f"email:{dedupe_key}" if dedupe_key else None,
            )
            EmailMessage.objects.create(delivery=delivery, notification=notification)
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if status == Status.PENDING:
        enqueue_after_commit([delivery.pk])
    return notification
