"""The rules about webhook endpoints: who registers them, what is valid, when they stop.

Managing editors register, change, delete and re-send for any integration
client (admin and API); an integration client reads its own endpoints and
their deliveries. An endpoint failing for a day is disabled; the audit event
that records it is what the managing editors are told from (``notifications.events``).
"""

from __future__ import annotations

import base64
import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

import core.audit_actions as audit_actions
from accounts.roles import INTEGRATION_CLIENT
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import ContentInvalid, DomainError, NotPermitted
from outbox import dispatch
from outbox.models import Delivery, DeliveryStatus

from . import safety
from .models import URL_MAX_LENGTH, Endpoint, EventKind, WebhookMessage

MANAGE = "webhooks.change_endpoint"
VIEW = "webhooks.view_endpoint"
SECRET_PREFIX = "whsec_"


class DeliveryBusy(DomainError):
    code = "delivery_in_progress"
    http_status = 409


def can_manage(user: Actor) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(MANAGE))


def require_manager(user: Actor, what: str) -> None:
    if not can_manage(user):
        raise NotPermitted(f"Only managing editors may {what}.")


def visible_endpoints(user: Actor) -> QuerySet[Endpoint]:
    """Every endpoint for a managing editor; an integration client's own; otherwise refused."""
    endpoints = Endpoint.objects.select_related("client")
    if can_manage(user):
        return endpoints
    person = signed_in(user)
    if person is not None and person.is_active and person.has_perm(VIEW):
        return endpoints.filter(client=person)
    raise NotPermitted("Only managing editors and integration clients see webhook endpoints.")


def integration_clients() -> QuerySet[User]:
    return get_user_model().objects.filter(is_active=True, groups__name=INTEGRATION_CLIENT).distinct()


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str) -> str:
    """The URL as stored, or ``ContentInvalid`` naming what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise ContentInvalid("The endpoint needs a URL.", fields={"url": ["Required."]})
    if len(url) > URL_MAX_LENGTH:
        too_long = f"At most {URL_MAX_LENGTH} characters."
        raise ContentInvalid("The URL is too long.", fields={"url": [too_long]})
    try:
        safety.vet(url)
    except safety.UnsafeTarget as exc:
        raise ContentInvalid(str(exc), fields={"url": [str(exc)]}) from None
    return url


def check_kinds(kinds: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(kinds or []))
    unknown = [k for k in chosen if k not in EventKind.values]
    if unknown:
        raise ContentInvalid(
            f"Unknown event kinds: {', '.join(map(str, unknown))}.",
            fields={"kinds": [f"Choose from: {', '.join(EventKind.values)}."]},
        )
    if not chosen:
        raise ContentInvalid("Choose at least one event kind.", fields={"kinds": ["Required."]})
    return [k for k in EventKind.values if k in chosen]  # the order of the list of kinds


def check_client(client: User) -> None:
    if not integration_clients().filter(pk=client.pk).exists():
        raise ContentInvalid(
            f"{client.get_username()} is not an active integration client.",
            fields={"client": ["An active user in the Integration client group."]},
        )


def _describe(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "client_id": endpoint.client_id,
        "url": endpoint.url,
        "kinds": endpoint.kinds,
        "active": endpoint.active,
    }


def register(
    *,
    client: User,
    url: str,
    kinds: Iterable[str],
    by: Actor,
    active: bool = True,
    description: str = "",
    request_info: RequestInfo | None = None,
) -> tuple[Endpoint, str]:
    """Create an endpoint; returns it and its secret (the only time the secret is handed out)."""
    require_manager(by, "register webhook endpoints")
    check_client(client)
    endpoint = Endpoint(
        client=client,
        url=check_url(url),
        kinds=check_kinds(kinds),
        active=active,
        description=description[:200],
        secret=new_secret(),
        created_by=signed_in(by),
    )
    with transaction.atomic():
        endpoint.save()
        record(
            audit_actions.WEBHOOK_CREATED,
            actor=by,
            target=endpoint,
            payload=_describe(endpoint),
            request_info=request_info,
        )
    return endpoint, endpoint.secret


def update(
    endpoint: Endpoint, *, by: Actor, request_info: RequestInfo | None = None, **changes: Any
) -> Endpoint:
    """Change url, kinds, active or description. Enabling again forgets the failure streak."""
    require_manager(by, "change webhook endpoints")
    if "url" in changes:
        endpoint.url = check_url(changes["url"])
    if "kinds" in changes:
        endpoint.kinds = check_kinds(changes["kinds"])
    if "description" in changes:
        endpoint.description = (changes["description"] or "")[:200]
    if "active" in changes and bool(changes["active"]) != endpoint.active:
        endpoint.active = bool(changes["active"])
        if endpoint.active:
            endpoint.failing_since = None
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
    with transaction.atomic():
        endpoint.save()
        record(
            audit_actions.WEBHOOK_CHANGED,
            actor=by,
            target=endpoint,
            payload=_describe(endpoint),
            request_info=request_info,
        )
    return endpoint


def delete(endpoint: Endpoint, *, by: Actor, request_info: RequestInfo | None = None) -> None:
    """Delete it with its messages and attempts; its outbox rows still waiting are skipped."""
    require_manager(by, "delete webhook endpoints")
    with transaction.atomic():
        Delivery.objects.filter(
            webhook__endpoint=endpoint, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
        ).update(status=DeliveryStatus.SKIPPED, last_error="The endpoint was deleted.")
        record(
            audit_actions.WEBHOOK_DELETED,
            actor=by,
            target=endpoint,
            payload=_describe(endpoint),
            request_info=request_info,
        )
        endpoint.delete()


def resend(message: WebhookMessage, *, by: Actor, request_info: RequestInfo | None = None) -> WebhookMessage:
    """Send this event again, now, with the same id (receivers deduplicate on it)."""
    require_manager(by, "re-send webhooks")
    if not message.endpoint.active:
        raise ContentInvalid("The endpoint is disabled: enable it before re-sending.")
    if message.delivery.status == DeliveryStatus.SENDING:
        raise DeliveryBusy("This delivery is being sent right now; look again in a moment.")
    with transaction.atomic():
        queued = dispatch.retry(
            Delivery.objects.filter(pk=message.pk),
            statuses=[DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SENT],
        )
        if not queued:
            raise DeliveryBusy("This delivery is being sent right now; look again in a moment.")
        record(
            audit_actions.WEBHOOK_RESENT,
            actor=by,
            target=message.endpoint,
            payload={"webhook_id": message.webhook_id, "delivery_id": message.pk},
            request_info=request_info,
        )
    return message


# --- the endpoint's health ----------------------------------------------------------------------


def failure_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.VETTED.get("WEBHOOK_DISABLE_AFTER_HOURS", 24))


def note_success(endpoint: Endpoint) -> None:
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(failing_since=None)


def note_failure(endpoint: Endpoint, now: datetime.datetime) -> None:
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    disable_failing(now=now, endpoints=Endpoint.objects.filter(pk=endpoint.pk))


def disable_failing(
    *, now: datetime.datetime | None = None, endpoints: QuerySet[Endpoint] | None = None
) -> list[int]:
    """Disable active endpoints failing for longer than the window. Returns the ids disabled.

    Run after every failed attempt and by the periodic scan. The audit event it records
    (``WEBHOOK_DISABLED``) is what tells the managing editors: notifications listens for it.
    """
    now = now or timezone.now()
    candidates = Endpoint.objects.all() if endpoints is None else endpoints
    disabled = []
    with transaction.atomic():
        due = candidates.select_for_update(skip_locked=True).filter(
            active=True, failing_since__lte=now - failure_window()
        )
        for endpoint in due:
            since = endpoint.failing_since
            if since is None:
                continue  # none: the query excludes them, but the column is nullable
            endpoint.active = False
            endpoint.disabled_at = now
            endpoint.disabled_reason = f"Every attempt failed since {since:%Y-%m-%d %H:%M} UTC."
            endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
            record(
                audit_actions.WEBHOOK_DISABLED,
                target=endpoint,
                payload={**_describe(endpoint), "failing_since": since},
            )
            disabled.append(endpoint.pk)
    return disabled
