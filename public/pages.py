"""What one reader's page holds: the article page (current or an earlier version), its
history, and the version a reader's feedback is about. Readers only ever see approved,
published text: every page here is built from the article's pointer (``public.pointers``) and
from rendered versions (``public.render_cache``), never from a draft."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.urls import reverse

from articles.models import ArticleVersion

from .audience import DEFAULT_AUDIENCE, pick_audience
from .pointers import ArticleRef, historic_version
from .render_cache import RenderedVersion, ReviewerFact, VersionRef, load_rendered, reviewers_key, version_key

SITE_NAME = "Vetted"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    current: bool


# The tracker Submitted → Under review → Approved. Readers only ever see approved text, so every
# page they read, current or earlier, has come all the way to Approved.
REVIEW_STEPS: tuple[Step, ...] = (
    Step("submitted", "Submitted", current=False),
    Step("under_review", "Under review", current=False),
    Step("approved", "Approved", current=True),
)


@dataclass(frozen=True)
class ArticlePage:
    article: ArticleRef
    shown: RenderedVersion
    published: RenderedVersion  # what metadata (JSON-LD, Open Graph) describes: always reviewed text
    reviewers: tuple[ReviewerFact, ...]  # of ``shown``
    requested_audience: str | None
    historic: VersionRef | None = None
    steps: ClassVar[tuple[Step, ...]] = REVIEW_STEPS

    @property
    def audience_unavailable(self) -> bool:
        """The reader asked for an audience version this article does not have."""
        return self.requested_audience is not None and self.requested_audience != self.shown.audience

    @property
    def reviewer_names(self) -> str:
        return join_names([r.name for r in self.reviewers])


def article_page(article: ArticleRef, requested: str | None) -> ArticlePage:
    """The current article page: the published version, never a newer one under review."""
    audience = requested or DEFAULT_AUDIENCE
    found = load_rendered([(article.published, audience)], reviewers_of=article.published)
    published = found[version_key(article.published, audience)]
    return ArticlePage(
        article=article,
        shown=published,
        published=published,
        reviewers=found[reviewers_key(article.published)],
        requested_audience=requested,
    )


def historic_page(article: ArticleRef, ref: VersionRef, requested: str | None) -> ArticlePage:
    """An earlier published version, as it was published (its own reviewers)."""
    audience = requested or DEFAULT_AUDIENCE
    found = load_rendered([(ref, audience), (article.published, audience)], reviewers_of=ref)
    return ArticlePage(
        article=article,
        shown=found[version_key(ref, audience)],
        published=found[version_key(article.published, audience)],
        reviewers=found[reviewers_key(ref)],
        requested_audience=requested,
        historic=ref,
    )


def published_reviewers(page: ArticlePage) -> tuple[ReviewerFact, ...]:
    """The reviewers of the published version, whatever version the page shows."""
    if page.historic is None:
        return page.reviewers
    key = reviewers_key(page.article.published)
    return load_rendered([], reviewers_of=page.article.published)[key]


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def site_url(path: str = "/") -> str:
    """An absolute URL on the configured public host (never the request's Host header)."""
    return settings.SITE_URL.rstrip("/") + path


def canonical_path(article: ArticleRef, page: ArticlePage) -> str:
    """The clean article URL for its default audience, ``?audience=`` for the other one."""
    path = reverse("public:article", args=[article.slug])
    default = pick_audience(None, list(page.published.audiences))
    return path if page.published.audience == default else f"{path}?audience={page.published.audience}"


# --- the history page and feedback -----------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    number: int
    published_at: datetime.datetime
    superseded_at: datetime.datetime | None
    change_summary: str
    is_correction: bool
    correction_notice: str
    is_current: bool


def published_history(article: ArticleRef) -> list[HistoryEntry]:
    """Every version readers were ever shown, newest first; never drafts or review material."""
    rows = (
        ArticleVersion.objects.filter(article_id=article.id, published_at__isnull=False)
        .order_by("-number")
        .values("id", "number", "published_at", "superseded_at", "change_summary", "is_correction",
                "correction_notice")
    )  # fmt: skip
    return [
        HistoryEntry(
            number=r["number"],
            published_at=r["published_at"],
            superseded_at=r["superseded_at"],
            change_summary=r["change_summary"],
            is_correction=r["is_correction"],
            correction_notice=r["correction_notice"],
            is_current=r["id"] == article.published.id,
        )
        for r in rows
    ]


def readable_version_id(article: ArticleRef, number: int | None) -> int:
    """The version a reader's feedback is about: one they could have read, else the published one."""
    if number is not None:
        historic = historic_version(article, number)
        if historic is not None:
            return historic.id
    return article.published.id
