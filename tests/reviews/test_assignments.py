"""The assignment lifecycle: invite, accept, decline, expire, replace, extend, cancel, and
the conflict declaration that must come before reading the text."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.roles import EDITOR
from articles.models import Article, ArticleState
from audit.models import AuditEvent
from core.errors import ContentInvalid, NotPermitted
from core.roles import Role
from reviews.assignments import (
    AssignmentRefused,
    accept_assignment,
    assign_reviewer,
    assignment_for,
    can_open_text,
    cancel_assignment,
    decide_extension,
    declare_conflict,
    decline_assignment,
    expire_overdue_invitations,
    has_open_assignment,
    open_text,
    override_conflict,
    request_extension,
)
from reviews.models import AssignmentStatus, ConflictCategory, ExtensionStatus, ReviewAssignment
from reviews.roles import roles_for
from tests.factories import make_user
from tests.reviews.helpers import make_reviewer

BASE_KEYS = {"assignment_id", "reviewer_user_id", "assigned_by_user_id", "version", "round"}


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("seq")


def unchanged(assignment: ReviewAssignment):
    """A snapshot to compare after a refusal: the row and the audit trail's length."""
    row = ReviewAssignment.objects.filter(pk=assignment.pk).values().get()
    return row, AuditEvent.objects.count()


# --- inviting --------------------------------------------------------------------------------


def test_the_first_assignment_starts_the_review(article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)

    assert Article.objects.get(pk=article.pk).state == ArticleState.UNDER_REVIEW
    assert assignment.version == article.latest_version()
    assert assignment.round == 1
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["article.start_review", "assignment.invited"]
    event = last_event("assignment.invited")
    assert event.actor_id == managing.pk
    assert event.target_type == "reviewassignment" and event.target_id == str(assignment.pk)
    assert event.article_id == article.pk
    assert set(event.payload) >= BASE_KEYS
    assert event.payload["reviewer_user_id"] == reviewer.user_id
    assert event.payload["assigned_by_user_id"] == managing.pk


def test_a_second_assignment_leaves_the_state_alone(article, reviewer, reviewer2, managing):
    assign_reviewer(article, reviewer, managing)
    assign_reviewer(article, reviewer2, managing)
    assert AuditEvent.objects.filter(action="article.start_review").count() == 1


def test_default_deadlines_two_days_to_answer_seven_to_review_after_accepting(article, reviewer, managing):
    before = timezone.now()
    assignment = assign_reviewer(article, reviewer, managing)
    assert (
        before + datetime.timedelta(days=2)
        <= assignment.respond_by
        <= timezone.now() + datetime.timedelta(days=2)
    )
    assert assignment.due_at is None

    accepted = accept_assignment(assignment, reviewer.user)
    assert accepted.status == AssignmentStatus.ACCEPTED
    assert accepted.due_at == accepted.accepted_at + datetime.timedelta(days=7)


def test_a_given_due_date_is_kept_on_accepting(article, reviewer, managing):
    due = timezone.now() + datetime.timedelta(days=20)
    assignment = assign_reviewer(article, reviewer, managing, due_at=due)
    assert accept_assignment(assignment, reviewer.user).due_at == due


def test_only_a_managing_editor_assigns(article, reviewer, editor):
    with pytest.raises(NotPermitted):
        assign_reviewer(article, reviewer, editor)
    assert not ReviewAssignment.objects.exists()
    assert Article.objects.get(pk=article.pk).state == ArticleState.SUBMITTED


def test_a_draft_cannot_be_assigned(editor, reviewer, managing, specialty):
    from tests.factories import make_article

    with pytest.raises(AssignmentRefused, match="submitted version"):
        assign_reviewer(make_article(editor, specialty), reviewer, managing)


# --- answering ---------------------------------------------------------------------------------


def test_declining_needs_a_reason(article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)
    before = unchanged(assignment)
    with pytest.raises(ContentInvalid, match="reason"):
        decline_assignment(assignment, reviewer.user, reason="  ")
    assert unchanged(assignment) == before


def test_declining_keeps_the_reason_and_the_suggestion(article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)
    declined = decline_assignment(
        assignment, reviewer.user, reason="On leave until March.", suggested_alternative="Dr Chen"
    )
    assert declined.status == AssignmentStatus.DECLINED
    assert declined.declined_at is not None
    assert (declined.decline_reason, declined.suggested_alternative) == ("On leave until March.", "Dr Chen")
    event = last_event("assignment.declined")
    assert (event.state_before, event.state_after) == ("invited", "declined")
    assert event.payload["reason"] == "On leave until March."
    assert event.payload["suggested_alternative"] == "Dr Chen"


def test_an_invitation_cannot_be_accepted_twice(article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)
    accept_assignment(assignment, reviewer.user)
    with pytest.raises(AssignmentRefused, match="accepted"):
        accept_assignment(assignment, reviewer.user)


def test_unanswered_invitations_expire(article, reviewer, reviewer2, managing):
    late = assign_reviewer(article, reviewer, managing)
    answered = assign_reviewer(article, reviewer2, managing)
    accept_assignment(answered, reviewer2.user)

    later = timezone.now() + datetime.timedelta(days=3)
    assert expire_overdue_invitations(later) == 1
    assert expire_overdue_invitations(later) == 0  # a second run finds nothing left

    late.refresh_from_db()
    assert late.status == AssignmentStatus.EXPIRED and late.expired_at == later
    assert ReviewAssignment.objects.get(pk=answered.pk).status == AssignmentStatus.ACCEPTED
    event = last_event("assignment.expired")
    assert event.actor is None and event.actor_label == "system"
    assert event.payload["assignment_id"] == late.pk


def test_invitations_within_their_deadline_do_not_expire(article, reviewer, managing):
    assign_reviewer(article, reviewer, managing)
    assert expire_overdue_invitations(timezone.now() + datetime.timedelta(days=1)) == 0


def test_replacing_a_declined_assignment_keeps_the_history(article, reviewer, reviewer2, managing):
    first = assign_reviewer(article, reviewer, managing)
    decline_assignment(first, reviewer.user, reason="Conflict with travel.")

    second = assign_reviewer(article, reviewer2, managing, replaces=first)

    assert second.replaces == first
    first.refresh_from_db()
    assert first.status == AssignmentStatus.DECLINED
    assert list(first.replaced_by.all()) == [second]
    assert last_event("assignment.invited").payload["replaces_assignment_id"] == first.pk


def test_replacing_an_expired_assignment(article, reviewer, reviewer2, managing):
    first = assign_reviewer(article, reviewer, managing)
    expire_overdue_invitations(timezone.now() + datetime.timedelta(days=3))
    assert assign_reviewer(article, reviewer2, managing, replaces=first).replaces == first


def test_an_open_assignment_cannot_be_replaced(article, reviewer, reviewer2, managing):
    first = assign_reviewer(article, reviewer, managing)
    with pytest.raises(AssignmentRefused, match="invited"):
        assign_reviewer(article, reviewer2, managing, replaces=first)
    assert not ReviewAssignment.objects.filter(reviewer=reviewer2).exists()


def test_an_assignment_is_replaced_only_once(article, reviewer, reviewer2, managing, specialty):
    first = assign_reviewer(article, reviewer, managing)
    decline_assignment(first, reviewer.user, reason="Busy.")
    assign_reviewer(article, reviewer2, managing, replaces=first)
    third = make_reviewer("cy", specialty)
    with pytest.raises(AssignmentRefused, match="already been replaced"):
        assign_reviewer(article, third, managing, replaces=first)


def test_a_reviewer_who_declined_can_be_invited_again(article, reviewer, managing):
    first = assign_reviewer(article, reviewer, managing)
    decline_assignment(first, reviewer.user, reason="Away this week.")

    again = assign_reviewer(article, reviewer, managing)

    assert again.pk != first.pk and again.status == AssignmentStatus.INVITED
    assert list(
        ReviewAssignment.objects.filter(reviewer=reviewer).order_by("pk").values_list("status", flat=True)
    ) == [
        "declined",
        "invited",
    ]


# --- extensions ----------------------------------------------------------------------------------


@pytest.fixture
def accepted(article, reviewer, managing):
    return accept_assignment(assign_reviewer(article, reviewer, managing), reviewer.user)


def test_a_granted_extension_moves_the_due_date(accepted, reviewer, managing):
    until = accepted.due_at + datetime.timedelta(days=5)
    request_extension(accepted, reviewer.user, until=until, reason="Waiting for the full text of [2].")
    requested = last_event("assignment.extension_requested")
    assert requested.actor_id == reviewer.user.pk
    assert requested.payload["reason"] == "Waiting for the full text of [2]."

    granted = decide_extension(accepted, True, managing, note="Fine.")

    assert granted.due_at == until
    assert granted.extension_status == ExtensionStatus.GRANTED
    assert (granted.extension_decided_by_id, granted.extension_decided_at is not None) == (managing.pk, True)
    assert last_event("assignment.extension_granted").actor_id == managing.pk


def test_a_refused_extension_keeps_the_due_date(accepted, reviewer, managing):
    due = accepted.due_at
    request_extension(accepted, reviewer.user, until=due + datetime.timedelta(days=5), reason="Busy week.")

    refused = decide_extension(accepted, False, managing)

    assert refused.due_at == due
    assert refused.extension_status == ExtensionStatus.REFUSED
    assert last_event("assignment.extension_refused").payload["due_at"] is not None


def test_an_extension_needs_a_reason_and_a_later_date(accepted, reviewer):
    with pytest.raises(ContentInvalid, match="reason"):
        request_extension(
            accepted, reviewer.user, until=accepted.due_at + datetime.timedelta(days=1), reason=""
        )
    with pytest.raises(ContentInvalid, match="later"):
        request_extension(accepted, reviewer.user, until=accepted.due_at, reason="More time.")


def test_only_a_managing_editor_decides_an_extension(accepted, reviewer, editor):
    request_extension(
        accepted, reviewer.user, until=accepted.due_at + datetime.timedelta(days=3), reason="Ill."
    )
    before = unchanged(accepted)
    with pytest.raises(NotPermitted):
        decide_extension(accepted, True, reviewer.user)
    with pytest.raises(NotPermitted):
        decide_extension(accepted, True, editor)
    assert unchanged(accepted) == before


def test_deciding_without_a_request_is_refused(accepted, managing):
    with pytest.raises(AssignmentRefused, match="no request"):
        decide_extension(accepted, True, managing)


# --- cancelling ---------------------------------------------------------------------------------


def test_a_managing_editor_cancels_with_a_reason(accepted, managing):
    with pytest.raises(ContentInvalid):
        cancel_assignment(accepted, managing, reason="")
    cancelled = cancel_assignment(accepted, managing, reason="Reviewer unreachable.")
    assert cancelled.status == AssignmentStatus.CANCELLED
    assert cancelled.cancel_reason == "Reviewer unreachable."
    event = last_event("assignment.cancelled")
    assert (event.state_before, event.state_after) == ("accepted", "cancelled")
    assert event.payload["automatic"] is False


# --- the conflict declaration -------------------------------------------------------------------------


def test_the_text_stays_closed_until_the_reviewer_declares(accepted, reviewer):
    assert not can_open_text(reviewer.user, accepted)
    with pytest.raises(NotPermitted, match="Declare"):
        open_text(reviewer.user, accepted)

    declared = declare_conflict(accepted, reviewer.user, category=ConflictCategory.NONE)

    assert can_open_text(reviewer.user, declared)
    assert open_text(reviewer.user, declared) == declared.version


def test_a_declared_conflict_blocks_until_a_managing_editor_overrides(accepted, reviewer, managing):
    declared = declare_conflict(
        accepted,
        reviewer.user,
        category=ConflictCategory.FINANCIAL,
        details="Consulting fees from the maker.",
    )
    assert declared.conflict_blocks
    assert not can_open_text(reviewer.user, declared)
    event = last_event("assignment.conflict_declared")
    assert event.payload["category"] == "financial" and event.payload["blocks"] is True

    with pytest.raises(ContentInvalid, match="reason"):
        override_conflict(declared, managing, reason=" ")
    overridden = override_conflict(declared, managing, reason="Fees ended in 2019; no current interest.")

    assert can_open_text(reviewer.user, overridden)
    assert overridden.conflict_override_by_id == managing.pk
    event = last_event("assignment.conflict_overridden")
    assert event.actor_id == managing.pk
    assert event.payload["reason"] == "Fees ended in 2019; no current interest."


def test_a_conflict_needs_details(accepted, reviewer):
    with pytest.raises(ContentInvalid, match="Describe"):
        declare_conflict(accepted, reviewer.user, category=ConflictCategory.PERSONAL)


def test_a_reviewer_cannot_take_back_a_declared_conflict(accepted, reviewer):
    declare_conflict(
        accepted, reviewer.user, category=ConflictCategory.PERSONAL, details="The author is my sister."
    )
    with pytest.raises(AssignmentRefused, match="stands"):
        declare_conflict(accepted, reviewer.user, category=ConflictCategory.NONE)
    assert not can_open_text(
        reviewer.user, ReviewAssignment.objects.select_related("reviewer").get(pk=accepted.pk)
    )


def test_a_conflict_found_later_can_still_be_declared(accepted, reviewer):
    declare_conflict(accepted, reviewer.user, category=ConflictCategory.NONE)
    later = declare_conflict(
        accepted, reviewer.user, category=ConflictCategory.OTHER, details="Just noticed."
    )
    assert later.conflict_blocks


def test_only_a_managing_editor_overrides(accepted, reviewer, editor):
    declare_conflict(accepted, reviewer.user, category=ConflictCategory.OTHER, details="Old co-author.")
    with pytest.raises(NotPermitted):
        override_conflict(accepted, editor, reason="Looks fine to me.")
    with pytest.raises(NotPermitted):
        override_conflict(accepted, reviewer.user, reason="Looks fine to me.")


def test_the_declaration_is_kept_when_the_reviewer_declines(article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)
    declare_conflict(
        assignment, reviewer.user, category=ConflictCategory.FINANCIAL, details="Shares in the maker."
    )
    declined = decline_assignment(assignment, reviewer.user, reason="Conflict of interest.")
    assert (declined.conflict_category, declined.conflict_details) == ("financial", "Shares in the maker.")
    assert declined.conflict_declared_at is not None


# --- nobody else's assignment ---------------------------------------------------------------------------


def test_a_reviewer_cannot_see_or_act_on_an_assignment_not_theirs(article, reviewer, reviewer2, managing):
    theirs = assign_reviewer(article, reviewer, managing)
    other = reviewer2.user
    before = unchanged(theirs)

    with pytest.raises(NotPermitted, match="not yours"):
        assignment_for(other, theirs.pk)
    for act in (
        lambda: accept_assignment(theirs, other),
        lambda: decline_assignment(theirs, other, reason="Not mine."),
        lambda: declare_conflict(theirs, other, category=ConflictCategory.NONE),
        lambda: request_extension(
            theirs, other, until=timezone.now() + datetime.timedelta(days=30), reason="x"
        ),
        lambda: open_text(other, theirs),
    ):
        with pytest.raises(NotPermitted, match="not yours"):
            act()
    assert not can_open_text(other, theirs)
    assert unchanged(theirs) == before


def test_the_reviewer_and_managing_editors_can_see_an_assignment(article, reviewer, managing, editor):
    assignment = assign_reviewer(article, reviewer, managing)
    assert assignment_for(reviewer.user, assignment.pk) == assignment
    assert assignment_for(managing, assignment.pk) == assignment
    with pytest.raises(NotPermitted):
        assignment_for(editor, assignment.pk)
    with pytest.raises(NotPermitted):
        assignment_for(make_user("stranger", EDITOR), 10_000)


# --- the reviewer role on the article ------------------------------------------------------------------


def test_the_reviewer_role_comes_with_an_accepted_assignment_only(article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)
    assert not has_open_assignment(reviewer.user, article)
    accept_assignment(assignment, reviewer.user)
    assert has_open_assignment(reviewer.user, article)
    assert Role.REVIEWER in roles_for(reviewer.user, Article.objects.get(pk=article.pk))
    cancel_assignment(assignment, managing, reason="Reassigning.")
    assert not has_open_assignment(reviewer.user, article)


def test_nobody_signed_out_or_the_system_holds_an_open_assignment(article, reviewer, managing):
    # Found by typing reviews/roles.py: filtering by an AnonymousUser made Django raise instead of
    # answering no. The domain refuses a signed-out person; it never crashes on one.
    accept_assignment(assign_reviewer(article, reviewer, managing), reviewer.user)
    assert not has_open_assignment(AnonymousUser(), article)
    assert not has_open_assignment(None, article)
    assert has_open_assignment(reviewer.user, article)
