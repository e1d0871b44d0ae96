"""Writing articles: creating them and saving the working draft.

Only the working draft (the unfrozen latest version) is ever written here.
Opening a new working draft after submission is a workflow step
(``reviews.workflow.open_working_draft``) because it may change the article's state.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

import core.audit_actions as audit_actions
from audit.trail import RequestInfo, record
from core.actor import Actor, Person, signed_in
from core.errors import ContentInvalid, FrozenVersionError, NotPermitted, StaleEditError

from .access import can_create_articles, can_edit_draft
from .content import compute_content_hash, reading_grade
from .models import Article, ArticleState, ArticleVersion, Audience, Origin, Reference, Section, Specialty


@dataclass
class SectionInput:
    audience: str
    heading: str
    body: str


@dataclass
class ReferenceInput:
    number: int
    kind: str
    title: str
    source: str
    year: int
    authors: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    accessed_on: datetime.date | None = None
    evidence_level: str = ""


@dataclass
class DraftContent:
    title: str
    summary: str = ""
    sections: list[SectionInput] = field(default_factory=list)
    references: list[ReferenceInput] = field(default_factory=list)
    change_summary: str = ""
    is_correction: bool = False
    correction_notice: str = ""

    @classmethod
    def from_version(cls, version: ArticleVersion) -> DraftContent:
        return cls(
            title=version.title,
            summary=version.summary,
            sections=[SectionInput(s.audience, s.heading, s.body) for s in version.sections.all()],
            references=[
                ReferenceInput(
                    number=r.number,
                    kind=r.kind,
                    title=r.title,
                    source=r.source,
                    year=r.year,
                    authors=r.authors,
                    doi=r.doi,
                    pmid=r.pmid,
                    url=r.url,
                    accessed_on=r.accessed_on,
                    evidence_level=r.evidence_level,
                )
                for r in version.references.all()
            ],
            change_summary=version.change_summary,
            is_correction=version.is_correction,
            correction_notice=version.correction_notice,
        )


# Literal path segments that sit where an article's slug goes in a URL: the desk's
# /desk/articles/new/ and the API's /api/v1/articles/batch/. An article with one of these slugs
# could never be reached at its own address there. tests/articles/test_slugs.py walks the URLconf
# and fails when a route adds such a segment that is not listed here.
RESERVED_SLUGS = frozenset({"new", "batch"})
# Creating with an automatic slug retries this often when another create takes the same slug first.
SLUG_ATTEMPTS = 5


def is_reserved_slug(slug: str) -> bool:
    return slug.casefold() in RESERVED_SLUGS


def check_slug(slug: str) -> str:
    """A slug someone chose, or ``ContentInvalid`` if it would collide with a route."""
    if is_reserved_slug(slug):
        reserved = ", ".join(sorted(RESERVED_SLUGS))
        message = f"The slug {slug!r} is reserved: it is part of the site's addresses ({reserved})."
        raise ContentInvalid(message + " Choose another.", fields={"slug": [message]})
    return slug


def unique_slug(title: str) -> str:
    """The first free slug made from the title: ``title``, ``title-2``, … skipping reserved words.

    Free when asked: another create may take it before ours is inserted (``create_article``
    retries then).
    """
    base = slugify(title)[:100] or "article"
    slug, n = base, 2
    while is_reserved_slug(slug) or Article.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _insert_article(*, slug: str | None, title: str, **fields: Any) -> Article:
    """Insert the article row; with no chosen slug, one made from the title that is free at insert.

    A chosen slug that is taken fails with the ``IntegrityError`` (the callers answer 409). An
    automatic one is tried in a savepoint: if a concurrent create committed the same slug between
    our check and our insert, the next free one is taken instead of failing the create.
    """
    if slug:
        return Article.objects.create(slug=check_slug(slug), title=title, **fields)
    for _ in range(SLUG_ATTEMPTS - 1):
        candidate = unique_slug(title)
        try:
            with transaction.atomic():
                return Article.objects.create(slug=candidate, title=title, **fields)
        except IntegrityError:
            if not Article.objects.filter(slug=candidate).exists():
                raise  # another constraint failed: not ours to hide
    # Beaten to the slug that many times in a row is no longer a race: the last try fails as it fails.
    return Article.objects.create(slug=unique_slug(title), title=title, **fields)


def _build_parts(version: ArticleVersion, content: DraftContent) -> tuple[list[Section], list[Reference]]:
    """Validate the content into unsaved rows; every problem is reported at once, by field."""
    errors: dict[str, list[str]] = {}
    if not content.title.strip():
        errors.setdefault("title", []).append("A title is required.")
    sections: list[Section] = []
    positions: dict[str, int] = {}
    for index, item in enumerate(content.sections):
        if item.audience not in Audience.values:
            errors.setdefault(f"sections[{index}].audience", []).append(
                f"Unknown audience {item.audience!r}; use one of: {', '.join(Audience.values)}."
            )
            continue
        positions[item.audience] = positions.get(item.audience, 0) + 1
        sections.append(
            Section(
                version=version,
                audience=item.audience,
                position=positions[item.audience],
                heading=item.heading.strip(),
                body=item.body,
                reading_grade=reading_grade(item.body),
            )
        )
    references: list[Reference] = []
    seen: set[int] = set()
    for index, cited in enumerate(content.references):
        reference = Reference(
            version=version,
            number=cited.number,
            kind=cited.kind,
            authors=cited.authors.strip(),
            title=cited.title.strip(),
            source=cited.source.strip(),
            year=cited.year,
            doi=(cited.doi or "").strip(),
            pmid=(cited.pmid or "").strip(),
            url=(cited.url or "").strip(),
            accessed_on=cited.accessed_on,
            evidence_level=cited.evidence_level or "",
        )
        try:
            reference.full_clean(exclude=["version"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"references[{index}].{name}", []).extend(messages)
        if cited.number in seen:
            errors.setdefault(f"references[{index}].number", []).append(
                f"Reference number {cited.number} is used twice."
            )
        seen.add(cited.number)
        references.append(reference)
    if errors:
        summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
        raise ContentInvalid(f"The draft was not saved: {summary}", fields=errors)
    return sections, references


def _write_parts(version: ArticleVersion, content: DraftContent) -> None:
    sections, references = _build_parts(version, content)
    version.sections.all().delete()
    version.references.all().delete()
    Section.objects.bulk_create(sections)
    Reference.objects.bulk_create(references)


def create_article(
    *,
    owner: Person,
    specialty: Specialty,
    content: DraftContent,
    origin: str = Origin.HUMAN,
    generator: str = "",
    slug: str | None = None,
    request_info: RequestInfo | None = None,
) -> Article:
    """A new article whose version 1 is the working draft."""
    # Someone not signed in holds no permission: refused here, and from here on a User.
    if not owner.is_authenticated or not can_create_articles(owner):
        raise NotPermitted("Only editors (and integration clients) can create articles.")
    if origin == Origin.MACHINE and not generator.strip():
        raise ContentInvalid(
            "A machine-drafted article must name its generator (pipeline or model and version).",
            fields={"generator": ["Required when origin is machine."]},
        )
    with transaction.atomic():
        article = _insert_article(
            slug=slug,
            title=content.title.strip(),
            specialty=specialty,
            owner=owner,
            state=ArticleState.DRAFT,
        )
        version = ArticleVersion.objects.create(
            article=article,
            number=1,
            title=content.title.strip(),
            summary=content.summary,
            change_summary=content.change_summary,
            is_correction=content.is_correction,
            correction_notice=content.correction_notice,
            origin=origin,
            generator=generator.strip(),
            specialty=specialty,
            author=owner,
            last_edited_by=owner,
        )
        _write_parts(version, content)
        ArticleVersion.objects.filter(pk=version.pk).update(content_hash=compute_content_hash(version))
        record(
            audit_actions.ARTICLE_CREATED,
            actor=owner,
            target=article,
            article=article,
            state_after=article.state,
            payload={"version": 1, "origin": origin, "generator": generator, "specialty": specialty.slug},
            request_info=request_info,
        )
    return article


def save_draft(
    article: Article,
    content: DraftContent,
    *,
    expected_revision: int,
    actor: Actor,
    specialty: Specialty | None = None,
    request_info: RequestInfo | None = None,
) -> ArticleVersion:
    """Replace the working draft's content, unless someone saved in between.

    ``expected_revision`` is the revision the editor started from; if the draft
    has moved on, nothing is written and ``StaleEditError`` says who saved it.
    """
    with transaction.atomic():
        # OF the article row only: the specialty is joined to be read, not locked.
        article = (
            Article.objects.select_for_update(of=("self",)).select_related("specialty").get(pk=article.pk)
        )
        if not can_edit_draft(actor, article):
            raise NotPermitted("Only the article's editor or a managing editor can edit its draft.")
        version = article.working_draft()
        if version is None:
            raise FrozenVersionError(
                "There is no working draft: the latest version has been submitted and is frozen. "
                "Start a new version to edit it."
            )
        refuse_stale(version, expected_revision)
        before = _summary_of(version)
        _write_parts(version, content)
        version.title = content.title.strip()
        version.summary = content.summary
        version.change_summary = content.change_summary
        version.is_correction = content.is_correction
        version.correction_notice = content.correction_notice
        version.last_edited_by = signed_in(actor)  # an editing role: always signed in
        version.updated_at = timezone.now()
        version.revision += 1
        version.content_hash = compute_content_hash(version)
        changed_article_fields = ["title"]
        if specialty is not None and specialty.pk != version.specialty_id:
            # Filed with this version: readers keep seeing the published version's specialty
            # until this one is reviewed and published.
            version.specialty = specialty
        if version.specialty_id != article.specialty_id:
            article.specialty_id = version.specialty_id
            changed_article_fields.append("specialty")
        version.save()
        article.title = version.title if article.published_version_id is None else article.title
        article.save(update_fields=[*changed_article_fields, "updated_at"])
        after = _summary_of(version)
        record(
            audit_actions.DRAFT_SAVED,
            actor=actor,
            target=version,
            article=article,
            state_before=article.state,
            state_after=article.state,
            payload={
                "version": version.number,
                "revision": version.revision,
                "changed": sorted(k for k in after if after[k] != before[k]),
                "specialty": specialty.slug if specialty is not None else article.specialty.slug,
            },
            request_info=request_info,
        )
    return version


def refuse_stale(version: ArticleVersion, expected_revision: int) -> None:
    """Raise ``StaleEditError`` if the draft was saved since the editor opened ``expected_revision``."""
    if version.revision != expected_revision:
        # Only a refusal names the editor: read by id, the draft is loaded without its editor.
        editor_id = version.last_edited_by_id
        editor = get_user_model().objects.filter(pk=editor_id).first() if editor_id is not None else None
        who = editor.get_username() if editor else "someone"
        raise StaleEditError(
            f"Someone else saved this draft since you opened it ({who}, at "
            f"{timezone.localtime(version.updated_at):%Y-%m-%d %H:%M}). Your changes were not saved; "
            f"reload to see theirs (revision {version.revision}, you had {expected_revision}).",
            fields={"revision": [str(version.revision)]},
        )


def _summary_of(version: ArticleVersion) -> dict[str, Any]:
    return {
        "title": version.title,
        "summary": version.summary,
        "change_summary": version.change_summary,
        "correction": [version.is_correction, version.correction_notice],
        "sections": [(s.audience, s.heading, s.body) for s in version.sections.all()],
        "references": [
            (r.number, r.kind, r.title, r.source, r.year, r.doi, r.pmid) for r in version.references.all()
        ],
    }
