"""Writing and verifying the audit chain. The only place audit rows are made."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

import core.audit_actions as audit_actions
from core.actor import Actor, signed_in
from core.client_address import client_address

from .models import AuditChainHead, AuditEvent


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


def compute_hash(event: AuditEvent) -> str:
    fields = {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "article_id": event.article_id,
        "state_before": event.state_before,
        "state_after": event.state_after,
        "payload": event.payload,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Called with every new event, inside the same transaction, after it is written.
# Notifications (and webhooks) subscribe here: every event that matters to
# someone is already an audit event, so there is one stream, not two.
LISTENERS: list[Callable[[AuditEvent], None]] = []


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(pk=1, last_seq=0, last_hash=AuditEvent.GENESIS_HASH)
        except IntegrityError:
            pass  # another writer created it first
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


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
    """Append one event to the chain, inside the caller's transaction.

    The chain head row stays locked until that transaction ends, so concurrent
    writers line up and each event links to the one committed before it.

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
        head = _locked_head()
        event = AuditEvent(
            seq=head.last_seq + 1,
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
            prev_hash=head.last_hash or AuditEvent.GENESIS_HASH,
        )
        event.hash = compute_hash(event)
        event.save()
        AuditChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
        for listener in LISTENERS:
            listener(event)
    return event


@dataclass
class ChainReport:
    checked: int
    broken_at: AuditEvent | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _events_in_order(chunk_size: int = 5000) -> Iterator[AuditEvent]:
    yield from AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)


def verify_chain() -> ChainReport:
    """Walk the chain from the first event; report the first one that does not fit.

    The walk alone cannot see events removed from the end, so it is also held
    against the chain head, read first: every event the head counted was
    committed with it and must be there, ending in the hash the head recorded.
    """
    head = AuditChainHead.objects.filter(pk=1).values("last_seq", "last_hash").first()
    head_seq, head_hash = (head["last_seq"], head["last_hash"]) if head else (0, "")
    expected_prev = AuditEvent.GENESIS_HASH
    expected_seq = 1
    checked = 0
    last = None
    for event in _events_in_order():
        if event.seq != expected_seq:
            return ChainReport(checked, event, f"expected sequence number {expected_seq}, found {event.seq}")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event, "its link to the previous event does not match")
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event, "its content does not match its hash")
        if event.seq == head_seq and event.hash != head_hash:
            return ChainReport(checked, event, "it is not the event the chain head recorded at this position")
        checked += 1
        expected_prev = event.hash
        expected_seq += 1
        last = event
    if checked < head_seq:
        problem = f"the chain head records {head_seq} events but the chain ends here; later ones are missing"
        if last is None:
            return ChainReport(0, AuditEvent(seq=0, action="(none)"), problem)
        return ChainReport(checked - 1, last, problem)
    return ChainReport(checked)
