""" "Verify this review": the review log's record of an article's published version, for readers.

Which events make up that record is decided in ``reviews.proofs``; this module shapes it for the
page and for ``verify.json``, which ``audit.verify_proof`` checks on a reader's machine with the
key published at ``/.well-known/vetted-log-key``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from audit.checkpoints import CheckpointText
from core import log_key
from core.signed_note import NoteError, open_note
from reviews.proofs import LoggedEvent, PublicationRecord, publication_record

from .pages import site_url
from .pointers import ArticleRef

FORMAT = "vetted-review-proof/1"


@dataclass(frozen=True)
class EventLine:
    """One event as the page tells it."""

    kind: str
    who: str
    credentials: str
    when: datetime.datetime | None
    status: str
    event_id: int | None
    leaf_index: int | None
    tree_size: int | None


@dataclass(frozen=True)
class Verification:
    article: ArticleRef
    record: PublicationRecord
    origin: str
    public_key: str

    @property
    def lines(self) -> list[EventLine]:
        return [_line(event) for event in self.record.events]

    @property
    def checkpoint_note(self) -> str:
        """The checkpoint the proofs lead to (they all use the latest one): empty if none yet."""
        return next((e.proof.checkpoint for e in self.record.events if e.proof is not None), "")

    @property
    def checkpoint(self) -> CheckpointText | None:
        # Opened with our own key, so what the page says about it is what it signs. A note the
        # current key does not open (the key was replaced) is not described at all; the verifier
        # says why.
        try:
            return CheckpointText.parse(open_note(self.checkpoint_note, log_key.verifier()))
        except (NoteError, ValueError):
            return None

    @property
    def json_path(self) -> str:
        return reverse("public:verify-json", args=[self.article.slug])

    @property
    def json_url(self) -> str:
        return site_url(self.json_path)

    @property
    def key_url(self) -> str:
        return site_url(reverse("public:log-key"))


def _line(event: LoggedEvent) -> EventLine:
    proof = event.proof
    if event.kind == "approval" and event.review is not None:
        who, credentials, when = (
            event.review.signer_name,
            event.review.signer_credentials,
            event.review.signed_at,
        )
    else:
        who = event.event.actor_label if event.event is not None else ""
        credentials, when = "", event.event.created_at if event.event is not None else None
    return EventLine(
        kind=event.kind,
        who=who,
        credentials=credentials,
        when=when,
        status=event.status,
        event_id=event.event.pk if event.event is not None else None,
        leaf_index=proof.leaf_index if proof else None,
        tree_size=proof.tree_size if proof else None,
    )


def verification(article: ArticleRef) -> Verification | None:
    """The record of the article's published version (None if there is none to show)."""
    record = publication_record(article.published.id)
    if record is None:
        return None
    return Verification(article, record, log_key.origin(), log_key.verifier().text)


def as_json(found: Verification) -> dict[str, Any]:
    """The answer of ``verify.json``: everything ``audit.verify_proof`` needs, and the labels."""
    record = found.record
    events = []
    for event, line in zip(record.events, found.lines, strict=True):
        item: dict[str, Any] = {"kind": event.kind, "event_id": line.event_id, "status": event.status}
        if event.kind == "approval":
            item["signer_name"] = line.who
        item["proof"] = event.proof.as_json() if event.proof is not None else None
        events.append(item)
    return {
        "format": FORMAT,
        "article": {
            "slug": found.article.slug,
            "title": found.article.title,
            "url": site_url(reverse("public:article", args=[found.article.slug])),
        },
        "version": {
            "number": record.version_number,
            "content_hash": record.content_hash,
            "published_at": record.published_at.isoformat(),
        },
        "log": {
            "origin": found.origin,
            "public_key": found.public_key,
            "public_key_url": found.key_url,
            "checkpoint_url": site_url(reverse("public:checkpoint")),
        },
        "complete": record.complete,
        "events": events,
    }
