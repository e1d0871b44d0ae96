"""The ``email`` channel of the outbox: a notification rendered and mailed to its recipient.

Registered by ``NotificationsConfig.ready()``; the outbox calls ``send_email`` with
the row and knows nothing of notifications.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from outbox.channels import Description, RetryPolicy, Undeliverable
from outbox.models import Delivery

from .models import EmailMessage


def email_policy() -> RetryPolicy:
    conf = settings.VETTED
    return RetryPolicy(
        max_attempts=conf.get("NOTIFY_MAX_ATTEMPTS", 6),
        base_delay_seconds=conf.get("NOTIFY_RETRY_BASE_SECONDS", 15),
    )


def render_email(delivery: Delivery) -> EmailMultiAlternatives:
    message = EmailMessage.objects.select_related("notification__recipient").filter(delivery=delivery).first()
    if message is None:
        raise Undeliverable("An email delivery needs a notification to send.")
    notification = message.notification
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
    email = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
        headers={"X-Vetted-Delivery": str(delivery.pk), "X-Vetted-Kind": notification.kind},
    )
    email.attach_alternative(html, "text/html")
    return email


def send_email(delivery: Delivery) -> str:
    email = render_email(delivery)
    email.send()
    return email.to[0]


# What the outbox's admin list joins for ``describe`` and searches in.
ADMIN_RELATED = ("email__notification__recipient",)
ADMIN_SEARCH = ("email__notification__recipient__username", "email__notification__title")


def describe(delivery: Delivery) -> Description:
    """The recipient and kind of an email row, for the outbox's admin list (joined: ADMIN_RELATED)."""
    message = getattr(delivery, "email", None)  # None: its notification was deleted
    if message is None:
        return Description("-", "-")
    return Description(message.notification.recipient.get_username(), message.notification.kind)
