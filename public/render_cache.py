"""What is rendered for readers, and cached: one version's text, its reviewers, whole pages.

A published version is immutable, so anything rendered from it never goes stale: it is cached
under the version it renders (id, number and content hash, so a key can never name other
text). Only the article's pointer to its published version moves (``public.pointers``). A
whole article page is cached together with the pointer it was rendered for and only served
while that pointer is still the current one; each process also keeps recently served pages in
its own memory (``public.local_pages``) under the same rule, so a warm request moves only the
pointer out of Redis: one round trip of a few hundred bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from articles.markdown import Citations, render_markdown, text_of
from articles.models import (
    ArticleVersion,
    Audience,
    EvidenceLevel,
    Origin,
    Reference,
    ReferenceKind,
    Section,
)
from articles.references import ReferenceFact
from reviews.models import Decision, Review

from .audience import pick_audience
from .local_pages import LocalPages

# Bump when the shape of a cached entry or the body template changes.
CACHE_SCHEMA = 2
# Entries describe immutable text; the timeout only returns memory for versions nobody reads.
CACHE_TIMEOUT = 7 * 24 * 3600
# Whole pages are checked against the current pointer before use; the timeout lets a deploy's
# template changes through.
PAGE_TIMEOUT = 600


@dataclass(frozen=True)
class VersionRef:
    """Enough to name one version's text in a cache key."""

    id: int
    number: int
    content_hash: str
    published_at: datetime.datetime | None

    @property
    def key(self) -> str:
        return f"{self.id}:{self.number}:{self.content_hash[:16]}"


# --- one version, rendered (cached) -------------------------------------------------------------


@dataclass(frozen=True)
class RenderedVersion:
    """Everything about one version's text a page needs, with the body already rendered."""

    id: int
    number: int
    title: str
    summary_text: str
    change_summary: str
    is_correction: bool
    correction_notice: str
    origin: str
    generator: str
    audiences: tuple[str, ...]
    audience: str
    body_html: str
    references: tuple[ReferenceFact, ...]

    @property
    def is_machine_drafted(self) -> bool:
        return self.origin == Origin.MACHINE

    @property
    def audience_label(self) -> str:
        return Audience(self.audience).label

    @property
    def single_audience(self) -> bool:
        return len(self.audiences) == 1


@dataclass(frozen=True)
class ReviewerFact:
    member_id: int
    name: str
    credentials: str
    signed_at: datetime.datetime

    @property
    def profile_path(self) -> str:
        return reverse("public:board-member", args=[self.member_id])


def version_key(ref: VersionRef, audience: str) -> str:
    return f"public:{CACHE_SCHEMA}:version:{ref.key}:{audience}"


def reviewers_key(ref: VersionRef) -> str:
    return f"public:{CACHE_SCHEMA}:reviewers:{ref.key}"


def _kind_order() -> dict[str, int]:
    return {kind: index for index, kind in enumerate(ReferenceKind.values)}


def render_version(ref: VersionRef, requested: str) -> RenderedVersion:
    """Build one version's page body for an audience (three queries, whatever its size)."""
    version = ArticleVersion.objects.filter(pk=ref.id).values(
        "id", "number", "title", "summary", "change_summary", "is_correction", "correction_notice",
        "origin", "generator",
    ).get()  # fmt: skip
    sections = list(
        Section.objects.filter(version_id=ref.id)
        .order_by("audience", "position")
        .values("audience", "position", "heading", "body")
    )
    references = list(Reference.objects.filter(version_id=ref.id).order_by("number").values())
    available = [a for a in Audience.values if any(s["audience"] == a for s in sections)]
    audience = pick_audience(requested, available)

    citations = Citations()
    summary_html = render_markdown(version["summary"], citations=citations)
    shown_sections = [
        {
            "anchor": f"section-{s['position']}",
            "heading": s["heading"],
            "html": render_markdown(s["body"], citations=citations),
        }
        for s in sections
        if s["audience"] == audience
    ]
    facts = [
        ReferenceFact(
            number=r["number"],
            kind=r["kind"],
            kind_label=ReferenceKind(r["kind"]).label if r["kind"] in ReferenceKind.values else r["kind"],
            title=r["title"],
            authors=r["authors"],
            source=r["source"],
            year=r["year"],
            doi=r["doi"],
            pmid=r["pmid"],
            url=r["url"],
            evidence_label=_evidence_label(r["evidence_level"]),
            backlinks=tuple(citations.anchors.get(r["number"], ())),
        )
        for r in references
    ]
    order = _kind_order()
    groups: dict[str, list[ReferenceFact]] = {}
    for fact in sorted(facts, key=lambda f: (order.get(f.kind, len(order)), f.number)):
        groups.setdefault(fact.kind_label, []).append(fact)
    body_html = render_to_string(
        "public/_version_body.html",
        {"summary_html": summary_html, "sections": shown_sections, "reference_groups": list(groups.items())},
    )
    return RenderedVersion(
        id=version["id"],
        number=version["number"],
        title=version["title"],
        summary_text=text_of(version["summary"]),
        change_summary=version["change_summary"],
        is_correction=version["is_correction"],
        correction_notice=version["correction_notice"],
        origin=version["origin"],
        generator=version["generator"],
        audiences=tuple(available),
        audience=audience,
        body_html=body_html,
        references=tuple(facts),
    )


def _evidence_label(level: str) -> str:
    return EvidenceLevel(level).label if level in EvidenceLevel.values else ""


def approving_reviewers(ref: VersionRef) -> tuple[ReviewerFact, ...]:
    """The board members whose signed approvals this version was published on."""
    if ref.published_at is None:
        return ()
    rows = (
        Review.objects.filter(version_id=ref.id, decision=Decision.APPROVE, signed_at__lte=ref.published_at)
        .order_by("signed_at", "pk")
        .values("reviewer_id", "signer_name", "signer_credentials", "signed_at")
    )
    return tuple(
        ReviewerFact(r["reviewer_id"], r["signer_name"], r["signer_credentials"], r["signed_at"])
        for r in rows
    )


def load_rendered(versions: list[tuple[VersionRef, str]], reviewers_of: VersionRef | None) -> dict[str, Any]:
    """Rendered versions and reviewers from the cache in one round trip, building what is missing."""
    wanted = {version_key(ref, audience): (ref, audience) for ref, audience in versions}
    wanted_reviewers = reviewers_key(reviewers_of) if reviewers_of else None
    found = cache.get_many([*wanted, *([wanted_reviewers] if wanted_reviewers else [])])
    missing: dict[str, Any] = {}
    for key, (ref, audience) in wanted.items():
        if key not in found:
            missing[key] = found[key] = render_version(ref, audience)
    if wanted_reviewers and wanted_reviewers not in found:
        missing[wanted_reviewers] = found[wanted_reviewers] = approving_reviewers(reviewers_of)
    if missing:
        cache.set_many(missing, CACHE_TIMEOUT)
    return found


# --- whole article pages ------------------------------------------------------------------------

# Recently served article pages, in this process (see the module docstring).
local_pages = LocalPages(int(settings.VETTED["PUBLIC_PAGE_MEMORY_MB"] * 2**20))


def page_key(slug: str, requested: str | None, reader: str | None) -> str:
    """Where the current article page for this reader is cached (``reader`` from ``known_reader``)."""
    return f"public:{CACHE_SCHEMA}:page:{slug}:{requested or '-'}:{reader or '-'}"


def page_cache_keys(key: str) -> tuple[str, ...]:
    """What to fetch from the shared cache along with the pointer for the page at ``key``, so
    that a request makes one round trip: the page itself unless this process holds a copy
    (then checking the pointer is enough, and with a pointer lease not even that)."""
    return () if local_pages.holds(key) else (key,)


def page_body(key: str, cached: dict[str, Any], *, stamp: Hashable, render: Callable[[], str]) -> bytes:
    """The page at ``key`` as rendered for exactly ``stamp`` (the article's current pointer):
    from this process's memory, else the shared cache, else rendered now and kept in both.
    ``cached`` holds what ``pointers.lookup_article`` fetched for ``page_cache_keys(key)``."""
    body = local_pages.get(key, stamp)
    if body is not None:
        return body
    # Not fetched with the pointer when this process held an older rendering: fetch it now.
    entry = cached[key] if key in cached else cache.get(key)
    if entry is not None and entry[0] == stamp:
        body = entry[1]
    else:
        body = render().encode()
        cache.set(key, (stamp, body), PAGE_TIMEOUT)
    local_pages.put(key, stamp, body)
    return body
