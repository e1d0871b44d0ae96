"""Assigning board members to submitted versions, and the reviewer's answers.

Every function here is one transaction that locks the article row first, then
the assignment row (always in that order, so two callers never deadlock), checks
who is acting and the assignment's status, changes it, and writes one audit
event. A refusal raises a ``DomainError`` and writes nothing.

Audit events (``audit.trail.record``; notifications listen to them)
---------------------------------------------------------------------
Unless said otherwise: ``target`` is the ReviewAssignment, ``article`` the
article, ``actor`` the person acting (``None``/"system" for periodic tasks),
``state_before``/``state_after`` the assignment status before/after, and the
payload carries at least::

    assignment_id, reviewer_user_id, reviewer_member_id, assigned_by_user_id, version, round

Action names and the payload keys they add:

- ``assignment.invited``: respond_by, due_at (or null), replaces_assignment_id (or null),
  automatic (true when a resubmission re-invited the previous round's reviewer),
  previous_assignment_id (with automatic). Actor: the assigning managing editor.
- ``assignment.accepted``: due_at. Actor: the reviewer.
- ``assignment.declined``: reason, suggested_alternative, after_accepting. Actor: the reviewer.
- ``assignment.expired``: respond_by. Actor: system.
- ``assignment.cancelled``: reason, automatic (true when a decision on the article closed it:
  another reviewer's change request, approval, rejection, return, withdrawal).
- ``assignment.extension_requested``: requested_until, reason, due_at. Actor: the reviewer.
- ``assignment.extension_granted`` / ``assignment.extension_refused``: requested_until,
  previous_due_at, due_at, note. Actor: the managing editor.
- ``assignment.conflict_declared``: category, details, blocks (bool). Actor: the reviewer.
- ``assignment.conflict_overridden``: category, reason. Actor: the managing editor.

Written by ``reviews.decisions`` with the same base payload:

- ``review.submitted``: a review that is not an approval (request_changes / recommend_reject):
  review_id, decision, section_comment_count, unchecked (checklist keys). A recommend_reject is
  for the managing editor to decide (reject or return the article).
- ``review.signed``: an approval, which is an electronic signature (one event, not also
  ``review.submitted``): review_id, decision, section_comment_count, unchecked, signer_name,
  signer_credentials, signed_at, signature_meaning, signed_content_hash.
- ``review.note_added``: review_id, note_id. Actor: the reviewer.
- ``comment.answered``: review_id, comment_id, status (resolved / not_changed), reason,
  reviewer_user_id is the comment's author. Actor: the editor.
- ``review.round_complete``: target is the ArticleVersion (a round has no single
  assignment); payload: version, round, decisions ({decision: count}), assignment_ids,
  reviewer_user_ids (who reviewed), assigned_by_user_ids (the managing editors to tell),
  article_state. Written when the last open assignment of a round closes and at least one
  review is in.

Other events of this app (``target`` as named; payload keys listed):

- ``publication.scheduled`` / ``publication.schedule_cancelled`` / ``publication.failed``
  (``reviews.decisions``): target the PublicationSchedule; schedule_id, version, publish_at,
  scheduled_by_user_id, and reason for the last two. The publication itself is the
  workflow's ``article.publish`` (actor: system when scheduled).
- ``board.credentials_verified`` (admin action): target the BoardMember; member_id,
  member_user_id, credentials, expire_on.

Article transitions triggered here (``article.start_review`` on the first assignment,
``article.approve`` / ``article.request_changes`` from reviews) are the workflow's own
``article.<action>`` events.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

import core.audit_actions as audit_actions
from articles.models import Article, ArticleState, ArticleVersion
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import ContentInvalid, DomainError, NotPermitted
from core.roles import Role

from . import workflow
from .board import ReviewerNotEligible, check_eligible, version_under_review
from .models import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    BoardMember,
    ConflictCategory,
    ExtensionStatus,
    Review,
    ReviewAssignment,
)
from .roles import has_open_assignment, roles_for
from .signatures import quorum_reached

__all__ = [
    "AssignmentRefused",
    "ReviewerNotEligible",
    "accept_assignment",
    "assign_reviewer",
    "assignment_for",
    "can_open_text",
    "cancel_assignment",
    "decide_extension",
    "declare_conflict",
    "decline_assignment",
    "expire_overdue_invitations",
    "has_open_assignment",
    "open_text",
    "override_conflict",
    "request_extension",
]

S = ArticleState
REPLACEABLE_STATUSES = (AssignmentStatus.DECLINED, AssignmentStatus.EXPIRED, AssignmentStatus.CANCELLED)


class AssignmentRefused(DomainError):
    """The assignment is not in a state where this can happen."""

    code = "assignment_refused"
    http_status = 409


def _days(key: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(days=settings.VETTED.get(key, default))


def _required(text: str, what: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ContentInvalid(f"{what} is required.", fields={field: ["Required."]})
    return text


# --- who may see and do what ----------------------------------------------------


def is_managing_editor(user: Actor, article: Article) -> bool:
    return Role.MANAGING_EDITOR in roles_for(user, article)


def require_managing_editor(user: Actor, article: Article, doing: str) -> User:
    """The managing editor's account (what ``assigned_by`` and the like store), or ``NotPermitted``."""
    account = signed_in(user)
    if account is None or not is_managing_editor(account, article):
        raise NotPermitted(f"Only a managing editor can {doing}.")
    return account


def require_own(user: Actor, assignment: ReviewAssignment) -> User:
    """A reviewer never sees or acts on someone else's assignment: the reviewer's account, or
    ``NotPermitted``."""
    account = signed_in(user)
    if account is None or assignment.reviewer.user_id != account.pk:
        raise NotPermitted("This review assignment is not yours.")
    return account


def assignment_for(user: Actor, pk: int) -> ReviewAssignment:
    """The assignment with this id, if ``user`` may see it (its reviewer, or a managing editor)."""
    assignment = (
        ReviewAssignment.objects.select_related("reviewer__user", "article__specialty", "version")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise NotPermitted("This review assignment is not yours.")  # same answer: no probing for ids
    if not is_managing_editor(user, assignment.article):
        require_own(user, assignment)
    return assignment


def _text_refusal(user: Actor, assignment: ReviewAssignment) -> str | None:
    if user is None or assignment.reviewer.user_id != getattr(user, "pk", None):
        return "This review assignment is not yours."
    if assignment.status == AssignmentStatus.INVITED:
        return "Accept the invitation before opening the text."
    if assignment.status not in (AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED):
        return f"This assignment is {assignment.get_status_display().lower()}; its text is not open to you."
    if assignment.conflict_declared_at is None:
        return "Declare whether you have a conflict of interest before opening the text."
    if assignment.conflict_blocks:
        return (
            f"You declared a {assignment.get_conflict_category_display().lower()} conflict of interest; "
            "it blocks this review until a managing editor overrides it."
        )
    return None


def can_open_text(user: Actor, assignment: ReviewAssignment) -> bool:
    """May ``user`` read the version of this assignment as its reviewer?"""
    return _text_refusal(user, assignment) is None


def open_text(user: Actor, assignment: ReviewAssignment) -> ArticleVersion:
    """The exact version to review, or ``NotPermitted`` saying what stands in the way."""
    refusal = _text_refusal(user, assignment)
    if refusal is not None:
        raise NotPermitted(refusal)
    return assignment.version


# --- helpers shared with reviews.decisions ---------------------------------------------


def lock_assignment(assignment: ReviewAssignment | int) -> tuple[Article, ReviewAssignment]:
    """Lock the article row, then the assignment row, and return fresh copies of both."""
    pk = assignment.pk if isinstance(assignment, ReviewAssignment) else assignment
    article_id = ReviewAssignment.objects.filter(pk=pk).values_list("article_id", flat=True).get()
    article = Article.objects.select_for_update(of=("self",)).select_related("specialty").get(pk=article_id)
    locked = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("reviewer__user", "version", "article", "assigned_by")
        .get(pk=pk)
    )
    return article, locked


def base_payload(assignment: ReviewAssignment) -> dict[str, Any]:
    return {
        "assignment_id": assignment.pk,
        "reviewer_user_id": assignment.reviewer.user_id,
        "reviewer_member_id": assignment.reviewer_id,
        "assigned_by_user_id": assignment.assigned_by_id,
        "version": assignment.version.number,
        "round": assignment.round,
    }


def audit(
    action: str,
    assignment: ReviewAssignment,
    actor: Actor,
    *,
    before: str = "",
    request_info: RequestInfo | None = None,
    **extra: Any,
) -> None:
    record(
        action,
        actor=actor,
        target=assignment,
        article=assignment.article,
        state_before=before or assignment.status,
        state_after=assignment.status,
        payload={**base_payload(assignment), **extra},
        request_info=request_info,
    )


def _require_status(assignment: ReviewAssignment, allowed: Collection[str], doing: str) -> None:
    if assignment.status not in allowed:
        raise AssignmentRefused(
            f"Cannot {doing}: this assignment is {assignment.get_status_display().lower()}.",
        )


# --- the assignment lifecycle, each status change declared once ---------------------------------


class Mover(StrEnum):
    """Who changes an assignment's status, as :func:`move_assignment` checks it."""

    MANAGING_EDITOR = "managing_editor"
    OWN_REVIEWER = "own_reviewer"  # the assignment's own board member
    SYSTEM = "system"  # a periodic task (actor None)
    ARTICLE_DECISION = "article_decision"  # inside the article transition that ends the round


class Move:
    INVITE = "invite"
    ACCEPT = "accept"
    DECLINE = "decline"
    EXPIRE = "expire"
    CANCEL = "cancel"
    CLOSE = "close"
    COMPLETE = "complete"


@dataclass(frozen=True)
class AssignmentMove:
    name: str
    sources: frozenset[str]  # "" for a new assignment
    target: str
    by: Mover
    # The audit event written; None when the caller writes its own (a review's, on completing).
    audit_action: str | None
    doing: str  # as refusals phrase it: "Cannot {doing}: this assignment is …"
    stamp: str  # the timestamp field set to now
    # A reason is required ("{reason_required} is required.") and stored in ``reason_field``.
    reason_required: str | None = None
    reason_field: str | None = None
    # The article must be in one of these states (the message when it is not).
    article_states: frozenset[str] | None = None
    article_refusal: str = ""


_OPEN = frozenset(OPEN_ASSIGNMENT_STATUSES)
AS = AssignmentStatus

ASSIGNMENT_MOVES: dict[str, AssignmentMove] = {
    m.name: m
    for m in [
        AssignmentMove(
            Move.INVITE, frozenset({""}), AS.INVITED, Mover.MANAGING_EDITOR,
            audit_actions.ASSIGNMENT_INVITED, "assign reviewers", "invited_at",
        ),
        AssignmentMove(
            Move.ACCEPT, frozenset({AS.INVITED}), AS.ACCEPTED, Mover.OWN_REVIEWER,
            audit_actions.ASSIGNMENT_ACCEPTED, "accept", "accepted_at",
            article_states=frozenset({S.UNDER_REVIEW}),
            article_refusal="This article is no longer under review.",
        ),
        AssignmentMove(
            Move.DECLINE, _OPEN, AS.DECLINED, Mover.OWN_REVIEWER,
            audit_actions.ASSIGNMENT_DECLINED, "decline", "declined_at",
            reason_required="A reason for declining", reason_field="decline_reason",
        ),
        AssignmentMove(
            Move.EXPIRE, frozenset({AS.INVITED}), AS.EXPIRED, Mover.SYSTEM,
            audit_actions.ASSIGNMENT_EXPIRED, "expire", "expired_at",
        ),
        AssignmentMove(
            Move.CANCEL, _OPEN, AS.CANCELLED, Mover.MANAGING_EDITOR,
            audit_actions.ASSIGNMENT_CANCELLED, "cancel", "cancelled_at",
            reason_required="A reason for cancelling", reason_field="cancel_reason",
        ),
        # The note is the article transition's ``closing_note`` (reviews.workflow).
        AssignmentMove(
            Move.CLOSE, _OPEN, AS.CANCELLED, Mover.ARTICLE_DECISION,
            audit_actions.ASSIGNMENT_CANCELLED, "close", "cancelled_at",
            reason_required="A closing note", reason_field="cancel_reason",
        ),
        # The review's own event (review.signed / review.submitted) records it (reviews.decisions).
        AssignmentMove(
            Move.COMPLETE, frozenset({AS.ACCEPTED}), AS.COMPLETED, Mover.OWN_REVIEWER,
            None, "submit a review", "completed_at",
        ),
    ]
}  # fmt: skip


def move_assignment(
    a: ReviewAssignment,
    name: str,
    actor: Actor,
    *,
    article: Article | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    now: datetime.datetime | None = None,
    request_info: RequestInfo | None = None,
    **payload: Any,
) -> ReviewAssignment:
    """Change the (locked) assignment's status by the declared move ``name``: who may, from which
    status, the reason it needs; sets the timestamp and ``changes``; writes the move's audit event
    with ``payload`` (and the reason). The one place an assignment's status changes."""
    move = ASSIGNMENT_MOVES[name]
    if move.by is Mover.OWN_REVIEWER:
        require_own(actor, a)
    elif move.by is Mover.MANAGING_EDITOR:
        require_managing_editor(actor, article or a.article, f"{move.doing} a review assignment")
    _require_status(a, move.sources, move.doing)
    if move.article_states is not None and (article or a.article).state not in move.article_states:
        raise AssignmentRefused(move.article_refusal)
    if move.reason_required is not None:
        reason = _required(reason, move.reason_required)
        payload = {"reason": reason, **payload}
    before = a.status
    a.status = move.target
    setattr(a, move.stamp, now or timezone.now())
    fields = ["status", move.stamp]
    if move.reason_field is not None:
        setattr(a, move.reason_field, reason)
        fields.append(move.reason_field)
    for field_name, value in (changes or {}).items():
        setattr(a, field_name, value)
        fields.append(field_name)
    a.save(update_fields=fields)
    if move.audit_action is not None:
        audit(move.audit_action, a, actor, before=before, request_info=request_info, **payload)
    return a


def announce_if_round_complete(article: Article, version: ArticleVersion, actor: Actor) -> bool:
    """Tell the managing editor (audit event) when the round's last open assignment closed.

    Called after every step that closes an assignment; only the step that
    closes the last one finds nothing open, so the event is written once.
    """
    round_assignments = list(ReviewAssignment.objects.filter(version=version))
    if not round_assignments or any(a.is_open for a in round_assignments):
        return False
    reviews = list(Review.objects.filter(version=version).select_related("reviewer"))
    if not reviews:
        return False
    article.refresh_from_db(fields=["state"])
    record(
        audit_actions.REVIEW_ROUND_COMPLETE,
        actor=actor,
        target=version,
        article=article,
        state_before=article.state,
        state_after=article.state,
        payload={
            "version": version.number,
            "round": round_assignments[0].round,
            "decisions": dict(Counter(r.decision for r in reviews)),
            "assignment_ids": sorted(a.pk for a in round_assignments),
            "reviewer_user_ids": sorted({r.reviewer.user_id for r in reviews}),
            "assigned_by_user_ids": sorted({a.assigned_by_id for a in round_assignments}),
            "article_state": article.state,
        },
    )
    return True


def approve_if_quorum_stands(article: Article, version: ArticleVersion) -> bool:
    """After an assignment closes without a review (declined, cancelled, expired): if the approvals
    already in now decide, approve the article (the system acts; ``perform`` re-checks the
    signatures). Otherwise an article whose last outstanding reviewer stepped back would sit
    under review with its quorum reached."""
    article.refresh_from_db(fields=["state"])
    current = version_under_review(article)
    if article.state != S.UNDER_REVIEW or current is None or current.pk != version.pk:
        return False
    if not quorum_reached(article, version):
        return False
    workflow.perform(article, workflow.Action.APPROVE, None)
    return True


def _round_for(version: ArticleVersion) -> int:
    """Each reviewed version is one round: 1 for the first, then one more per version reviewed."""
    existing = ReviewAssignment.objects.filter(version=version).values_list("round", flat=True).first()
    if existing:
        return existing
    previous = ReviewAssignment.objects.filter(
        article_id=version.article_id, version__number__lt=version.number
    ).aggregate(last=Max("round"))["last"]
    return (previous or 0) + 1


# --- assigning --------------------------------------------------------------------


def assign_reviewer(
    article: Article,
    member: BoardMember,
    assigned_by: Actor,
    *,
    respond_by: datetime.datetime | None = None,
    due_at: datetime.datetime | None = None,
    replaces: ReviewAssignment | None = None,
    request_info: RequestInfo | None = None,
) -> ReviewAssignment:
    """Invite ``member`` to review the article's submitted version.

    The first assignment moves the article from submitted to under review.
    ``respond_by`` defaults to now + INVITATION_RESPONSE_DAYS; ``due_at``, if
    not given, is set on accepting (REVIEW_DAYS later). ``replaces`` names a
    declined, expired or cancelled assignment of the same version that this one
    takes over from (the old one is kept). Refuses an ineligible member with
    the reasons (``ReviewerNotEligible``).
    """
    return _invite(
        article,
        member,
        assigned_by,
        respond_by=respond_by,
        due_at=due_at,
        replaces=replaces,
        request_info=request_info,
    )


def _invite(
    article: Article,
    member: BoardMember,
    assigned_by: Actor,
    *,
    respond_by: datetime.datetime | None = None,
    due_at: datetime.datetime | None = None,
    replaces: ReviewAssignment | None = None,
    previous: ReviewAssignment | None = None,
    request_info: RequestInfo | None = None,
) -> ReviewAssignment:
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Article.objects.select_for_update(of=("self",)).select_related("specialty").get(pk=article.pk)
        )
        manager = require_managing_editor(assigned_by, locked, ASSIGNMENT_MOVES[Move.INVITE].doing)
        version = version_under_review(locked)
        # Submitted or under review, an article has its submitted version; both tests refuse alike.
        if locked.state not in (S.SUBMITTED, S.UNDER_REVIEW) or version is None:
            raise AssignmentRefused(
                "Reviewers are assigned to a submitted version; this article is "
                f"{ArticleState(locked.state).label.lower()}."
            )
        # Locking the member serialises assignments to them, so capacity cannot be overrun.
        member = BoardMember.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
        check_eligible(member, locked)
        if replaces is not None:
            _check_replaceable(replaces, version)
        respond_by = respond_by or now + _days("INVITATION_RESPONSE_DAYS", 2)
        if respond_by <= now:
            raise ContentInvalid(
                "The date to answer the invitation must be in the future.",
                fields={"respond_by": ["Too early."]},
            )
        if due_at is not None and due_at <= respond_by:
            raise ContentInvalid(
                "The review due date must come after the date to answer the invitation.",
                fields={"due_at": ["Too early."]},
            )
        if locked.state == S.SUBMITTED:
            workflow.perform(locked, workflow.Action.START_REVIEW, assigned_by, request_info=request_info)
        assignment = ReviewAssignment.objects.create(
            article=locked,
            version=version,
            round=_round_for(version),
            reviewer=member,
            assigned_by=manager,
            replaces=replaces,
            # Created, not moved: the lifecycle's first row (ASSIGNMENT_MOVES[Move.INVITE]).
            status=ASSIGNMENT_MOVES[Move.INVITE].target,
            invited_at=now,
            respond_by=respond_by,
            due_at=due_at,
        )
        audit(
            # ASSIGNMENT_MOVES[Move.INVITE]'s event, named here so that a search finds its emitter.
            audit_actions.ASSIGNMENT_INVITED,
            assignment,
            assigned_by,
            before="",
            request_info=request_info,
            respond_by=respond_by,
            due_at=due_at,
            replaces_assignment_id=replaces.pk if replaces else None,
            automatic=previous is not None,
            previous_assignment_id=previous.pk if previous else None,
        )
    return assignment


def _check_replaceable(old: ReviewAssignment, version: ArticleVersion) -> None:
    old = ReviewAssignment.objects.select_related("reviewer").get(pk=old.pk)
    if old.version_id != version.pk:
        raise AssignmentRefused("Only an assignment on the version now under review can be replaced.")
    if old.status not in REPLACEABLE_STATUSES:
        raise AssignmentRefused(
            "Only a declined, expired or cancelled assignment can be replaced; "
            f"{old.reviewer.display_name}'s is {old.get_status_display().lower()}."
        )
    if old.replaced_by.exists():
        raise AssignmentRefused(f"{old.reviewer.display_name}'s assignment has already been replaced.")


# --- the reviewer's answers ----------------------------------------------------------


def accept_assignment(
    assignment: ReviewAssignment, user: Actor, *, request_info: RequestInfo | None = None
) -> ReviewAssignment:
    """Accept an invitation; the review is then due REVIEW_DAYS later (unless a date was set).

    An invitation can be accepted until the periodic task marks it expired.
    """
    now = timezone.now()
    with transaction.atomic():
        article, a = lock_assignment(assignment)
        due_at = a.due_at or now + _days("REVIEW_DAYS", 7)
        move_assignment(
            a,
            Move.ACCEPT,
            user,
            article=article,
            changes={"due_at": due_at},
            now=now,
            request_info=request_info,
            due_at=due_at,
        )
    return a


def decline_assignment(
    assignment: ReviewAssignment,
    user: Actor,
    *,
    reason: str,
    suggested_alternative: str = "",
    request_info: RequestInfo | None = None,
) -> ReviewAssignment:
    """Decline an invitation (or step back from an accepted review not yet submitted)."""
    now = timezone.now()
    with transaction.atomic():
        article, a = lock_assignment(assignment)
        alternative = (suggested_alternative or "").strip()
        move_assignment(
            a,
            Move.DECLINE,
            user,
            article=article,
            reason=reason,
            changes={"suggested_alternative": alternative},
            now=now,
            request_info=request_info,
            suggested_alternative=alternative,
            # Read before the move: the status it leaves.
            after_accepting=a.status == AssignmentStatus.ACCEPTED,
        )
        announce_if_round_complete(article, a.version, user)
        approve_if_quorum_stands(article, a.version)
    return a


def expire_overdue_invitations(now: datetime.datetime | None = None) -> int:
    """Mark invitations nobody answered by their deadline as expired; returns how many.

    For the periodic task: each one is its own transaction, and a second run
    (or a concurrent one) finds nothing left to do.
    """
    now = now or timezone.now()
    overdue = ReviewAssignment.objects.filter(status=AssignmentStatus.INVITED, respond_by__lt=now)
    expired = 0
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            article, a = lock_assignment(pk)
            if a.status != AssignmentStatus.INVITED or a.respond_by >= now:
                continue
            move_assignment(a, Move.EXPIRE, None, article=article, now=now, respond_by=a.respond_by)
            announce_if_round_complete(article, a.version, None)
            approve_if_quorum_stands(article, a.version)
            expired += 1
    return expired


# --- due dates --------------------------------------------------------------------------


def request_extension(
    assignment: ReviewAssignment,
    user: Actor,
    *,
    until: datetime.datetime,
    reason: str,
    request_info: RequestInfo | None = None,
) -> ReviewAssignment:
    with transaction.atomic():
        _article, a = lock_assignment(assignment)
        require_own(user, a)
        _require_status(a, {AssignmentStatus.ACCEPTED}, "ask for more time")
        reason = _required(reason, "A reason for the extension")
        if a.extension_status == ExtensionStatus.REQUESTED:
            raise AssignmentRefused(
                f"You already asked for a due date of {a.extension_requested_until:%Y-%m-%d}; "
                "wait for the managing editor's answer."
            )
        if until <= max(a.due_at or timezone.now(), timezone.now()):
            raise ContentInvalid(
                "The new due date must be later than the current one.", fields={"until": ["Too early."]}
            )
        a.extension_status = ExtensionStatus.REQUESTED
        a.extension_requested_until = until
        a.extension_reason = reason
        a.extension_decided_by = None
        a.extension_decided_at = None
        a.save(
            update_fields=[
                "extension_status",
                "extension_requested_until",
                "extension_reason",
                "extension_decided_by",
                "extension_decided_at",
            ]
        )
        audit(
            audit_actions.ASSIGNMENT_EXTENSION_REQUESTED,
            a,
            user,
            request_info=request_info,
            requested_until=until,
            reason=reason,
            due_at=a.due_at,
        )
    return a


def decide_extension(
    assignment: ReviewAssignment,
    grant: bool,
    by: Actor,
    *,
    note: str = "",
    request_info: RequestInfo | None = None,
) -> ReviewAssignment:
    with transaction.atomic():
        article, a = lock_assignment(assignment)
        manager = require_managing_editor(by, article, "grant or refuse more time for a review")
        if a.extension_status != ExtensionStatus.REQUESTED:
            raise AssignmentRefused("There is no request for more time waiting on this assignment.")
        _require_status(a, {AssignmentStatus.ACCEPTED}, "change the due date")
        previous_due = a.due_at
        a.extension_status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
        if grant:
            a.due_at = a.extension_requested_until
        a.extension_decided_by = manager
        a.extension_decided_at = timezone.now()
        a.save(update_fields=["extension_status", "due_at", "extension_decided_by", "extension_decided_at"])
        audit(
            audit_actions.ASSIGNMENT_EXTENSION_GRANTED
            if grant
            else audit_actions.ASSIGNMENT_EXTENSION_REFUSED,
            a,
            by,
            request_info=request_info,
            requested_until=a.extension_requested_until,
            previous_due_at=previous_due,
            due_at=a.due_at,
            note=(note or "").strip(),
        )
    return a


# --- cancelling -------------------------------------------------------------------------


def cancel_assignment(
    assignment: ReviewAssignment, by: Actor, *, reason: str, request_info: RequestInfo | None = None
) -> ReviewAssignment:
    with transaction.atomic():
        article, a = lock_assignment(assignment)
        move_assignment(
            a, Move.CANCEL, by, article=article, reason=reason, request_info=request_info, automatic=False
        )
        announce_if_round_complete(article, a.version, by)
        approve_if_quorum_stands(article, a.version)
    return a


# --- conflict declarations ---------------------------------------------------------------


def declare_conflict(
    assignment: ReviewAssignment,
    user: Actor,
    *,
    category: str,
    details: str = "",
    request_info: RequestInfo | None = None,
) -> ReviewAssignment:
    """The reviewer's declaration for this assignment, required before opening the text.

    A first declaration may be "none"; a conflict found later may still be
    declared. A declared conflict stands: only a managing editor's override
    lifts it, the reviewer cannot take it back.
    """
    with transaction.atomic():
        _article, a = lock_assignment(assignment)
        require_own(user, a)
        _require_status(a, OPEN_ASSIGNMENT_STATUSES, "declare a conflict of interest")
        if category not in ConflictCategory.values:
            raise ContentInvalid(
                f"Unknown conflict category {category!r}; use one of: {', '.join(ConflictCategory.values)}.",
                fields={"category": ["Unknown."]},
            )
        details = (details or "").strip()
        if category != ConflictCategory.NONE and not details:
            raise ContentInvalid(
                "Describe the conflict of interest (details are required).", fields={"details": ["Required."]}
            )
        if a.conflict_declared_at is not None and (
            a.conflict_category != ConflictCategory.NONE or category == ConflictCategory.NONE
        ):
            raise AssignmentRefused(
                f"You already declared {a.get_conflict_category_display().lower()} on "
                f"{a.conflict_declared_at:%Y-%m-%d}; a declared conflict stands until a managing editor "
                "overrides it."
            )
        a.conflict_declared_at = timezone.now()
        a.conflict_category = category
        a.conflict_details = details
        a.save(update_fields=["conflict_declared_at", "conflict_category", "conflict_details"])
        audit(
            audit_actions.ASSIGNMENT_CONFLICT_DECLARED,
            a,
            user,
            request_info=request_info,
            category=category,
            details=details,
            blocks=a.conflict_blocks,
        )
    return a


def override_conflict(
    assignment: ReviewAssignment, by: Actor, *, reason: str, request_info: RequestInfo | None = None
) -> ReviewAssignment:
    """A managing editor lets the review go ahead despite the declared conflict, saying why."""
    with transaction.atomic():
        article, a = lock_assignment(assignment)
        manager = require_managing_editor(by, article, "override a declared conflict of interest")
        if a.reviewer.user_id == manager.pk:
            raise NotPermitted("Nobody overrides their own conflict of interest.")
        if not a.conflict_blocks:
            raise AssignmentRefused("There is no declared conflict blocking this assignment.")
        _require_status(a, OPEN_ASSIGNMENT_STATUSES, "override the conflict")
        reason = _required(reason, "A written reason for the override")
        a.conflict_override_by = manager
        a.conflict_override_reason = reason
        a.conflict_override_at = timezone.now()
        a.save(update_fields=["conflict_override_by", "conflict_override_reason", "conflict_override_at"])
        audit(
            audit_actions.ASSIGNMENT_CONFLICT_OVERRIDDEN,
            a,
            by,
            request_info=request_info,
            category=a.conflict_category,
            reason=reason,
        )
    return a


# --- hooked on the workflow's transitions ---------------------------------------------------


def after_transition(ctx: workflow.StepContext) -> None:
    """Runs inside every workflow transition (``workflow.AFTER_TRANSITION``, registered by
    ``ReviewsConfig.ready``): a resubmission re-invites the previous round's reviewers, and a
    transition with a closing note (``Transition.closing_note``) closes the assignments still open."""
    closing_note = ctx.transition.closing_note
    if ctx.result.action == workflow.Action.SUBMIT:
        _reinvite_previous_round(ctx)
    elif closing_note is not None:
        _close_open_assignments(ctx, closing_note)


def _close_open_assignments(ctx: workflow.StepContext, closing_note: str) -> None:
    still_open = ReviewAssignment.objects.filter(
        article=ctx.article, status__in=OPEN_ASSIGNMENT_STATUSES
    ).select_related("reviewer", "version", "article")
    deciding_reviewer = signed_in(ctx.actor)
    if ctx.transition.needs_review is not None and deciding_reviewer is not None:
        # The deciding reviewer's own assignment is completed by their review.
        still_open = still_open.exclude(reviewer__user=deciding_reviewer)
    for assignment in still_open.select_for_update(of=("self",)):
        move_assignment(
            assignment,
            Move.CLOSE,
            ctx.actor,
            article=ctx.article,
            reason=closing_note,
            automatic=True,
        )


def _reinvite_previous_round(ctx: workflow.StepContext) -> None:
    """A resubmitted version goes back to the reviewers who completed the previous round.

    Each is invited by the managing editor who assigned them before. Someone
    no longer eligible (capacity, lapsed credentials, …), or whose managing
    editor no longer is one, is skipped: the article then waits, submitted or
    under review, for a managing editor to assign someone.
    """
    article, version = ctx.article, ctx.result.version
    if version is None:
        return
    previous_round = ReviewAssignment.objects.filter(
        article=article, version__number__lt=version.number
    ).aggregate(last=Max("round"))["last"]
    if previous_round is None:
        return
    completed = (
        ReviewAssignment.objects.filter(
            article=article, round=previous_round, status=AssignmentStatus.COMPLETED
        )
        .select_related("reviewer__user", "assigned_by")
        .order_by("pk")
    )
    for previous in completed:
        try:
            _invite(article, previous.reviewer, previous.assigned_by, previous=previous)
        except (ReviewerNotEligible, NotPermitted):
            continue
    article.refresh_from_db(fields=["state"])
