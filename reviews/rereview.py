"""Re-review: flagging the articles whose cited evidence changed, and when a review gets old.

Flagging never touches what readers see: the published version stays until a
new version is approved and published, which resolves the article's flags. The
editor hears of a flag from its audit event (``article.rereview_flagged``), through
the notifications app; the periodic notices that a review is getting old are
notifications' own scan (``notifications.rereview_due``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

import core.audit_actions as audit_actions
from articles.models import Article, ArticleState, ArticleVersion, Reference
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import ContentInvalid, NotPermitted
from core.roles import MANAGE_ARTICLES

from .models import RereviewFlag

if TYPE_CHECKING:
    from .workflow import StepContext

DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def normalise_doi(doi: str) -> str:
    return DOI_PREFIX.sub("", (doi or "").strip()).lower()


def normalise_title(title: str) -> str:
    """Case, spacing and a trailing full stop do not make a different paper."""
    return " ".join((title or "").split()).rstrip(".").strip()


def citing_articles(
    *, doi: str = "", pmid: str = "", title: str = ""
) -> list[tuple[Article, ArticleVersion]]:
    """Articles readers can see whose published version cites the reference, with that version.

    DOI and PMID match exactly (a DOI case-insensitively, with or without its
    doi.org prefix); a title matches case-insensitively, ignoring spacing and a
    trailing full stop. Any one of the three matching is enough.
    """
    match = Q()
    if doi:
        match |= Q(doi__iexact=normalise_doi(doi))
    if pmid:
        match |= Q(pmid=pmid.strip())
    if title:
        wanted = normalise_title(title)
        # Narrow in SQL on the longest word, then compare exactly in Python.
        match |= Q(title__icontains=max(wanted.split(), key=len)) if wanted else Q()
    refs = (
        Reference.objects.filter(match)
        .filter(version__article__published_version=F("version"))
        .exclude(version__article__state=ArticleState.ARCHIVED)
        .select_related("version__article__owner")
    )
    found: dict[int, tuple[Article, ArticleVersion]] = {}
    for ref in refs:
        hit = (
            (doi and normalise_doi(ref.doi) == normalise_doi(doi))
            or (pmid and ref.pmid == pmid.strip())
            or (title and normalise_title(ref.title).casefold() == normalise_title(title).casefold())
        )
        if hit:
            found.setdefault(ref.version.article_id, (ref.version.article, ref.version))
    return list(found.values())


def flag_rereview_for_reference(
    *,
    doi: str | None = None,
    pmid: str | None = None,
    title: str | None = None,
    reason: str,
    by: Actor,
    request_info: RequestInfo | None = None,
) -> list[RereviewFlag]:
    """Flag every published article citing this reference for re-review, and tell its editor.

    An article that already has an open flag for the same reference is not
    flagged again. Returns the new flags.
    """
    doi, pmid, title, reason = (
        (doi or "").strip(),
        (pmid or "").strip(),
        (title or "").strip(),
        (reason or "").strip(),
    )
    manager = signed_in(by)
    if manager is None or not manager.has_perm(MANAGE_ARTICLES):
        raise NotPermitted("Only managing editors can flag articles for re-review.")
    if not (doi or pmid or title):
        raise ContentInvalid(
            "Say which reference changed: a DOI, a PMID or a title.",
            fields={"reference": ["Give a DOI, a PMID or a title."]},
        )
    if not reason:
        raise ContentInvalid("Say what changed, for the editors.", fields={"reason": ["Required."]})
    described = "; ".join(
        part
        for part in (
            f"DOI {normalise_doi(doi)}" if doi else "",
            f"PMID {pmid}" if pmid else "",
            f"“{title}”" if title else "",
        )
        if part
    )
    flags = []
    for article, version in citing_articles(doi=doi, pmid=pmid, title=title):
        with transaction.atomic():
            already = RereviewFlag.objects.filter(
                article=article, resolved_at__isnull=True, doi=normalise_doi(doi), pmid=pmid, title=title
            ).exists()
            if already:
                continue
            flag = RereviewFlag.objects.create(
                article=article,
                version=version,
                reason=reason,
                doi=normalise_doi(doi),
                pmid=pmid,
                title=title,
                flagged_by=manager,
            )
            # The editor is told by the notification listener, like every other event.
            record(
                audit_actions.ARTICLE_REREVIEW_FLAGGED,
                actor=manager,
                target=flag,
                article=article,
                state_before=article.state,
                state_after=article.state,
                payload={
                    "flag_id": flag.pk,
                    "reason": reason,
                    "reference": described,
                    "version": version.number,
                },
                request_info=request_info,
            )
            flags.append(flag)
    return flags


def resolve_flags_on_publish(ctx: StepContext) -> None:
    """Workflow hook: publishing a newer version answers the article's open flags."""
    if ctx.result.action != "publish" or ctx.result.version is None:
        return
    RereviewFlag.objects.filter(
        article=ctx.article, resolved_at__isnull=True, version__number__lt=ctx.result.version.number
    ).update(resolved_at=timezone.now(), resolved_by=signed_in(ctx.actor))


def open_flags() -> QuerySet[RereviewFlag]:
    """Unresolved flags, for the queues."""
    return RereviewFlag.objects.filter(resolved_at__isnull=True).select_related("article", "flagged_by")


def notice_days() -> int:
    """How many days before its next review is due an article counts as due for re-review."""
    return int(settings.VETTED.get("REREVIEW_NOTICE_DAYS", 30))
