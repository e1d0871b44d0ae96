"""From audit events to webhook deliveries, in the transaction of the transition.

Registered in ``audit.trail.LISTENERS`` beside the notifications listener: one
outbox row (channel ``webhook``) per subscribed endpoint, committed with the
event or not at all, queued after commit like every other row.

Which endpoints hear about an article: the active endpoints of the article's
owner, when the owner is the integration client (an article a pipeline pushed
in is owned by that pipeline's user; ``articles.access`` gives it the same
articles through the API). An article whose owner a managing editor changes
follows its new owner.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

import core.audit_actions as audit_actions
from audit.models import AuditEvent
from outbox.dispatch import enqueue_after_commit
from outbox.models import Delivery, DeliveryStatus
from reviews.workflow import TRANSITIONS

from .models import WEBHOOK_CHANNEL, Endpoint, EventKind, WebhookMessage

# Audit actions → the webhook kind they are. A transition is heard as the state it leads to
# ("article.approved" for article.approve): derived from the workflow's declarations, so a new
# transition into an announced state is announced with no list to update here.
ACTION_KINDS: dict[str, str] = {
    **{
        t.audit_action: EventKind(f"article.{t.target}")
        for t in TRANSITIONS.values()
        if t.target is not None and f"article.{t.target}" in EventKind.values
    },
    # Not a transition: a cited source changed under a published version (notifications.rereview).
    audit_actions.ARTICLE_REREVIEW_FLAGGED: EventKind.REREVIEW_FLAGGED,
}


def webhook_id(event: AuditEvent, endpoint: Endpoint) -> str:
    return f"msg_{event.pk}_{endpoint.pk}"


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def event_body(event: AuditEvent, kind: str) -> dict:
    """What the receiver gets: the event, and enough about the article to act or fetch more."""
    article = event.article
    links = {
        "api": _absolute(reverse("api:article", args=[article.slug])),
        "desk": _absolute(reverse("desk:article", args=[article.slug])),
    }
    if article.published_version_id:
        links["public"] = _absolute(reverse("public:article", args=[article.slug]))
    data = {
        "article": {
            "slug": article.slug,
            "title": article.title,
            "state": event.state_after or article.state,
            "version": event.payload.get("version"),
            "links": links,
        }
    }
    if event.payload.get("reason"):
        data["reason"] = event.payload["reason"]
    return {
        "id": f"evt_{event.pk}",
        "type": kind,
        "timestamp": event.created_at.isoformat(),
        "data": data,
    }


def on_audit_event(event: AuditEvent) -> None:
    """The audit listener: one webhook outbox row per endpoint subscribed to this event."""
    kind = ACTION_KINDS.get(event.action)
    if kind is None or event.article_id is None:
        return
    article = event.article
    endpoints = [
        e for e in Endpoint.objects.filter(client_id=article.owner_id, active=True) if kind in (e.kinds or [])
    ]
    if not endpoints:
        return
    write_deliveries(event, kind, endpoints)


def write_deliveries(event: AuditEvent, kind: str, endpoints: list[Endpoint]) -> list[int]:
    """One outbox row per endpoint for this event, queued after commit; returns their ids."""
    article = event.article
    body = event_body(event, kind)
    ids = []
    for endpoint in endpoints:
        message_id = webhook_id(event, endpoint)
        delivery = Delivery.objects.create(
            channel=WEBHOOK_CHANNEL,
            event=event,
            payload={"body": body},
            status=DeliveryStatus.PENDING,
            created_at=event.created_at,
            next_attempt_at=event.created_at,
            # Assume the after-commit enqueue works; it clears this if it does not.
            queued_at=event.created_at,
            dedupe_key=f"webhook:{message_id}",
        )
        WebhookMessage.objects.create(
            delivery=delivery,
            endpoint=endpoint,
            kind=kind,
            article=article,
            webhook_id=message_id,
            created_at=event.created_at,
        )
        ids.append(delivery.pk)
    enqueue_after_commit(ids)
    return ids
