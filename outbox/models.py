"""The outbox row: one message on one channel, written in the transaction of the event that
causes it and delivered by a Celery task after commit.

The row knows nothing of what it carries: each channel's app keeps its own side table keyed
by the row (``notifications.EmailMessage``, ``webhooks.WebhookMessage``) and registers the
sender that reads it (``outbox.channels``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"
    SKIPPED = "skipped", "Skipped (muted or no address)"
    HELD = "held", "Held for the daily digest"
    DIGESTED = "digested", "Sent in a daily digest"


class Delivery(models.Model):
    """One message on one channel: the outbox row a Celery task delivers."""

    # A free name, not choices: each app registers its own channel ("email", "webhook"), so this
    # model never names the apps above it.
    channel = models.CharField(max_length=16)
    event = models.ForeignKey(
        "audit.AuditEvent",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    payload = models.JSONField(default=dict, blank=True, help_text="Channel-specific data.")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    address = models.CharField(max_length=500, blank=True, help_text="Where it was last sent.")
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a task was last handed to the broker (null: it never reached it, the sweeper will).
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        # The table notifications created: the rows of every deployment stay where they are.
        db_table = "notifications_delivery"
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.get_status_display()})"
