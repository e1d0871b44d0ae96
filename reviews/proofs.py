"""Which entries of the review log prove how a published version came to readers.

A published version's record in the log is the audit event of each signed approval readers are
shown ("Reviewed by": the approvals signed before it was published, one per board member; their
``review.signed`` events, written in the same transaction as the review) and the
``article.publish`` event that published that version. This is the one place that decides which
events those are; the public "Verify this review" page and its JSON show them with their
inclusion proofs (``audit.log.prove``), and ``audit.verify_proof`` checks them on a reader's
machine.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

import core.audit_actions as audit_actions
from articles.models import ArticleVersion
from audit.log import Proof, prove
from audit.models import AuditEvent

from .models import Decision, Review
from .signatures import one_per_person

type EventKind = Literal["approval", "publication"]


@dataclass(frozen=True)
class LoggedEvent:
    """One event of the record: ``event`` None if none was found, ``proof`` None until sealed."""

    kind: EventKind
    event: AuditEvent | None
    proof: Proof | None
    review: Review | None = None  # the approval, for kind "approval"

    @property
    def status(self) -> Literal["sealed", "being_sealed", "not_in_log"]:
        if self.event is None:
            return "not_in_log"
        return "sealed" if self.proof is not None else "being_sealed"


@dataclass(frozen=True)
class PublicationRecord:
    """What the log holds about one published version: its approvals, then its publication."""

    article_id: int
    version_number: int
    content_hash: str
    published_at: datetime.datetime
    events: list[LoggedEvent]

    @property
    def complete(self) -> bool:
        """Every event is in the log and sealed: a reader can check all of them now."""
        return all(e.status == "sealed" for e in self.events)

    @property
    def being_sealed(self) -> bool:
        return any(e.status == "being_sealed" for e in self.events)


def _approvals(version_id: int, published_at: datetime.datetime) -> list[Review]:
    # The approvals readers are shown as "Reviewed by" (public.render_cache.approving_reviewers).
    return one_per_person(
        Review.objects.filter(version_id=version_id, decision=Decision.APPROVE, signed_at__lte=published_at)
        .order_by("signed_at", "pk")
        .only("pk", "reviewer_id", "signer_name", "signer_credentials", "signed_at", "signed_content_hash")
    )


def publication_record(version_id: int) -> PublicationRecord | None:
    """The log's record of a published version (None if the version was never published)."""
    version = (
        ArticleVersion.objects.filter(pk=version_id, published_at__isnull=False)
        .values("article_id", "number", "content_hash", "published_at")
        .first()
    )
    if version is None:
        return None
    published_at = version["published_at"]
    assert published_at is not None  # filtered above; the type of values() does not know it
    approvals = _approvals(version_id, published_at)
    # An article has a handful of these events per version: reading all of them and choosing
    # here keeps the query on the (article, seq) index and free of JSON lookups.
    events = AuditEvent.objects.filter(
        article_id=version["article_id"],
        action__in=[audit_actions.REVIEW_SIGNED, audit_actions.ARTICLE_PUBLISH],
    ).order_by("seq")
    signed: dict[int, AuditEvent] = {}
    published: AuditEvent | None = None
    for event in events:
        payload = event.payload if isinstance(event.payload, dict) else {}
        if event.action == audit_actions.REVIEW_SIGNED and isinstance(payload.get("review_id"), int):
            signed.setdefault(payload["review_id"], event)
        elif event.action == audit_actions.ARTICLE_PUBLISH and payload.get("version") == version["number"]:
            published = event  # the last one, should a version ever be published twice
    chosen = [signed.get(approval.pk) for approval in approvals]
    proofs = prove([e for e in (*chosen, published) if e is not None])

    def logged(kind: EventKind, event: AuditEvent | None, review: Review | None = None) -> LoggedEvent:
        return LoggedEvent(kind, event, proofs.get(event.pk) if event else None, review)

    return PublicationRecord(
        article_id=version["article_id"],
        version_number=version["number"],
        content_hash=version["content_hash"],
        published_at=published_at,
        events=[
            *(logged("approval", event, approval) for approval, event in zip(approvals, chosen, strict=True)),
            logged("publication", published),
        ],
    )
