"""The ``webhook`` channel of the outbox: sign, send, record the attempt, judge the endpoint.

Signing uses the ``standardwebhooks`` package (``Webhook(secret).sign``), the
reference implementation of the Standard Webhooks specification that receivers
verify with: ``webhook-id`` (the same on every attempt), ``webhook-timestamp``
(this attempt's time) and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256
of ``id.timestamp.body``).
"""

from __future__ import annotations

import datetime
import http.client
import json
import time

from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from outbox.channels import Description, RetryPolicy, Undeliverable
from outbox.models import Delivery

from . import endpoints, safety
from .models import Attempt, WebhookMessage

USER_AGENT = "Vetted-Webhooks/1"


class WebhookFailed(Exception):
    """The receiver did not take it (no answer, or not a 2xx): retried later."""


def _conf(name: str, default):
    return settings.VETTED.get(name, default)


def attempts_spanning(window: float, policy: RetryPolicy) -> int:
    """How many attempts the backoff needs for its last one to come ``window`` seconds after the first."""
    elapsed, attempts = 0.0, 1
    while elapsed < window:
        elapsed += policy.delay_after(attempts)
        attempts += 1
    return attempts


def webhook_policy() -> RetryPolicy:
    """Exponential backoff for a day, every retry from the sweeper (no countdown in the broker)."""
    shape = RetryPolicy(
        max_attempts=1,
        base_delay_seconds=_conf("WEBHOOK_RETRY_BASE_SECONDS", 60),
        max_countdown_seconds=0,
        max_delay_seconds=_conf("WEBHOOK_RETRY_MAX_DELAY_SECONDS", 3 * 3600),
    )
    window = _conf("WEBHOOK_RETRY_HOURS", 24) * 3600
    return RetryPolicy(
        max_attempts=attempts_spanning(window, shape),
        base_delay_seconds=shape.base_delay_seconds,
        max_countdown_seconds=0,
        max_delay_seconds=shape.max_delay_seconds,
    )


def body_bytes(delivery: Delivery) -> bytes:
    """The body exactly as signed and sent: the stored event, compact JSON, keys sorted."""
    return json.dumps(delivery.payload.get("body", {}), separators=(",", ":"), sort_keys=True).encode()


def signed_headers(secret: str, webhook_id: str, body: bytes, at: datetime.datetime) -> dict[str, str]:
    seconds = int(at.timestamp())
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    signature = Webhook(secret).sign(msg_id=webhook_id, timestamp=moment, data=body.decode())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(seconds),
        "webhook-signature": signature,
    }


def send_webhook(delivery: Delivery) -> str:
    """The channel's sender: returns the URL on a 2xx; raises otherwise (after recording the attempt)."""
    message = WebhookMessage.objects.select_related("endpoint").filter(delivery=delivery).first()
    if message is None:
        raise Undeliverable("The endpoint of this webhook was deleted.")
    endpoint = message.endpoint
    if not endpoint.active:
        raise Undeliverable("The endpoint is disabled; enable it, then re-send.")
    body = body_bytes(delivery)
    now = timezone.now()
    attempt = Attempt(message=message, at=now, url=endpoint.url[:500])
    keep = int(_conf("WEBHOOK_RESPONSE_BYTES_KEPT", 500))
    started = time.monotonic()
    try:
        target = safety.vet(endpoint.url)
        attempt.address = target.address
        answer = safety.post(
            target,
            body,
            signed_headers(endpoint.secret, message.webhook_id, body, now),
            timeout=float(_conf("WEBHOOK_TIMEOUT_SECONDS", 5)),
            keep_bytes=keep,
        )
    except safety.UnsafeTarget as exc:
        _failed(attempt, str(exc), now)
        raise
    except (OSError, http.client.HTTPException) as exc:
        attempt.latency_ms = _since(started)
        _failed(attempt, f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__, now)
        raise WebhookFailed(attempt.error) from None
    attempt.latency_ms = _since(started)
    attempt.status_code = answer.status
    attempt.response_start = answer.start[:keep].decode("utf-8", "replace")
    if 200 <= answer.status < 300:
        attempt.succeeded = True
        attempt.save()
        endpoints.note_success(endpoint)
        return endpoint.url
    reason = f"The endpoint answered HTTP {answer.status}"
    if 300 <= answer.status < 400:
        reason += " (a redirect: redirects are not followed)"
    _failed(attempt, reason + ".", now)
    raise WebhookFailed(reason + ".")


# What the outbox's admin list joins for ``describe`` and searches in.
ADMIN_RELATED = ("webhook__endpoint",)
ADMIN_SEARCH = ("webhook__endpoint__url", "webhook__webhook_id")


def describe(delivery: Delivery) -> Description:
    """The endpoint and kind of a webhook row, for the outbox's admin list (joined: ADMIN_RELATED)."""
    message = getattr(delivery, "webhook", None)  # None: its endpoint was deleted
    if message is None:
        return Description("-", "-")
    return Description(message.endpoint.url, message.kind)


def _since(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))


def _failed(attempt: Attempt, error: str, now: datetime.datetime) -> None:
    attempt.error = error[:500]
    attempt.save()
    endpoints.note_failure(attempt.message.endpoint, now)
