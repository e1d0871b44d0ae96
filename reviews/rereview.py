"""Re-review: when cited evidence changes, and when a review gets old.

Flagging never touches what readers see: the published version stays until a
new version is approved and published, which resolves the article's flags.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

import core.audit_actions as audit_actions
from articles.models import Article, ArticleState, Reference
from audit.chain import RequestInfo, record
from core.errors import ContentInvalid, NotPermitted
from core.roles import MANAGE_ARTICLES

from . import links
from .kinds import Kind
from .models import RereviewFlag
from .outbox import Message, notify
from .recipients import managing_editors_for
from .reminders import existing_keys

DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def normalise_doi(doi: str) -> str:
    return DOI_PREFIX.sub("", (doi or "").strip()).lower()


def normalise_title(title: str) -> str:
    """Case, spacing and a trailing full stop do not make a different paper."""
    return " ".join((title or "").split()).rstrip(".").strip()


def citing_articles(*, doi: str = "", pmid: str = "", title: str = "") -> list[tuple[Article, object]]:
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
    found: dict[int, tuple[Article, object]] = {}
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
    by,
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
    if by is None or not by.has_perm(MANAGE_ARTICLES):
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
                flagged_by=by,
            )
            # The editor is told by the notification listener, like every other event.
            record(
                audit_actions.ARTICLE_REREVIEW_FLAGGED,
                actor=by,
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


def resolve_flags_on_publish(ctx) -> None:
    """Workflow hook: publishing a newer version answers the article's open flags."""
    if ctx.result.action != "publish" or ctx.result.version is None:
        return
    RereviewFlag.objects.filter(
        article=ctx.article, resolved_at__isnull=True, version__number__lt=ctx.result.version.number
    ).update(resolved_at=timezone.now(), resolved_by=ctx.actor if ctx.actor is not None else None)


def open_flags():
    """Unresolved flags, for the queues."""
    return RereviewFlag.objects.filter(resolved_at__isnull=True).select_related("article", "flagged_by")


def notice_days() -> int:
    return settings.VETTED.get("REREVIEW_NOTICE_DAYS", 30)


def check_rereview_due(now: datetime.datetime | None = None) -> int:
    """Tell editors and managing editors when an article's periodic re-review nears or passes.

    Once per article, per due date, per stage (due soon, overdue), per person.
    Only articles that are live with nobody working on a new version: a new
    version, once published, moves the due date anyway.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=notice_days())
    articles = Article.objects.filter(
        state=ArticleState.PUBLISHED, next_review_due__isnull=False, next_review_due__lte=horizon
    ).select_related("owner", "specialty")
    planned = []
    for article in articles:
        overdue = article.next_review_due < today
        stage = "overdue" if overdue else "due"
        days = (article.next_review_due - today).days
        message = Message(
            Kind.REREVIEW_OVERDUE if overdue else Kind.REREVIEW_DUE,
            (
                f"Re-review overdue: {article.title}"
                if overdue
                else f"Re-review due {article.next_review_due:%d %b %Y}: {article.title}"
            ),
            (
                f"The medical review of “{article.title}” expired on {article.next_review_due:%d %b %Y} "
                f"({-days} day(s) ago). Start a new version for the board to review."
                if overdue
                else f"The medical review of “{article.title}” expires on {article.next_review_due:%d %b %Y} "
                f"(in {days} day(s)). Start a new version for the board to review."
            ),
            links.article_url(article),
            {"article": article.slug, "next_review_due": article.next_review_due.isoformat(), "stage": stage},
        )
        people = {article.owner.pk: article.owner}
        people.update({me.pk: me for me in managing_editors_for(article.specialty_id)})
        for person in people.values():
            if person.is_active:
                key = f"rereview:{stage}:{article.pk}:{article.next_review_due.isoformat()}:{person.pk}"
                planned.append((article, person, message, key))
    done = existing_keys([p[3] for p in planned])
    written = 0
    for article, person, message, key in planned:
        if key not in done:
            with transaction.atomic():
                written += bool(notify(person, message, article=article, dedupe_key=key))
    return written
