"""Webhook endpoints of integration clients, and the webhook side of outbox rows.

An event for an endpoint is one ``outbox.Delivery`` (channel ``webhook``),
written in the transaction of the transition that causes it and delivered by
the outbox's task and sweeper, as email is. ``WebhookMessage`` ties that row to its
endpoint and carries the Standard Webhooks message id, the same on every
attempt; each attempt is an ``Attempt`` row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.display import loaded, loaded_str


class EventKind(models.TextChoices):
    SUBMITTED = "article.submitted", "Article submitted for review"
    CHANGES_REQUESTED = "article.changes_requested", "Changes requested"
    APPROVED = "article.approved", "Article approved"
    PUBLISHED = "article.published", "Article published"
    REJECTED = "article.rejected", "Article rejected"
    WITHDRAWN = "article.withdrawn", "Article withdrawn"
    REREVIEW_FLAGGED = "article.rereview_flagged", "Article flagged for re-review"


# The outbox channel this app sends on (registered by WebhooksConfig.ready()).
WEBHOOK_CHANNEL = "webhook"

# The longest endpoint URL (the column's width; webhooks.endpoints refuses longer).
URL_MAX_LENGTH = 500


class Endpoint(models.Model):
    """Where one integration client wants to hear about its articles.

    The secret signs every delivery (HMAC-SHA256), so it must be kept in a form
    that can sign: a hash cannot. It is shown once, when the endpoint is made,
    and never again by the admin or the API.
    """

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        help_text="The integration client whose articles this endpoint hears about.",
    )
    url = models.CharField(max_length=URL_MAX_LENGTH, help_text="https only; public internet addresses only.")
    kinds = models.JSONField(default=list, help_text="The event kinds to send.")
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Since when every attempt has failed (null: the last one succeeded, or none failed yet).
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["client__username", "pk"]
        verbose_name = "webhook endpoint"
        indexes = [models.Index(fields=["client", "active"], name="webhook_endpoint_client")]

    def __str__(self) -> str:
        return f"{self.url} ({loaded_str(self, 'client')})"


class WebhookMessage(models.Model):
    """One event for one endpoint: what makes an outbox row a webhook."""

    delivery = models.OneToOneField(
        "outbox.Delivery", primary_key=True, on_delete=models.CASCADE, related_name="webhook"
    )
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The ``webhook-id`` header: derived from the event and the endpoint, so the same on every
    # retry and every re-send, which is what lets receivers deduplicate.
    webhook_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_message_endpoint")]

    def __str__(self) -> str:
        endpoint = loaded(self, "endpoint")
        url = endpoint.url if isinstance(endpoint, Endpoint) else f"endpoint #{self.endpoint_id}"
        return f"{self.kind} → {url} ({self.webhook_id})"


class Attempt(models.Model):
    """One try at sending a webhook: when, what came back, how long it took."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(default=timezone.now)
    url = models.CharField(max_length=500)
    address = models.CharField(max_length=64, blank=True, help_text="The IP address connected to.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_start = models.TextField(blank=True, help_text="The first bytes of the answer, never more.")
    error = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Attempt at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error[:40]}"
