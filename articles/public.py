"""What readers see: the read side of the public site.

Readers only ever see versions the board approved and that were published
(``Article.published_version``); a newer version under review stays out of
every reader's page, answer and feed until it is published in turn.

Why it is fast and never stale. A published version is immutable, so anything
rendered from it never goes stale: it is cached under the version it renders
(id, number and content hash, so a key can never name other text). Only the
article's pointer to its published version moves, and that pointer (one small
row: state, version, dates) is cached per slug and refreshed on every save of
the article, which every publish and archive is. A whole article page is cached
together with the pointer it was rendered for and only served while that pointer
is still the current one; each process also keeps recently served pages in its
own memory (``articles.local_pages``) under the same rule, so a warm request
moves only the pointer out of Redis: one round trip of a few hundred bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from reviews.models import BoardMember, ConflictKind, ConflictOfInterest, Decision, Review

from . import pointer_memory
from .local_pages import LocalPages
from .markdown import Citations, render_markdown, text_of
from .models import Article, ArticleState, ArticleVersion, Audience, Origin, Reference, ReferenceKind, Section

# Bump when the shape of a cached entry or the body template changes.
CACHE_SCHEMA = 1
# Entries describe immutable text; the timeout only returns memory for versions nobody reads.
CACHE_TIMEOUT = 7 * 24 * 3600
# Pointers are refreshed on every save of the article; the timeout only bounds the effect of a
# change made behind the model's back (a queryset update, raw SQL).
POINTER_TIMEOUT = 300
# Whole pages are checked against the current pointer before use; the timeout lets a deploy's
# template changes through.
PAGE_TIMEOUT = 600

SITE_NAME = "Vetted"
DEFAULT_AUDIENCE = Audience.PATIENT
READER_COOKIE = "vetted_reader"


# --- who the reader is -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReaderChoice:
    value: str
    label: str
    audience: str
    hint: str = ""


READER_CHOICES: tuple[ReaderChoice, ...] = (
    ReaderChoice("patient", "Patient or caregiver", Audience.PATIENT),
    ReaderChoice("professional", "Healthcare professional", Audience.PROFESSIONAL),
    ReaderChoice(
        "student",
        "Student",
        Audience.PROFESSIONAL,
        hint="Students see the version written for healthcare professionals.",
    ),
)
_READERS = {choice.value: choice for choice in READER_CHOICES}


def known_reader(value: str | None) -> str | None:
    """The remembered reader choice if it is one we offer (the cookie is client input)."""
    return value if value in _READERS else None


def audience_for_reader(reader: str | None) -> str | None:
    """The audience version for what the reader said describes them (students read the professional one)."""
    choice = _READERS.get(reader or "")
    return choice.audience if choice else None


# Read on every article request; ``Audience.values`` builds a new list each time.
_AUDIENCES = frozenset(Audience.values)


def requested_audience(query_value: str | None, reader_cookie: str | None) -> str | None:
    """``?audience=`` (a shareable link) wins over the remembered choice; neither means no preference."""
    if query_value in _AUDIENCES:
        return query_value
    return audience_for_reader(reader_cookie)


def checked_reader(shown_audience: str, reader_cookie: str | None) -> str:
    """Which radio button to show checked: the remembered choice if it leads to what is shown."""
    if audience_for_reader(reader_cookie) == shown_audience:
        return reader_cookie or ""
    return next(c.value for c in READER_CHOICES if c.audience == shown_audience)


def pick_audience(requested: str | None, available: list[str]) -> str:
    if requested in available:
        return requested
    if DEFAULT_AUDIENCE in available:
        return DEFAULT_AUDIENCE
    return available[0] if available else DEFAULT_AUDIENCE


# --- the pointer: slug → published version, state and dates --------------------------------


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


@dataclass(frozen=True)
class ArticleRef:
    id: int
    slug: str
    title: str
    state: str
    specialty_name: str
    specialty_slug: str
    published: VersionRef
    first_published_at: datetime.datetime | None
    last_updated_at: datetime.datetime | None
    last_reviewed_at: datetime.datetime | None
    next_review_due: datetime.date | None


_POINTER_FIELDS = (
    "id",
    "slug",
    "title",
    "state",
    # Readers see the specialty the published version was reviewed under, not the draft's.
    "published_version__specialty__name",
    "published_version__specialty__slug",
    "published_version_id",
    "published_version__number",
    "published_version__content_hash",
    "published_version__published_at",
    "first_published_at",
    "last_updated_at",
    "last_reviewed_at",
    "next_review_due",
)


def public_articles() -> QuerySet[Article]:
    """Articles readers may see: published at least once and not archived."""
    return Article.objects.filter(published_version__isnull=False).exclude(state=ArticleState.ARCHIVED)


def _pointer_key(slug: str) -> str:
    return f"public:{CACHE_SCHEMA}:pointer:{slug}"


def _pointer_of(row: dict[str, Any]) -> ArticleRef:
    return ArticleRef(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        state=row["state"],
        specialty_name=row["published_version__specialty__name"],
        specialty_slug=row["published_version__specialty__slug"],
        published=VersionRef(
            row["published_version_id"],
            row["published_version__number"],
            row["published_version__content_hash"],
            row["published_version__published_at"],
        ),
        first_published_at=row["first_published_at"],
        last_updated_at=row["last_updated_at"],
        last_reviewed_at=row["last_reviewed_at"],
        next_review_due=row["next_review_due"],
    )


def _read_pointer(slug: str) -> ArticleRef | None:
    found = _read_pointers([slug])
    return found[0] if found else None


def _read_pointers(slugs: list[str]) -> list[ArticleRef]:
    """The pointers of those of ``slugs`` readers may see (one query)."""
    rows = public_articles().filter(slug__in=slugs).order_by().values(*_POINTER_FIELDS)
    return [_pointer_of(row) for row in rows]


def lookup_article(slug: str, *also: str) -> tuple[ArticleRef | None, dict[str, Any]]:
    """The article at ``slug`` if readers may see it (else ``None``), plus the cache entries
    named in ``also`` (``None`` where missing), fetched in the same round trip. No round trip
    at all when this process remembers the pointer and nothing else is asked for
    (``articles.pointer_memory``), no query when the pointer is cached."""
    if len(slug) > Article._meta.get_field("slug").max_length:
        return None, {}
    key = _pointer_key(slug)
    memory = pointer_memory.active_memory()
    token = None
    if memory is not None:
        # Only pointers are remembered: anything else asked for needs the round trip anyway.
        known = None if also else memory.recall([key])
        if known is not None:
            return known[key], {}
        token = memory.begin_read()
    found = cache.get_many([key, *also])
    article = found.pop(key, None)
    found = {name: found.get(name) for name in also}
    if article is None:
        article = _read_pointer(slug)
        if article is not None:
            # add, not set: if a publish refreshed the entry meanwhile, its value wins.
            cache.add(key, article, POINTER_TIMEOUT)
    if memory is not None and article is not None:
        memory.remember(token, {key: article})
    return article, found


def resolve_article(slug: str) -> ArticleRef | None:
    return lookup_article(slug)[0]


def forget_articles(slugs: Iterable[str]) -> None:
    """Called whenever article rows are saved (publish, archive, any transition, an admin edit).

    The entries are dropped at once, and written again from the database once the
    transaction commits, so that a reader who read the old row just before the
    commit cannot leave it in the cache (``lookup_article`` only ever adds). Then
    every process that may remember the old pointers is told to forget them, and
    this returns only once none can still serve them.
    """
    keys = {slug: _pointer_key(slug) for slug in slugs}
    if not keys:
        return
    cache.delete_many(list(keys.values()))

    def refresh() -> None:
        fresh = {_pointer_key(article.slug): article for article in _read_pointers(list(keys))}
        gone = [key for key in keys.values() if key not in fresh]
        if gone:
            cache.delete_many(gone)
        if fresh:
            cache.set_many(fresh, POINTER_TIMEOUT)
        pointer_memory.announce(list(keys.values()))

    transaction.on_commit(refresh)


def forget_article(slug: str) -> None:
    forget_articles([slug])


def forget_article_on_save(sender, instance: Article, **kwargs) -> None:
    forget_article(instance.slug)


def forget_specialty_on_save(sender, instance, **kwargs) -> None:
    # Article pages name their published version's specialty.
    forget_articles(
        Article.objects.filter(published_version__specialty_id=instance.pk).values_list("slug", flat=True)
    )


def historic_version(article: ArticleRef, number: int) -> VersionRef | None:
    """A version of the article that was published at some time (current or superseded)."""
    row = (
        ArticleVersion.objects.filter(article_id=article.id, number=number, published_at__isnull=False)
        .values("id", "number", "content_hash", "published_at")
        .first()
    )
    return VersionRef(**row) if row else None


# --- one version, rendered (cached) -------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceFact:
    number: int
    kind: str
    kind_label: str
    title: str
    authors: str
    source: str
    year: int
    doi: str
    pmid: str
    url: str
    evidence_label: str
    backlinks: tuple[str, ...] = ()

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def web_url(self) -> str:
        # Validated on input already; checked again because an href is where a script would hide.
        return self.url if self.url.lower().startswith(("https://", "http://")) else ""

    @property
    def links(self) -> list[str]:
        return [u for u in (self.doi_url, self.pubmed_url, self.web_url) if u]


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


def _version_key(ref: VersionRef, audience: str) -> str:
    return f"public:{CACHE_SCHEMA}:version:{ref.key}:{audience}"


def _reviewers_key(ref: VersionRef) -> str:
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
        "articles/_version_body.html",
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
    from .models import EvidenceLevel

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


def _load(versions: list[tuple[VersionRef, str]], reviewers_of: VersionRef | None) -> dict[str, Any]:
    """Rendered versions and reviewers from the cache in one round trip, building what is missing."""
    wanted = {_version_key(ref, audience): (ref, audience) for ref, audience in versions}
    reviewers_key = _reviewers_key(reviewers_of) if reviewers_of else None
    found = cache.get_many([*wanted, *([reviewers_key] if reviewers_key else [])])
    missing: dict[str, Any] = {}
    for key, (ref, audience) in wanted.items():
        if key not in found:
            missing[key] = found[key] = render_version(ref, audience)
    if reviewers_key and reviewers_key not in found:
        missing[reviewers_key] = found[reviewers_key] = approving_reviewers(reviewers_of)
    if missing:
        cache.set_many(missing, CACHE_TIMEOUT)
    return found


# --- the article page -----------------------------------------------------------------------------


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
    found = _load([(article.published, audience)], reviewers_of=article.published)
    published = found[_version_key(article.published, audience)]
    return ArticlePage(
        article=article,
        shown=published,
        published=published,
        reviewers=found[_reviewers_key(article.published)],
        requested_audience=requested,
    )


def historic_page(article: ArticleRef, ref: VersionRef, requested: str | None) -> ArticlePage:
    """An earlier published version, as it was published (its own reviewers)."""
    audience = requested or DEFAULT_AUDIENCE
    found = _load([(ref, audience), (article.published, audience)], reviewers_of=ref)
    return ArticlePage(
        article=article,
        shown=found[_version_key(ref, audience)],
        published=found[_version_key(article.published, audience)],
        reviewers=found[_reviewers_key(ref)],
        requested_audience=requested,
        historic=ref,
    )


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


def page_body(key: str, cached: dict[str, Any], *, stamp: ArticleRef, render: Callable[[], str]) -> bytes:
    """The page at ``key`` as rendered for exactly ``stamp`` (the article's current pointer):
    from this process's memory, else the shared cache, else rendered now and kept in both.
    ``cached`` holds what ``lookup_article`` fetched for ``page_cache_keys(key)``."""
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


# --- machine-readable review facts ----------------------------------------------------------------

_SCHEMA_AUDIENCE = {
    Audience.PATIENT: {"@type": "MedicalAudience", "audienceType": "Patient", "name": Audience.PATIENT.label},
    Audience.PROFESSIONAL: {
        "@type": "MedicalAudience",
        "audienceType": "Clinician",
        "name": Audience.PROFESSIONAL.label,
    },
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _person(reviewer: ReviewerFact) -> dict[str, Any]:
    credentials = [c.strip() for c in reviewer.credentials.split(",") if c.strip()]
    return {
        "@type": "Person",
        "name": reviewer.name,
        "honorificSuffix": reviewer.credentials,
        "hasCredential": [{"@type": "EducationalOccupationalCredential", "name": c} for c in credentials],
        "url": site_url(reviewer.profile_path),
    }


def _citation(reference: ReferenceFact) -> dict[str, Any]:
    item: dict[str, Any] = {
        "@type": "CreativeWork",
        "name": reference.title,
        "datePublished": str(reference.year),
    }
    if reference.authors:
        item["author"] = reference.authors
    if reference.source:
        item["publisher"] = reference.source
    links = reference.links
    if links:
        item["url"] = links[0]
    if len(links) > 1:
        item["sameAs"] = links[1:]
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name, "value": value}
        for name, value in (("DOI", reference.doi), ("PMID", reference.pmid))
        if value
    ]
    if identifiers:
        item["identifier"] = identifiers
    return item


def review_facts(page: ArticlePage, reviewers: tuple[ReviewerFact, ...]) -> dict[str, Any]:
    """schema.org ``MedicalWebPage`` for the reviewed (published) text, with the dates readers see.

    A newer version under review changes nothing here: every fact comes from the
    published version and the article's publication dates.
    """
    article, version = page.article, page.published
    url = site_url(canonical_path(article, page))
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": version.title,
        "headline": version.title,
        "description": version.summary_text,
        "inLanguage": "en",
        "datePublished": _iso(article.first_published_at),
        "dateModified": _iso(article.last_updated_at),
        "lastReviewed": _iso(article.last_reviewed_at),
        "reviewedBy": [_person(r) for r in reviewers],
        "audience": _SCHEMA_AUDIENCE[Audience(version.audience)],
        "about": {"@type": "MedicalSpecialty", "name": article.specialty_name},
        "specialty": {"@type": "MedicalSpecialty", "name": article.specialty_name},
        "citation": [_citation(r) for r in version.references],
        "publisher": {"@type": "Organization", "name": SITE_NAME, "url": site_url("/")},
    }


def published_reviewers(page: ArticlePage) -> tuple[ReviewerFact, ...]:
    """The reviewers of the published version, whatever version the page shows."""
    if page.historic is None:
        return page.reviewers
    key = _reviewers_key(page.article.published)
    return _load([], reviewers_of=page.article.published)[key]


# --- history, index, board ---------------------------------------------------------------------------


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


def _has_sections(audience: str) -> Exists:
    return Exists(Section.objects.filter(version_id=OuterRef("published_version_id"), audience=audience))


def index_articles() -> QuerySet[Article]:
    """Public articles for listing, newest change first, with what each row shows (constant queries)."""
    return (
        public_articles()
        .select_related("published_version__specialty")
        .annotate(
            has_patient=_has_sections(Audience.PATIENT),
            has_professional=_has_sections(Audience.PROFESSIONAL),
        )
        .order_by("-last_updated_at", "-pk")
    )


def filter_by_audience(queryset: QuerySet[Article], audience: str) -> QuerySet[Article]:
    return queryset.filter(_has_sections(audience))


def search_articles(queryset: QuerySet[Article], text: str) -> QuerySet[Article]:
    words = text.split()
    for word in words[:8]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(published_version__summary__icontains=word))
    return queryset


def board_members() -> QuerySet[BoardMember]:
    return BoardMember.objects.filter(is_active=True).prefetch_related("specialties").order_by("display_name")


def _approved_published() -> QuerySet[Review]:
    return Review.objects.filter(decision=Decision.APPROVE, version__published_at__isnull=False)


def board_member(member_id: int) -> BoardMember | None:
    """A member's public profile: current members, and past ones whose signatures readers can still see."""
    signed = _approved_published().filter(reviewer_id=OuterRef("pk"))
    return (
        BoardMember.objects.filter(pk=member_id)
        .filter(Q(is_active=True) | Q(Exists(signed)))
        .prefetch_related("specialties")
        .first()
    )


def articles_reviewed_by(member: BoardMember) -> QuerySet[Article]:
    """Public articles whose published version this member approved."""
    signed = _approved_published().filter(reviewer=member, version_id=OuterRef("published_version_id"))
    return public_articles().filter(Exists(signed)).order_by("title")


@dataclass(frozen=True)
class Disclosure:
    kind: str
    subject: str
    subject_path: str
    details: str
    declared_on: datetime.date
    ended_on: datetime.date | None


def disclosures(member: BoardMember) -> list[Disclosure]:
    """A member's declared conflicts, worded for readers: unpublished articles and staff stay unnamed."""
    rows = list(ConflictOfInterest.objects.filter(member=member).select_related("article", "author"))
    article_ids = [c.article_id for c in rows if c.article_id]
    public_ids = set(public_articles().filter(pk__in=article_ids).values_list("pk", flat=True))
    result = []
    for conflict in rows:
        subject, path = conflict.topic, ""
        if conflict.kind == ConflictKind.ARTICLE and conflict.article_id:
            if conflict.article_id in public_ids:
                subject = conflict.article.title
                path = reverse("public:article", args=[conflict.article.slug])
            else:
                subject = "An article not yet published"
        elif conflict.kind == ConflictKind.AUTHOR and conflict.author_id:
            subject = conflict.author.get_full_name() or "A member of our editorial staff"
        result.append(
            Disclosure(
                kind=conflict.get_kind_display(),
                subject=subject,
                subject_path=path,
                details=conflict.details,
                declared_on=conflict.declared_on,
                ended_on=conflict.ended_on,
            )
        )
    return result


def readable_version_id(article: ArticleRef, number: int | None) -> int:
    """The version a reader's feedback is about: one they could have read, else the published one."""
    if number is not None:
        historic = historic_version(article, number)
        if historic is not None:
            return historic.id
    return article.published.id
