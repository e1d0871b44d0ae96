"""Reviews, signatures and what they decide; publishing what the board approved.

Decision policy (one place: :func:`reviews.signatures.quorum_reached`): an article under review
is approved when the approvals of its current version reach
``article.approvals_needed`` (the specialty's number unless the article
overrides it) and nothing is outstanding: no accepted assignment of that
version still without a review, and no recommendation to reject (that one is
for the managing editor, who rejects or returns the article). Any change
request sends the article back to its editor at once.

The audit events written here are listed in ``reviews.assignments``' docstring.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

import core.audit_actions as audit_actions
from articles.content import compute_content_hash
from articles.models import Article, ArticleState, ArticleVersion
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import ContentInvalid, DomainError, NotPermitted
from core.roles import EDITING_ROLES

from . import workflow
from .assignments import (
    Move,
    announce_if_round_complete,
    audit,
    lock_assignment,
    move_assignment,
    open_text,
    require_own,
)
from .board import review_time_refusals, version_under_review
from .models import (
    CHECKLIST_ITEMS,
    AssignmentStatus,
    CommentResponse,
    Decision,
    PublicationSchedule,
    ResponseStatus,
    Review,
    ReviewAssignment,
    ReviewNote,
    ScheduleStatus,
    SectionComment,
)
from .roles import roles_for
from .signatures import SignatureMismatch, approvals_binding, one_per_person, quorum_reached

__all__ = [
    "SIGNATURE_MEANING",
    "ReviewRefused",
    "Signature",
    "SignatureMismatch",
    "SignatureRefused",
    "add_review_note",
    "answer_comment",
    "approvals_binding",
    "cancel_scheduled_publication",
    "publish_due",
    "reviewed_by",
    "schedule_publication",
    "submit_review",
]

S = ArticleState
SIGNATURE_MEANING = "I approve version {number} of this article as medically accurate."


class SignatureRefused(DomainError):
    """The approval could not be signed (password, idle session, lapsed credentials)."""

    code = "signature_refused"
    http_status = 403


class ReviewRefused(DomainError):
    code = "review_refused"
    http_status = 409


# --- submitting a review ------------------------------------------------------------------


def _normalised_checklist(checklist: dict | None) -> dict[str, bool]:
    checklist = checklist or {}
    unknown = sorted(set(checklist) - set(CHECKLIST_ITEMS))
    if unknown:
        raise ContentInvalid(
            f"Unknown checklist items: {', '.join(unknown)}.", fields={"checklist": ["Unknown items."]}
        )
    not_bool = sorted(k for k, v in checklist.items() if not isinstance(v, bool))
    if not_bool:
        raise ContentInvalid(
            f"Checklist answers are yes or no: {', '.join(not_bool)}.", fields={"checklist": ["Yes or no."]}
        )
    return {key: checklist.get(key, False) for key in CHECKLIST_ITEMS}


def _section_comments(version: ArticleVersion, items: Iterable[Sequence]) -> list[tuple[int, str, str]]:
    sections = set(version.sections.values_list("pk", flat=True))
    cleaned = []
    for index, (section_id, quote, comment) in enumerate(items):
        if section_id not in sections:
            raise ContentInvalid(
                f"Comment {index + 1} is anchored to a section that is not part of version {version.number}.",
                fields={f"section_comments[{index}].section": ["Not in this version."]},
            )
        comment = (comment or "").strip()
        if not comment:
            raise ContentInvalid(
                f"Comment {index + 1} is empty.", fields={f"section_comments[{index}].comment": ["Required."]}
            )
        cleaned.append((section_id, (quote or "").strip(), comment))
    return cleaned


def _check_comments(decision: str, comments: str, checklist: dict[str, bool], section_comments: list) -> None:
    if decision == Decision.APPROVE:
        unchecked = [CHECKLIST_ITEMS[k] for k, v in checklist.items() if not v]
        if unchecked and not comments:
            raise ContentInvalid(
                "An approval with unchecked items needs a comment explaining them: "
                + "; ".join(unchecked)
                + ".",
                fields={"comments": ["Explain the unchecked items."]},
            )
    elif decision == Decision.REQUEST_CHANGES and not comments and not section_comments:
        raise ContentInvalid(
            "Say what needs to change, in the overall comments or on a section.",
            fields={"comments": ["Required."]},
        )
    elif decision == Decision.RECOMMEND_REJECT and not comments:
        raise ContentInvalid(
            "A recommendation to reject needs the reasons in the overall comments.",
            fields={"comments": ["Required."]},
        )


def _check_signature(
    user: User,
    assignment: ReviewAssignment,
    password: str | None,
    session_last_activity: datetime.datetime | None,
    now: datetime.datetime,
) -> None:
    """Signing is re-authenticating: a fresh session, the password, current credentials."""
    minutes = settings.VETTED.get("SIGNING_IDLE_MINUTES", 15)
    if session_last_activity is None or now - session_last_activity > datetime.timedelta(minutes=minutes):
        raise SignatureRefused(
            f"Your session has been idle for more than {minutes} minutes: log in again to sign this approval."
        )
    if not password or not user.check_password(password):
        raise SignatureRefused("The password is not correct; the approval was not signed.")
    member = assignment.reviewer
    if not member.credentials_current(timezone.localdate(now)):
        raise SignatureRefused(
            "Your credentials are not verified as current"
            + (
                f" (they lapsed on {member.credentials_expire_on:%Y-%m-%d})"
                if member.credentials_expire_on
                else ""
            )
            + "; a managing editor must verify them before you can sign."
        )


def submit_review(
    assignment: ReviewAssignment,
    user: Actor,
    *,
    decision: str,
    comments: str = "",
    checklist: dict | None = None,
    section_comments: Iterable[Sequence] = (),
    password: str | None = None,
    session_last_activity: datetime.datetime | None = None,
    request_info: RequestInfo | None = None,
) -> Review:
    """Record ``user``'s review of their assignment and apply what it decides.

    ``section_comments`` holds ``(section_id, quote, comment)`` triples on
    sections of the assigned version. An approval is an electronic signature:
    ``password`` is checked every time, ``session_last_activity`` (when the
    session was last active; ``None`` counts as unknown) must be within
    SIGNING_IDLE_MINUTES, and the signer's credentials must be current.
    Anything refused raises and records nothing.
    """
    now = timezone.now()
    comments = (comments or "").strip()
    with transaction.atomic():
        # The article row is locked first: concurrent reviews of one article are
        # counted one after the other, so exactly one of them can decide.
        article, a = lock_assignment(assignment)
        reviewer = require_own(user, a)
        if a.status == AssignmentStatus.COMPLETED:
            raise ReviewRefused(
                f"You already submitted your review of version {a.version.number}; add a note to it instead."
            )
        if a.status != AssignmentStatus.ACCEPTED:
            raise ReviewRefused(
                f"This assignment is {a.get_status_display().lower()}; there is no review to submit."
            )
        version = open_text(user, a)  # conflict declared and not blocking
        under_review = version_under_review(article)
        if article.state != S.UNDER_REVIEW or under_review is None or under_review.pk != version.pk:
            raise ReviewRefused(f"Version {version.number} is no longer under review.")
        if Review.objects.filter(version=version, reviewer_id=a.reviewer_id).exists():
            # Assignment refuses this already; the check here keeps one person one voice whatever
            # path made the second assignment (the database constraint is the last word).
            raise ReviewRefused(
                f"You already reviewed version {version.number}; each board member counts once per version."
            )
        if not a.reviewer.is_active:
            raise ReviewRefused("Your board membership is inactive; you cannot submit reviews.")
        refusals = review_time_refusals(a.reviewer, article)
        if refusals:
            # Eligibility is checked again here, not only when assigning: a standing conflict
            # declared since (or a version written since) must stop the review.
            raise ReviewRefused(
                "You cannot review this article now: " + " ".join(r.message for r in refusals)
            )
        if decision not in Decision.values:
            raise ContentInvalid(
                f"Unknown decision {decision!r}; use one of: {', '.join(Decision.values)}.",
                fields={"decision": ["Unknown."]},
            )
        answers = _normalised_checklist(checklist)
        anchored = _section_comments(version, section_comments)
        _check_comments(decision, comments, answers, anchored)

        signature: dict[str, Any] = {}
        if decision == Decision.APPROVE:
            _check_signature(reviewer, a, password, session_last_activity, now)
            content_hash = compute_content_hash(version)
            if content_hash != version.content_hash:
                raise SignatureMismatch(
                    f"Version {version.number}'s text differs from what was submitted; it cannot be signed."
                )
            signature = {
                "signer": reviewer,
                "signer_name": a.reviewer.display_name,
                "signer_credentials": a.reviewer.credentials,
                "signed_at": now,
                "signature_meaning": SIGNATURE_MEANING.format(number=version.number),
                "signed_content_hash": content_hash,
            }
        review = Review.objects.create(
            assignment=a,
            version=version,
            reviewer=a.reviewer,
            decision=decision,
            comments=comments,
            checklist=answers,
            submitted_at=now,
            **signature,
        )
        SectionComment.objects.bulk_create(
            SectionComment(review=review, section_id=section_id, quote=quote, comment=comment)
            for section_id, quote, comment in anchored
        )
        signed_fields = {k: v for k, v in signature.items() if k != "signer"}
        audit(
            audit_actions.REVIEW_SIGNED if signature else audit_actions.REVIEW_SUBMITTED,
            a,
            user,
            before=AssignmentStatus.ACCEPTED,
            request_info=request_info,
            review_id=review.pk,
            decision=decision,
            section_comment_count=len(anchored),
            unchecked=[k for k, v in answers.items() if not v],
            **signed_fields,
        )
        # The transition runs while the reviewer's assignment is still "accepted":
        # that is what gives them the reviewer role the workflow checks.
        # The review goes with it: perform refuses these steps without the actor's own review.
        if decision == Decision.REQUEST_CHANGES:
            workflow.perform(
                article, workflow.Action.REQUEST_CHANGES, user, request_info=request_info, review=review
            )
        elif decision == Decision.APPROVE and quorum_reached(article, version, deciding=a):
            workflow.perform(article, workflow.Action.APPROVE, user, request_info=request_info, review=review)
        move_assignment(a, Move.COMPLETE, user, article=article, now=now)
        announce_if_round_complete(article, version, user)
    return review


def add_review_note(
    review: Review, user: Actor, text: str, *, request_info: RequestInfo | None = None
) -> ReviewNote:
    """A later comment on a submitted review; the decision itself never changes."""
    text = (text or "").strip()
    with transaction.atomic():
        _article, a = lock_assignment(review.assignment_id)
        reviewer = require_own(user, a)
        if not text:
            raise ContentInvalid("The note is empty.", fields={"text": ["Required."]})
        note = ReviewNote.objects.create(review_id=review.pk, author=reviewer, text=text)
        audit(
            audit_actions.REVIEW_NOTE_ADDED,
            a,
            user,
            request_info=request_info,
            review_id=review.pk,
            note_id=note.pk,
        )
    return note


def answer_comment(
    comment: SectionComment,
    editor: Actor,
    status: str,
    reason: str = "",
    *,
    request_info: RequestInfo | None = None,
) -> CommentResponse:
    """The editor's answer to a reviewer's section comment: resolved, or not changed and why."""
    reason = (reason or "").strip()
    comment = SectionComment.objects.select_related("review__assignment").get(pk=comment.pk)
    with transaction.atomic():
        article, a = lock_assignment(comment.review.assignment_id)
        # The system holds no editing role either: whoever answers is a signed-in person.
        account = signed_in(editor)
        if account is None or not roles_for(account, article) & EDITING_ROLES:
            raise NotPermitted("Only the article's editor or a managing editor answers reviewers' comments.")
        if status not in ResponseStatus.values:
            raise ContentInvalid(
                f"Unknown answer {status!r}; use one of: {', '.join(ResponseStatus.values)}.",
                fields={"status": ["Unknown."]},
            )
        if status == ResponseStatus.NOT_CHANGED and not reason:
            raise ContentInvalid(
                "Say why the text was not changed.", fields={"reason": ["Required when not changed."]}
            )
        if CommentResponse.objects.filter(comment=comment).exists():
            raise ReviewRefused("This comment has already been answered.")
        response = CommentResponse.objects.create(
            comment=comment, status=status, reason=reason, responded_by=account
        )
        audit(
            audit_actions.COMMENT_ANSWERED,
            a,
            editor,
            request_info=request_info,
            review_id=comment.review_id,
            comment_id=comment.pk,
            status=status,
            reason=reason,
        )
    return response


# --- what approvals bind, and who reviewed -----------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One approving reviewer, as readers and the review record show them."""

    name: str
    credentials: str
    signed_at: datetime.datetime
    meaning: str
    content_hash: str
    member_id: int
    conflict_declaration: str  # what they declared for this assignment, and any override


def _declaration(a: ReviewAssignment) -> str:
    if a.conflict_declared_at is None:
        return "No declaration."
    text = a.get_conflict_category_display()
    if a.conflict_details:
        text += f": {a.conflict_details}"
    if a.conflict_override_at is not None:
        text += f" (overridden by a managing editor: {a.conflict_override_reason})"
    return text


def reviewed_by(version: ArticleVersion) -> list[Signature]:
    """The signatures of the approvals of ``version``, oldest first."""
    approvals = one_per_person(
        Review.objects.filter(version=version, decision=Decision.APPROVE)
        .select_related("assignment")
        .order_by("signed_at", "pk")
    )
    return [
        Signature(
            name=r.signer_name,
            credentials=r.signer_credentials,
            signed_at=r.signed_at,
            meaning=r.signature_meaning,
            content_hash=r.signed_content_hash,
            member_id=r.reviewer_id,
            conflict_declaration=_declaration(r.assignment),
        )
        for r in approvals
        # Every approval is signed (submit_review); the column is nullable for the other decisions.
        if r.signed_at is not None
    ]


# --- scheduled publication --------------------------------------------------------------------


def _schedule_event(
    action: str, schedule: PublicationSchedule, actor: Actor, article: Article, **extra: Any
) -> None:
    record(
        action,
        actor=actor,
        target=schedule,
        article=article,
        state_before=article.state,
        state_after=article.state,
        payload={
            "schedule_id": schedule.pk,
            "version": schedule.version.number,
            "publish_at": schedule.publish_at,
            "scheduled_by_user_id": schedule.scheduled_by_id,
            **extra,
        },
    )


def schedule_publication(
    article: Article, at: datetime.datetime, by: Actor, *, request_info: RequestInfo | None = None
) -> PublicationSchedule:
    """Publish the approved version at ``at`` (``publish_due`` does it). Audited as
    ``publication.scheduled``; scheduling again moves the time."""
    with transaction.atomic():
        locked = Article.objects.select_for_update(of=("self",)).select_related("owner").get(pk=article.pk)
        version = version_under_review(locked)
        if locked.state != S.APPROVED or version is None:
            raise ReviewRefused("Only an approved article can be scheduled for publication.")
        # The system publishes what is due (publish_due) but never schedules: a schedule names the
        # person who set it (``scheduled_by``).
        scheduler = signed_in(by)
        if scheduler is None or workflow.Action.PUBLISH not in workflow.allowed_actions(locked, scheduler):
            raise NotPermitted(
                "Only the article's editor or a managing editor who may publish can schedule it."
            )
        if at <= timezone.now():
            raise ContentInvalid(
                "The publication time must be in the future.", fields={"at": ["In the past."]}
            )
        schedule, _ = PublicationSchedule.objects.update_or_create(
            article=locked,
            defaults={
                "version": version,
                "publish_at": at,
                "scheduled_by": scheduler,
                "scheduled_at": timezone.now(),
                "status": ScheduleStatus.PENDING,
                "finished_at": None,
                "outcome": "",
            },
        )
        _schedule_event(audit_actions.PUBLICATION_SCHEDULED, schedule, scheduler, locked)
    return schedule


def cancel_scheduled_publication(article: Article, by: Actor, *, reason: str = "") -> PublicationSchedule:
    with transaction.atomic():
        locked = Article.objects.select_for_update(of=("self",)).select_related("owner").get(pk=article.pk)
        schedule = (
            PublicationSchedule.objects.select_related("version")
            .filter(article=locked, status=ScheduleStatus.PENDING)
            .first()
        )
        if schedule is None:
            raise ReviewRefused("This article has no scheduled publication.")
        if not (roles_for(by, locked) & EDITING_ROLES):
            raise NotPermitted("Only the article's editor or a managing editor can cancel its publication.")
        _finish(schedule, ScheduleStatus.CANCELLED, (reason or "").strip() or "Cancelled.")
        _schedule_event(
            audit_actions.PUBLICATION_SCHEDULE_CANCELLED, schedule, by, locked, reason=schedule.outcome
        )
    return schedule


def _finish(schedule: PublicationSchedule, status: str, outcome: str = "") -> None:
    schedule.status = status
    schedule.outcome = outcome
    schedule.finished_at = timezone.now()
    schedule.save(update_fields=["status", "outcome", "finished_at"])


def publish_due(now: datetime.datetime | None = None) -> list[int]:
    """Publish every scheduled article whose time has come; returns their ids.

    For the periodic task. Each article is its own transaction. An article that
    is no longer approved (published by hand, revised, archived) or whose
    approved version changed has its schedule cancelled; one that cannot be
    published (its text no longer matches the signatures) is marked failed.
    Either is audited (``publication.schedule_cancelled`` / ``publication.failed``).
    """
    now = now or timezone.now()
    due = PublicationSchedule.objects.filter(status=ScheduleStatus.PENDING, publish_at__lte=now)
    published: list[int] = []
    for schedule_id, article_id in due.values_list("pk", "article_id"):
        with transaction.atomic():
            article = (
                Article.objects.select_for_update(of=("self",)).select_related("owner").get(pk=article_id)
            )
            schedule = (
                PublicationSchedule.objects.select_for_update(of=("self",))
                .select_related("version")
                .filter(pk=schedule_id, status=ScheduleStatus.PENDING)
                .first()
            )
            if schedule is None:
                continue
            current = version_under_review(article)
            if article.state != S.APPROVED or current is None or current.pk != schedule.version_id:
                _finish(
                    schedule, ScheduleStatus.CANCELLED, "The article is no longer approved for this version."
                )
                _schedule_event(
                    audit_actions.PUBLICATION_SCHEDULE_CANCELLED,
                    schedule,
                    None,
                    article,
                    reason=schedule.outcome,
                )
                continue
            try:
                with transaction.atomic():
                    workflow.perform(article, workflow.Action.PUBLISH, None)
            except DomainError as exc:
                _finish(schedule, ScheduleStatus.FAILED, exc.message)
                _schedule_event(audit_actions.PUBLICATION_FAILED, schedule, None, article, reason=exc.message)
                continue
            _finish(schedule, ScheduleStatus.PUBLISHED)
            published.append(article_id)
    return published
