"""The Medical Advisory Board's public pages: its members, a member's profile with the
articles they approved, and their declared conflicts of interest worded for readers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from articles.models import Article
from reviews.models import BoardMember, ConflictKind, ConflictOfInterest, Decision, Review

from .pointers import public_articles


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
