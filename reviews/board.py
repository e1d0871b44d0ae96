"""Who may review an article: eligibility (one rule set) and ranked suggestions.

A board member is *not eligible* for an article when any of these holds, each
reported as a :class:`Reason` with a code and a sentence a managing editor can act on:

- ``inactive``: the membership or the user account is switched off;
- ``not_reviewer``: the account lacks the reviewer permission (it could not act on the article);
- ``credentials``: credentials never verified, or their expiry date has passed;
- ``capacity``: open assignments (invited + accepted) already at ``max_open_assignments``;
- ``conflict``: a standing conflict of interest that is still running (no ``ended_on``, or
  ending today or later) naming this article, or naming as ``author`` the article's owner or
  anyone who wrote or edited one of its versions, or a ``topic``/sponsor whose text appears as
  whole words (case-insensitive) in the article's title or the title or summary of the version
  to review;
- ``own_work``: four-eyes rule: the member owns the article, or is the author or last editor of
  any of its versions;
- ``already_assigned``: already holds an open assignment on the version to review;
- ``already_reviewed``: already reviewed the version to review (a person counts once per version,
  so a second assignment could only count them twice).

:func:`suggest_reviewers` ranks the eligible members (specialty match first, then fewest open
assignments, then fastest recent turnaround) and lists the others with their reasons;
``reviews.assignments.assign_reviewer`` refuses an ineligible member with the same reasons.

A member keeps their own profile: :func:`update_own_bio`, :func:`declare_standing_conflict` and
:func:`end_standing_conflict`, each one transaction writing one audit event
(``board.bio_updated``, ``board.conflict_declared``, ``board.conflict_ended``). Someone without a
board member profile, or ending another member's conflict, gets ``NotPermitted``.
"""

from __future__ import annotations

import datetime
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

import core.audit_actions as audit_actions
from articles.models import Article, ArticleVersion
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import ContentInvalid, DomainError, NotPermitted
from core.roles import REVIEW_ARTICLE

from .models import (
    OPEN_ASSIGNMENT_STATUSES,
    TOPIC_MAX_LENGTH,
    AssignmentStatus,
    BoardMember,
    ConflictKind,
    ConflictOfInterest,
    ReviewAssignment,
)

# Turnaround is the median accept -> complete time over this many latest reviews of the last year.
TURNAROUND_SAMPLE = 10
TURNAROUND_WINDOW = datetime.timedelta(days=365)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


class ReviewerNotEligible(DomainError):
    code = "reviewer_not_eligible"
    http_status = 409

    def __init__(self, member: BoardMember, reasons: list[Reason]) -> None:
        super().__init__(
            f"{member.display_name} cannot review this article: " + " ".join(r.message for r in reasons),
            fields={"reviewer": [r.message for r in reasons]},
        )
        self.reasons = reasons


@dataclass
class Suggestion:
    member: BoardMember
    specialty_match: bool
    open_assignments: int
    median_turnaround: datetime.timedelta | None


@dataclass
class Exclusion:
    member: BoardMember
    reasons: list[Reason]

    @property
    def codes(self) -> set[str]:
        return {r.code for r in self.reasons}


class Suggestions(NamedTuple):
    eligible: list[Suggestion]  # ranked, best first
    excluded: list[Exclusion]


@dataclass(frozen=True)
class _ArticleFacts:
    article: Article
    version: ArticleVersion | None
    writer_ids: frozenset[int]
    writer_names: dict[int, str]  # to name the writer an author conflict is with
    topic_text: str
    assigned_member_ids: frozenset[int]
    reviewed_member_ids: frozenset[int]


def version_under_review(article: Article) -> ArticleVersion | None:
    """The latest submitted (frozen) version: the one reviewers read now."""
    return article.versions.filter(frozen_at__isnull=False).order_by("-number").first()


def _facts(article: Article) -> _ArticleFacts:
    version = version_under_review(article)
    writers = {article.owner_id}
    for author_id, editor_id in article.versions.values_list("author_id", "last_edited_by_id"):
        writers.update({author_id, editor_id})
    writers.discard(None)
    user_model = get_user_model()
    names = dict(user_model.objects.filter(pk__in=writers).values_list("pk", user_model.USERNAME_FIELD))
    topic_text = " ".join([article.title] + ([version.title, version.summary] if version is not None else []))
    assigned: set[int] = set()
    reviewed: set[int] = set()
    if version is not None:
        for member_id, status in ReviewAssignment.objects.filter(
            version=version, status__in=(*OPEN_ASSIGNMENT_STATUSES, AssignmentStatus.COMPLETED)
        ).values_list("reviewer_id", "status"):
            (reviewed if status == AssignmentStatus.COMPLETED else assigned).add(member_id)
    return _ArticleFacts(
        article, version, frozenset(writers), names, topic_text, frozenset(assigned), frozenset(reviewed)
    )


def _topic_mentioned(topic: str, text: str) -> bool:
    topic = topic.strip()
    return bool(topic) and re.search(rf"(?<!\w){re.escape(topic)}(?!\w)", text, re.IGNORECASE) is not None


def _conflict_reasons(member: BoardMember, facts: _ArticleFacts, today: datetime.date) -> list[Reason]:
    reasons = []
    for conflict in member.conflicts.all():
        if conflict.declared_on > today or (conflict.ended_on is not None and conflict.ended_on < today):
            continue
        since = f"(declared {conflict.declared_on:%Y-%m-%d})"
        if conflict.kind == ConflictKind.ARTICLE and conflict.article_id == facts.article.pk:
            reasons.append(
                Reason("conflict", f"They declared a conflict of interest with this article {since}.")
            )
        elif conflict.kind == ConflictKind.AUTHOR and conflict.author_id in facts.writer_ids:
            reasons.append(
                Reason(
                    "conflict",
                    f"They declared a conflict of interest with {facts.writer_names[conflict.author_id]}, "
                    f"who owns or wrote this article {since}.",
                )
            )
        elif conflict.kind == ConflictKind.TOPIC and _topic_mentioned(conflict.topic, facts.topic_text):
            reasons.append(
                Reason(
                    "conflict",
                    f'They declared a conflict of interest on "{conflict.topic}", '
                    f"which this article's title or summary names {since}.",
                )
            )
    return reasons


def _reasons(
    member: BoardMember, facts: _ArticleFacts, *, open_count: int, can_review: bool, today: datetime.date
) -> list[Reason]:
    """The one place the eligibility rules live; see the module docstring."""
    reasons: list[Reason] = []
    if not member.is_active:
        reasons.append(Reason("inactive", "They are not an active board member."))
    elif not member.user.is_active:
        reasons.append(Reason("inactive", "Their user account is deactivated."))
    if not can_review:
        reasons.append(Reason("not_reviewer", "Their account does not have the reviewer role."))
    if member.credentials_verified_at is None or member.credentials_expire_on is None:
        reasons.append(
            Reason("credentials", "Their credentials have not been verified (with an expiry date) yet.")
        )
    elif not member.credentials_current(today):
        reasons.append(
            Reason(
                "credentials",
                f"Their credentials lapsed on {member.credentials_expire_on:%Y-%m-%d}; "
                "a managing editor must verify them again.",
            )
        )
    if open_count >= member.max_open_assignments:
        reasons.append(
            Reason(
                "capacity",
                f"They already have {open_count} open assignment{'s' if open_count != 1 else ''}, "
                f"the most they take on at once ({member.max_open_assignments}).",
            )
        )
    reasons.extend(_conflict_reasons(member, facts, today))
    if member.user_id == facts.article.owner_id:
        reasons.append(Reason("own_work", "They own this article, and nobody reviews their own work."))
    elif member.user_id in facts.writer_ids:
        reasons.append(
            Reason(
                "own_work",
                "They wrote or edited a version of this article, and nobody reviews their own work.",
            )
        )
    number = facts.version.number if facts.version else "?"
    if member.pk in facts.assigned_member_ids:
        reasons.append(Reason("already_assigned", f"They are already assigned to version {number}."))
    elif member.pk in facts.reviewed_member_ids:
        reasons.append(
            Reason(
                "already_reviewed",
                f"They already reviewed version {number}; each board member counts once per version.",
            )
        )
    return reasons


def open_assignment_count(member: BoardMember) -> int:
    return member.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES).count()


def ineligibility_reasons(member: BoardMember, article: Article) -> list[Reason]:
    """Why ``member`` may not review ``article`` now; an empty list means they may."""
    return _reasons(
        member,
        _facts(article),
        open_count=open_assignment_count(member),
        can_review=member.user.has_perm(REVIEW_ARTICLE),
        today=timezone.localdate(),
    )


# What still stops an assigned member when they submit: someone who became conflicted, inactive
# or a writer of the article after being assigned counts no more than someone never assigned.
# (Capacity and "already assigned" are about taking an assignment on, not about reviewing.)
REVIEW_TIME_REASONS = frozenset({"inactive", "not_reviewer", "conflict", "own_work"})


def review_time_refusals(member: BoardMember, article: Article) -> list[Reason]:
    """Why ``member``, though assigned, may not review ``article`` now (empty: they may)."""
    return [r for r in ineligibility_reasons(member, article) if r.code in REVIEW_TIME_REASONS]


def check_eligible(member: BoardMember, article: Article) -> None:
    """Raise :class:`ReviewerNotEligible` with every reason, if there is any."""
    reasons = ineligibility_reasons(member, article)
    if reasons:
        raise ReviewerNotEligible(member, reasons)


def recent_turnarounds(member_ids: Iterable[int]) -> dict[int, datetime.timedelta]:
    """Median accept -> complete time of each member's latest completed reviews of the last year."""
    since = timezone.now() - TURNAROUND_WINDOW
    durations: dict[int, list[float]] = defaultdict(list)
    rows = (
        ReviewAssignment.objects.filter(
            reviewer_id__in=member_ids,
            status=AssignmentStatus.COMPLETED,
            completed_at__gte=since,
            accepted_at__isnull=False,
        )
        .order_by("-completed_at")
        .values_list("reviewer_id", "accepted_at", "completed_at")
    )
    for member_id, accepted_at, completed_at in rows:
        if accepted_at is None or completed_at is None:
            continue  # none: the query excludes them, but its columns are nullable
        if len(durations[member_id]) < TURNAROUND_SAMPLE:
            durations[member_id].append((completed_at - accepted_at).total_seconds())
    return {
        member_id: datetime.timedelta(seconds=statistics.median(seconds))
        for member_id, seconds in durations.items()
    }


def suggest_reviewers(article: Article) -> Suggestions:
    """Every board member, split into ranked suggestions and exclusions with their reasons.

    Ranking: members covering the article's specialty first, then fewest open
    assignments, then fastest recent turnaround (members with none yet after
    those with one), then name.
    """
    facts = _facts(article)
    today = timezone.localdate()
    members = list(
        BoardMember.objects.select_related("user")
        .prefetch_related("specialties", "conflicts")
        .annotate(open_count=Count("assignments", filter=Q(assignments__status__in=OPEN_ASSIGNMENT_STATUSES)))
    )
    reviewers = set(
        get_user_model()
        .objects.with_perm(REVIEW_ARTICLE, include_superusers=True)
        .filter(pk__in=[m.user_id for m in members])
        .values_list("pk", flat=True)
    )
    turnarounds = recent_turnarounds([m.pk for m in members])
    result = Suggestions(eligible=[], excluded=[])
    for member in members:
        reasons = _reasons(
            member, facts, open_count=member.open_count, can_review=member.user_id in reviewers, today=today
        )
        if reasons:
            result.excluded.append(Exclusion(member, reasons))
            continue
        result.eligible.append(
            Suggestion(
                member=member,
                specialty_match=any(s.pk == article.specialty_id for s in member.specialties.all()),
                open_assignments=member.open_count,
                median_turnaround=turnarounds.get(member.pk),
            )
        )
    result.eligible.sort(
        key=lambda s: (
            not s.specialty_match,
            s.open_assignments,
            s.median_turnaround is None,
            s.median_turnaround or datetime.timedelta(0),
            s.member.display_name,
        )
    )
    return result


# --- a member's own profile --------------------------------------------------------------------------

BIO_MAX_LENGTH = 5000


def _own_member(user: Actor, *, lock: bool = False) -> BoardMember:
    """The signed-in user's board member profile, or ``NotPermitted``."""
    person = signed_in(user)
    members = BoardMember.objects.filter(user=person) if person is not None else BoardMember.objects.none()
    member = (members.select_for_update() if lock else members).first()
    if member is None:
        raise NotPermitted("Only members of the medical advisory board have a board profile.")
    return member


def update_own_bio(user: Actor, bio: str, *, request_info: RequestInfo | None = None) -> BoardMember:
    """Replace the member's own bio (shown to readers on the board page)."""
    bio = (bio or "").strip()
    if len(bio) > BIO_MAX_LENGTH:
        raise ContentInvalid(
            f"The bio is too long: at most {BIO_MAX_LENGTH} characters.", fields={"bio": ["Too long."]}
        )
    with transaction.atomic():
        member = _own_member(user, lock=True)
        member.bio = bio
        member.save(update_fields=["bio"])
        record(
            audit_actions.BOARD_BIO_UPDATED,
            actor=user,
            target=member,
            payload={"member_id": member.pk, "length": len(bio)},
            request_info=request_info,
        )
    return member


def conflict_subject_checked(
    kind: str,
    *,
    topic: str = "",
    article: Article | int | None = None,
    author: User | int | None = None,
) -> str:
    """Refuse a conflict whose kind does not match its subject; the topic as it is kept.

    The one rule for what a conflict names, wherever it is recorded (a member's own profile,
    a managing editor in the admin): an article, an author, or a topic's text. Only whether an
    article or author is named matters here, so either a row or its key will do.
    """
    topic = (topic or "").strip()
    if kind not in ConflictKind.values:
        raise ContentInvalid(
            f"Unknown kind of conflict {kind!r}; use one of: {', '.join(ConflictKind.values)}.",
            fields={"kind": ["Unknown."]},
        )
    if kind == ConflictKind.TOPIC and not topic:
        raise ContentInvalid("Name the topic or sponsor of the conflict.", fields={"topic": ["Required."]})
    if kind == ConflictKind.TOPIC and len(topic) > TOPIC_MAX_LENGTH:
        raise ContentInvalid(
            f"The topic is too long: at most {TOPIC_MAX_LENGTH} characters.", fields={"topic": ["Too long."]}
        )
    if kind == ConflictKind.ARTICLE and article is None:
        raise ContentInvalid("Say which article the conflict is with.", fields={"article": ["Required."]})
    if kind == ConflictKind.AUTHOR and author is None:
        raise ContentInvalid(
            "Say which author or editor the conflict is with.", fields={"author": ["Required."]}
        )
    return topic if kind == ConflictKind.TOPIC else ""


def declare_standing_conflict(
    user: Actor,
    *,
    kind: str,
    topic: str = "",
    details: str = "",
    article: Article | None = None,
    author: User | None = None,
    request_info: RequestInfo | None = None,
) -> ConflictOfInterest:
    """Add a standing conflict of interest to the member's own profile, running from today.

    Only the subject that ``kind`` names is kept: the article, the author, or the topic text.
    """
    topic = conflict_subject_checked(kind, topic=topic, article=article, author=author)
    details = (details or "").strip()
    with transaction.atomic():
        member = _own_member(user, lock=True)
        conflict = ConflictOfInterest.objects.create(
            member=member,
            kind=kind,
            article=article if kind == ConflictKind.ARTICLE else None,
            author=author if kind == ConflictKind.AUTHOR else None,
            topic=topic if kind == ConflictKind.TOPIC else "",
            details=details,
            declared_on=timezone.localdate(),
        )
        record(
            audit_actions.BOARD_CONFLICT_DECLARED,
            actor=user,
            target=conflict,
            article=conflict.article,
            payload={
                "member_id": member.pk,
                "conflict_id": conflict.pk,
                "kind": kind,
                "article_id": conflict.article_id,
                "author_id": conflict.author_id,
                "topic": conflict.topic,
            },
            request_info=request_info,
        )
    return conflict


def end_standing_conflict(
    user: Actor, conflict_id: int, *, request_info: RequestInfo | None = None
) -> ConflictOfInterest:
    """End one of the member's own running conflicts today; others' (or missing ones) are refused."""
    with transaction.atomic():
        member = _own_member(user, lock=True)
        conflict = (
            ConflictOfInterest.objects.select_for_update().filter(pk=conflict_id, member=member).first()
        )
        if conflict is None:
            # Same answer for someone else's conflict as for a missing one: no probing for ids.
            raise NotPermitted("This conflict of interest is not on your profile.")
        today = timezone.localdate()
        if conflict.ended_on is not None and conflict.ended_on <= today:
            raise ContentInvalid(
                f"This conflict of interest already ended on {conflict.ended_on:%Y-%m-%d}.",
                fields={"conflict": ["Already ended."]},
            )
        conflict.ended_on = today
        conflict.save(update_fields=["ended_on"])
        record(
            audit_actions.BOARD_CONFLICT_ENDED,
            actor=user,
            target=conflict,
            payload={"member_id": member.pk, "conflict_id": conflict.pk, "ended_on": today.isoformat()},
            request_info=request_info,
        )
    return conflict
