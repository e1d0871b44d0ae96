"""Writing audit events: the only place they are made (the review log seals them: ``audit.log``)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

import core.audit_actions as audit_actions
from core.actor import Actor, signed_in
from core.client_address import client_address

from . import entries
from .models import AuditEvent


@dataclass(frozen=True)
class RequestInfo:
    """Where an action came from, when it came through HTTP."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest | None) -> RequestInfo:
        if request is None:
            return cls()
        return cls(
            # Behind our proxies, the client's address rather than the proxy's (the same reading
            # as the login limits; X-Forwarded-For is trusted only as far as our proxies wrote it).
            ip_address=client_address(request),
            user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:300],
        )


def _stored_ip(address: str | None) -> str | None:
    # The database keeps IPv6 addresses in their short form; hash what will be read back.
    if address and ":" in address:
        try:
            return clean_ipv6_address(address)
        except ValidationError:
            return None  # not an address at all: not worth refusing the audited action for
    return address or None


def _json_safe(payload: dict[str, Any] | None) -> dict[str, Any]:
    # What is hashed must be exactly what the JSON column gives back later.
    safe: dict[str, Any] = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))
    return safe


# Called with every new event, inside the same transaction, after it is written.
# Notifications (and webhooks) subscribe here: every event that matters to
# someone is already an audit event, so there is one stream, not two.
LISTENERS: list[Callable[[AuditEvent], None]] = []


def _number_and_transaction() -> tuple[int, int]:
    """The new event's number (its id and seq) and the id of the transaction writing it.

    On PostgreSQL both come from one round trip and neither takes a lock: the number from the id
    column's own sequence, the transaction id for the sealer's order (``audit.log``). SQLite lets
    one transaction write at a time (``transaction_mode`` IMMEDIATE takes the write lock at
    BEGIN), so the next number after the largest is already exclusive to this writer there, and
    ids are assigned in commit order: it needs no transaction id (0).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')), pg_current_xact_id()::text::bigint",
                [AuditEvent._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT max(coalesce(max(id), 0), coalesce(max(seq), 0)) + 1, 0 FROM audit_auditevent"
            )
        number, xact = cursor.fetchone()
    return int(number), int(xact)


def record(
    action: str,
    *,
    actor: Actor = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    article: models.Model | None = None,
    state_before: str = "",
    state_after: str = "",
    payload: dict[str, Any] | None = None,
    request_info: RequestInfo | None = None,
) -> AuditEvent:
    """Write one event, with its own leaf hash, inside the caller's transaction.

    Nothing shared is locked: concurrent writers each write their own row. The sealer puts the
    event in the review log once its transaction has committed (``audit.log``).

    ``action`` must be declared in ``core.audit_actions`` (``ValueError`` otherwise): a
    misspelt name would otherwise start a new action that no listener hears.

    ``article`` is the ``articles.Article`` the event is about, typed as any model because this
    layer sits below ``articles`` and may not import it.
    """
    audit_actions.require_declared(action)
    info = request_info or RequestInfo()
    if target is not None:
        target_type = target_type or target._meta.model_name or ""
        target_id = target_id or str(target.pk)
    person = signed_in(actor)
    with transaction.atomic():
        number, xact = _number_and_transaction()
        event = AuditEvent(
            id=number,
            seq=number,
            xact=xact,
            created_at=timezone.now(),
            actor=person,
            actor_label=person.get_username() if person is not None else "system",
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            # The foreign key is typed as articles.Article, which this layer may not name (above).
            article=article,  # type: ignore[misc]
            state_before=state_before,
            state_after=state_after,
            payload=_json_safe(payload),
            ip_address=_stored_ip(info.ip_address),
            user_agent=info.user_agent,
            request_salt=secrets.token_hex(16),
        )
        event.leaf_hash = entries.leaf_hash_of(vars(event)).hex()
        event.save(force_insert=True)
        for listener in LISTENERS:
            listener(event)
    return event
