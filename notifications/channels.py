"""The channels an outbox row can go out on, each with its sender and retry policy.

A channel is a function that sends one ``Delivery`` and returns the address it
went to, raising on failure. Webhooks register here as another channel; the
outbox, the task, the sweeper and the admin stay the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Channel, Delivery


class Undeliverable(Exception):
    """A failure that retrying cannot fix (no address, nothing to send): fail at once."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_delay_seconds: float
    # Waits up to this long are a Celery countdown; longer ones come from the sweeper
    # (a Redis broker redelivers ETA tasks that outlive its visibility timeout).
    max_countdown_seconds: float = 60.0
    max_delay_seconds: float = 3600.0

    def delay_after(self, attempts: int) -> float:
        """Exponential backoff: base, 2 * base, 4 * base... after the 1st, 2nd, 3rd failure."""
        return min(self.base_delay_seconds * 2 ** max(attempts - 1, 0), self.max_delay_seconds)


@dataclass(frozen=True)
class ChannelSpec:
    send: Callable[[Delivery], str]
    # Called at each use, so that policies read from settings follow the settings.
    policy: Callable[[], RetryPolicy]


CHANNELS: dict[str, ChannelSpec] = {}


def register(channel: str, send: Callable[[Delivery], str], policy: Callable[[], RetryPolicy]) -> None:
    CHANNELS[channel] = ChannelSpec(send, policy)


def spec_for(channel: str) -> ChannelSpec:
    try:
        return CHANNELS[channel]
    except KeyError:
        raise Undeliverable(f"No sender is registered for channel {channel!r}.") from None


def email_policy() -> RetryPolicy:
    conf = settings.VETTED
    return RetryPolicy(
        max_attempts=conf.get("NOTIFY_MAX_ATTEMPTS", 6),
        base_delay_seconds=conf.get("NOTIFY_RETRY_BASE_SECONDS", 15),
    )


def render_email(delivery: Delivery) -> EmailMultiAlternatives:
    notification = delivery.notification
    if notification is None:
        raise Undeliverable("An email delivery needs a notification to send.")
    recipient = notification.recipient
    if not recipient.email:
        raise Undeliverable(f"{recipient.get_username()} has no email address.")
    context = {
        "notification": notification,
        "recipient": recipient,
        "payload": notification.payload,
        "url": notification.absolute_url(),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    names = [f"notifications/email/{notification.kind}", "notifications/email/default"]
    text = render_to_string([f"{n}.txt" for n in names], context)
    html = render_to_string([f"{n}.html" for n in names], context)
    subject = " ".join(f"[Vetted] {notification.title}".split())  # a header never holds a newline
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
        headers={"X-Vetted-Delivery": str(delivery.pk), "X-Vetted-Kind": notification.kind},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_email(delivery: Delivery) -> str:
    message = render_email(delivery)
    message.send()
    return message.to[0]


register(Channel.EMAIL, send_email, email_policy)
