"""Resubmission: the revised version goes back to the same reviewers as round 2, who see
what changed word by word and which references moved."""

from __future__ import annotations

import pytest

from articles.models import Article, ArticleState, Audience
from audit.models import AuditEvent
from reviews.assignments import assign_reviewer, decline_assignment
from reviews.diff import diffs_for_reviewer
from reviews.models import AssignmentStatus, ReviewAssignment
from tests.reviews.helpers import approve, ready_to_review, request_changes, resubmit


@pytest.fixture
def round_one(article, reviewer, reviewer2, managing):
    """Two reviewers in round 1: one approves, the other requests changes."""
    Article.objects.filter(pk=article.pk).update(required_approvals=2)
    first = ready_to_review(article, reviewer, managing)
    second = ready_to_review(article, reviewer2, managing)
    approve(first)
    request_changes(second)
    return first, second


def test_resubmission_invites_the_same_reviewers_as_round_two(article, round_one, editor, managing):
    article = resubmit(article, editor)

    round_two = ReviewAssignment.objects.filter(round=2).select_related("version").order_by("pk")
    assert [a.reviewer_id for a in round_two] == [a.reviewer_id for a in round_one]
    assert all(a.status == AssignmentStatus.INVITED for a in round_two)
    assert all(a.assigned_by_id == managing.pk for a in round_two)
    assert {a.version.number for a in round_two} == {2}
    assert article.state == ArticleState.UNDER_REVIEW
    invited = AuditEvent.objects.filter(action="assignment.invited", payload__round=2)
    assert invited.count() == 2
    assert all(e.payload["automatic"] for e in invited)
    assert {e.payload["previous_assignment_id"] for e in invited} == {a.pk for a in round_one}


def test_only_reviewers_who_completed_round_one_are_invited_again(
    article, reviewer, reviewer2, managing, editor
):

    reviewed = ready_to_review(article, reviewer, managing)
    decline_assignment(assign_reviewer(article, reviewer2, managing), reviewer2.user, reason="On leave.")
    request_changes(reviewed)

    resubmit(article, editor)

    assert list(ReviewAssignment.objects.filter(round=2).values_list("reviewer", flat=True)) == [reviewer.pk]


def test_a_reviewer_no_longer_eligible_is_not_invited_again(article, round_one, editor, reviewer, reviewer2):
    reviewer.is_active = False
    reviewer.save()

    article = resubmit(article, editor)

    assert list(ReviewAssignment.objects.filter(round=2).values_list("reviewer", flat=True)) == [reviewer2.pk]
    assert article.state == ArticleState.UNDER_REVIEW


def test_round_two_reviewers_see_what_changed(article, round_one, editor, reviewer):
    resubmit(article, editor)
    assignment = ReviewAssignment.objects.select_related("article", "version").get(round=2, reviewer=reviewer)

    diffs = diffs_for_reviewer(assignment)

    assert set(diffs) == {"previous_review"}  # nothing published yet
    diff = diffs["previous_review"]
    assert (diff.old_number, diff.new_number) == (1, 2)
    [section] = diff.sections[Audience.PATIENT]
    assert section.status == "changed"
    changes = [(op.op, op.old, op.new) for op in section.ops if op.op != "equal"]
    assert ("delete", "can help", "") in changes or ("replace", "can help", "helps") in changes
    assert any("3" in op.new for op in section.ops if op.op in ("insert", "replace"))
    by_status = {r.status: r for r in diff.references}
    assert by_status["added"].new["title"] == "Cerclage in twin pregnancies"
    assert by_status["changed"].changed_fields == {"year": (2017, 2018)}
    assert "removed" not in by_status
