"""Reviews and what they decide: the quorum, the electronic signature, and publishing only
the text that was signed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from articles.content import compute_content_hash
from articles.errors import ContentInvalid, NotPermitted
from articles.models import Article, ArticleState, Section
from audit.models import AuditEvent
from reviews.assignments import assign_reviewer
from reviews.board import ReviewerNotEligible
from reviews.decisions import (
    ReviewRefused,
    SignatureMismatch,
    SignatureRefused,
    add_review_note,
    answer_comment,
    reviewed_by,
    submit_review,
)
from reviews.models import (
    AssignmentStatus,
    ConflictCategory,
    Decision,
    Review,
    ReviewAssignment,
    ReviewIsFinal,
    SectionComment,
)
from reviews.workflow import Action, next_review_date, perform
from tests.reviews.helpers import ALL_CHECKED, approve, make_reviewer, ready_to_review, request_changes


def state_of(article) -> str:
    return Article.objects.get(pk=article.pk).state


def status_of(assignment) -> str:
    return ReviewAssignment.objects.get(pk=assignment.pk).status


def actions_since(seq: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True))


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def two_needed(article):
    Article.objects.filter(pk=article.pk).update(required_approvals=2)
    return Article.objects.get(pk=article.pk)


# --- quorum ---------------------------------------------------------------------------------


def test_one_approval_approves_when_one_is_required(article, reviewer, managing):
    approve(ready_to_review(article, reviewer, managing))
    assert state_of(article) == ArticleState.APPROVED


def test_with_two_required_one_approval_leaves_it_under_review(two_needed, reviewer, reviewer2, managing):
    first = ready_to_review(two_needed, reviewer, managing)
    ready_to_review(two_needed, reviewer2, managing)

    approve(first)

    assert state_of(two_needed) == ArticleState.UNDER_REVIEW
    assert status_of(first) == AssignmentStatus.COMPLETED


def test_with_two_required_the_second_approval_approves(two_needed, reviewer, reviewer2, managing):
    first = ready_to_review(two_needed, reviewer, managing)
    second = ready_to_review(two_needed, reviewer2, managing)
    approve(first)
    mark = last_seq()

    approve(second)

    assert state_of(two_needed) == ArticleState.APPROVED
    assert actions_since(mark) == ["review.signed", "article.approve", "review.round_complete"]
    event = AuditEvent.objects.get(action="article.approve")
    assert event.actor_id == reviewer2.user.pk


def test_a_change_request_in_between_sends_it_back_and_closes_the_other(
    two_needed, reviewer, reviewer2, managing
):
    first = ready_to_review(two_needed, reviewer, managing)
    second = ready_to_review(two_needed, reviewer2, managing)
    approve(first)
    mark = last_seq()

    request_changes(second)

    assert state_of(two_needed) == ArticleState.CHANGES_REQUESTED
    assert actions_since(mark) == ["review.submitted", "article.request_changes", "review.round_complete"]
    assert status_of(second) == AssignmentStatus.COMPLETED


def test_a_change_request_cancels_the_other_open_assignments_with_a_note(
    two_needed, reviewer, reviewer2, managing
):
    first = ready_to_review(two_needed, reviewer, managing)
    second = ready_to_review(two_needed, reviewer2, managing)

    request_changes(first)

    second.refresh_from_db()
    assert second.status == AssignmentStatus.CANCELLED
    assert "Another reviewer requested changes" in second.cancel_reason
    cancelled = AuditEvent.objects.get(action="assignment.cancelled")
    assert cancelled.payload["automatic"] is True
    assert cancelled.payload["reviewer_user_id"] == reviewer2.user_id
    # The second reviewer can no longer act on it.
    with pytest.raises(ReviewRefused, match="cancelled"):
        approve(second)


def test_approval_waits_for_every_accepted_reviewer(article, reviewer, reviewer2, managing):
    # One approval is enough by policy, but a second reviewer has accepted and not answered yet.
    first = ready_to_review(article, reviewer, managing)
    ready_to_review(article, reviewer2, managing)
    approve(first)
    assert state_of(article) == ArticleState.UNDER_REVIEW


def test_an_unanswered_invitation_is_closed_when_the_article_is_approved(
    article, reviewer, reviewer2, managing
):
    first = ready_to_review(article, reviewer, managing)
    pending = assign_reviewer(article, reviewer2, managing)
    approve(first)
    assert state_of(article) == ArticleState.APPROVED
    assert status_of(pending) == AssignmentStatus.CANCELLED


def test_a_recommendation_to_reject_goes_to_the_managing_editor(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)

    submit_review(
        assignment,
        reviewer.user,
        decision=Decision.RECOMMEND_REJECT,
        comments="The evidence cited is retracted.",
    )

    assert state_of(article) == ArticleState.UNDER_REVIEW
    event = AuditEvent.objects.get(action="review.submitted")
    assert event.payload["decision"] == "recommend_reject"
    assert AuditEvent.objects.filter(action="review.round_complete").exists()
    perform(article, Action.REJECT, managing, reason="Retracted evidence; not salvageable.")
    assert state_of(article) == ArticleState.REJECTED


def test_a_recommendation_to_reject_holds_back_approval(two_needed, reviewer, reviewer2, managing, specialty):
    third = make_reviewer("cy", specialty)
    a, b, c = (ready_to_review(two_needed, m, managing) for m in (reviewer, reviewer2, third))
    submit_review(a, reviewer.user, decision=Decision.RECOMMEND_REJECT, comments="Unsafe dosing advice.")
    approve(b)
    approve(c)
    assert state_of(two_needed) == ArticleState.UNDER_REVIEW


def test_the_round_complete_event_names_who_to_tell(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    request_changes(assignment)
    event = AuditEvent.objects.get(action="review.round_complete")
    assert event.payload["assigned_by_user_ids"] == [managing.pk]
    assert event.payload["reviewer_user_ids"] == [reviewer.user_id]
    assert event.payload["decisions"] == {"request_changes": 1}
    assert event.payload["round"] == 1


# --- what a review must contain ---------------------------------------------------------------


def test_an_approval_with_an_unchecked_item_needs_a_comment(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    checklist = {**ALL_CHECKED, "patient_plain_language": False}
    with pytest.raises(ContentInvalid, match="Patient version in plain language"):
        approve(assignment, checklist=checklist, comments="")
    assert not Review.objects.exists()

    review = approve(assignment, checklist=checklist, comments="Grade 9 is acceptable for this topic.")
    assert review.checklist["patient_plain_language"] is False


def test_a_change_request_must_say_what_to_change(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    with pytest.raises(ContentInvalid):
        request_changes(assignment, comments="")
    assert state_of(article) == ArticleState.UNDER_REVIEW


def test_section_comments_are_kept_with_their_quote(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    section = assignment.version.sections.get()
    review = request_changes(
        assignment, comments="", section_comments=[(section.pk, "A stitch can help", "Say for whom.")]
    )
    comment = review.section_comments.select_related("section").get()
    assert (comment.section, comment.quote, comment.comment) == (
        section,
        "A stitch can help",
        "Say for whom.",
    )


def test_a_comment_on_a_section_of_another_version_is_refused(article, reviewer, managing, editor, specialty):
    from tests.factories import make_article

    other_section = make_article(editor, specialty, slug="other").latest_version().sections.first()
    assignment = ready_to_review(article, reviewer, managing)
    with pytest.raises(ContentInvalid, match="not part of version 1"):
        request_changes(assignment, section_comments=[(other_section.pk, "", "Nope.")])
    assert not Review.objects.exists()


def test_a_blocking_conflict_stops_the_review(article, reviewer, managing):
    from reviews.assignments import accept_assignment, declare_conflict

    assignment = accept_assignment(assign_reviewer(article, reviewer, managing), reviewer.user)
    declare_conflict(assignment, reviewer.user, category=ConflictCategory.FINANCIAL, details="Speaker fees.")
    with pytest.raises(NotPermitted, match="conflict"):
        approve(assignment)
    assert not Review.objects.exists()


def test_a_reviewer_cannot_review_an_assignment_not_theirs(article, reviewer, reviewer2, managing):
    theirs = ready_to_review(article, reviewer, managing)
    events = AuditEvent.objects.count()
    with pytest.raises(NotPermitted, match="not yours"):
        submit_review(theirs, reviewer2.user, decision=Decision.REQUEST_CHANGES, comments="Hijack.")
    assert not Review.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_review_is_submitted_once(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    submit_review(assignment, reviewer.user, decision=Decision.RECOMMEND_REJECT, comments="Off-label claims.")
    with pytest.raises(ReviewRefused, match="already submitted"):
        approve(assignment)


# --- the signature ------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_records_nothing(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    events = AuditEvent.objects.count()

    with pytest.raises(SignatureRefused, match="password"):
        approve(assignment, password="not-my-password")

    assert not Review.objects.exists()
    assert AuditEvent.objects.count() == events
    assert status_of(assignment) == AssignmentStatus.ACCEPTED
    assert state_of(article) == ArticleState.UNDER_REVIEW


def test_a_missing_password_is_refused(article, reviewer, managing):
    with pytest.raises(SignatureRefused):
        approve(ready_to_review(article, reviewer, managing), password=None)
    assert not Review.objects.exists()


def test_an_idle_session_must_log_in_again(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    idle = timezone.now() - datetime.timedelta(minutes=16)
    with pytest.raises(SignatureRefused, match="log in again"):
        approve(assignment, session_last_activity=idle)
    with pytest.raises(SignatureRefused, match="log in again"):
        approve(assignment, session_last_activity=None)
    assert not Review.objects.exists()


def test_the_idle_limit_is_a_setting(article, reviewer, managing, settings):
    settings.VETTED = {**settings.VETTED, "SIGNING_IDLE_MINUTES": 60}
    assignment = ready_to_review(article, reviewer, managing)
    approve(assignment, session_last_activity=timezone.now() - datetime.timedelta(minutes=30))
    assert Review.objects.filter(assignment=assignment).exists()


def test_lapsed_credentials_cannot_sign(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    reviewer.credentials_expire_on = timezone.localdate() - datetime.timedelta(days=1)
    reviewer.save()
    with pytest.raises(SignatureRefused, match="lapsed"):
        approve(assignment)
    assert not Review.objects.exists()


def test_the_signature_records_who_what_when_and_over_which_text(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    version = assignment.version
    before = timezone.now()

    review = approve(assignment)

    assert review.signer == reviewer.user
    assert (review.signer_name, review.signer_credentials) == ("Dr Ana Reyes", "MD")
    assert before <= review.signed_at <= timezone.now()
    assert review.signature_meaning == "I approve version 1 of this article as medically accurate."
    assert review.signed_content_hash == compute_content_hash(version) == version.content_hash
    event = AuditEvent.objects.get(action="review.signed")
    assert event.payload["signed_content_hash"] == review.signed_content_hash
    assert event.payload["signer_credentials"] == "MD"
    assert not AuditEvent.objects.filter(action="review.submitted").exists()  # one event per review


def test_credentials_changed_later_do_not_change_the_signature(article, reviewer, managing):
    review = approve(ready_to_review(article, reviewer, managing))
    reviewer.credentials = "MD, PhD"
    reviewer.save()
    assert reviewed_by(review.version)[0].credentials == "MD"


def test_reviewed_by_lists_the_signers(two_needed, reviewer, reviewer2, managing):
    for member in (reviewer, reviewer2):
        approve(ready_to_review(two_needed, member, managing))
    signatures = reviewed_by(two_needed.latest_version())
    assert [(s.name, s.credentials) for s in signatures] == [
        ("Dr Ana Reyes", "MD"),
        ("Dr Ben Okafor", "MD, FACOG"),
    ]
    assert signatures[0].conflict_declaration == "No conflict"


def test_a_submitted_review_is_final_but_takes_notes(article, reviewer, reviewer2, managing):
    review = approve(ready_to_review(article, reviewer, managing))
    review.comments = "Changed my mind."
    with pytest.raises(ReviewIsFinal):
        review.save()
    with pytest.raises(ReviewIsFinal):
        Review.objects.filter(pk=review.pk).update(decision=Decision.REQUEST_CHANGES)

    note = add_review_note(review, reviewer.user, "A 2025 update of [1] is due; re-check then.")

    assert note.review_id == review.pk and note.author_id == reviewer.user.pk
    assert AuditEvent.objects.get(action="review.note_added").payload["note_id"] == note.pk
    with pytest.raises(NotPermitted):
        add_review_note(review, reviewer2.user, "Not my review.")
    assert Review.objects.get(pk=review.pk).decision == Decision.APPROVE


# --- publishing what was signed ------------------------------------------------------------------


def test_publishing_an_approved_article_records_the_review(article, reviewer, managing, editor):
    review = approve(ready_to_review(article, reviewer, managing))
    perform(article, Action.PUBLISH, editor)
    published = Article.objects.get(pk=article.pk)
    assert published.published_version_id == review.version_id
    assert published.last_reviewed_at == review.signed_at
    assert published.next_review_due == next_review_date(review.signed_at, 12)


def test_changing_the_text_after_approval_blocks_publishing(article, reviewer, managing, editor):
    review = approve(ready_to_review(article, reviewer, managing))
    section = Section.objects.get(version=review.version)
    # Tampering below the application: a raw UPDATE nobody's code would allow.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_section SET body = %s WHERE id = %s",
            [section.body.replace("some women", "every woman"), section.pk],
        )

    with pytest.raises(SignatureMismatch, match="Dr Ana Reyes"):
        perform(article, Action.PUBLISH, editor)

    assert state_of(article) == ArticleState.APPROVED
    assert Article.objects.get(pk=article.pk).published_version is None
    assert not AuditEvent.objects.filter(action="article.publish").exists()


# --- the editor's answers ---------------------------------------------------------------------------


@pytest.fixture
def comment(article, reviewer, managing) -> SectionComment:
    assignment = ready_to_review(article, reviewer, managing)
    section = assignment.version.sections.get()
    review = request_changes(assignment, section_comments=[(section.pk, "", "Cite the newer guideline.")])
    return review.section_comments.get()


def test_not_changed_needs_a_reason(comment, editor):
    with pytest.raises(ContentInvalid, match="why"):
        answer_comment(comment, editor, "not_changed")
    response = answer_comment(comment, editor, "not_changed", "The 2014 guideline is still current.")
    assert response.reason == "The 2014 guideline is still current."
    event = AuditEvent.objects.get(action="comment.answered")
    assert event.payload["comment_id"] == comment.pk and event.payload["status"] == "not_changed"


def test_resolving_needs_no_reason_and_happens_once(comment, editor):
    answer_comment(comment, editor, "resolved")
    with pytest.raises(ReviewRefused, match="already been answered"):
        answer_comment(comment, editor, "not_changed", "Second thoughts.")


def test_only_the_editor_or_a_managing_editor_answers(comment, reviewer2):
    with pytest.raises(NotPermitted):
        answer_comment(comment, reviewer2.user, "resolved")


# --- what the queue relies on -----------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "request_changes", "reject", "return", "withdraw"])
def test_no_assignment_stays_open_once_the_article_leaves_review(
    decision, article, reviewer, reviewer2, managing, editor
):
    # reviews.filters' overdue tab looks only at submitted and under-review articles for
    # overdue assignments: every way out of review must close the open ones.
    deciding = ready_to_review(article, reviewer, managing)
    assign_reviewer(article, reviewer2, managing)  # invited, unanswered
    if decision == "approve":
        approve(deciding)
    elif decision == "request_changes":
        request_changes(deciding)
    elif decision == "withdraw":
        perform(Article.objects.get(pk=article.pk), Action.WITHDRAW, editor)
    else:
        perform(Article.objects.get(pk=article.pk), decision, managing, reason="Reason given in the test.")

    assert state_of(article) not in (ArticleState.SUBMITTED, ArticleState.UNDER_REVIEW)
    still_open = ReviewAssignment.objects.filter(
        article=article, status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]
    )
    assert list(still_open.values_list("reviewer__user__username", "status")) == []


# --- a person counts once (issue 14, property 2) ---------------------------------------------


def test_person_counts_once_when_assigned_again_after_approving(two_needed, managing, reviewer, reviewer2):
    """The black-box defect: assigned again on the same version after approving, the same
    board member approved twice and the article went out with them listed twice."""
    approve(ready_to_review(two_needed, reviewer, managing))
    with pytest.raises(ReviewerNotEligible) as refusal:
        assign_reviewer(two_needed, reviewer, managing)
    assert {r.code for r in refusal.value.reasons} == {"already_reviewed"}
    assert state_of(two_needed) == ArticleState.UNDER_REVIEW
    approve(ready_to_review(two_needed, reviewer2, managing))
    assert state_of(two_needed) == ArticleState.APPROVED
    version = two_needed.versions.get(number=1)
    assert [s.name for s in reviewed_by(version)] == ["Dr Ana Reyes", "Dr Ben Okafor"]


def test_person_counts_once_whatever_path_made_the_second_assignment(two_needed, managing, reviewer):
    """A second assignment made behind the rules' back (a row written directly) still cannot
    give the same person a second vote: the review is refused and the quorum is not reached."""
    first = ready_to_review(two_needed, reviewer, managing)
    approve(first)
    second = ReviewAssignment.objects.create(
        article=two_needed,
        version=first.version,
        round=first.round,
        reviewer=reviewer,
        assigned_by=managing,
        status=AssignmentStatus.ACCEPTED,
        respond_by=timezone.now() + datetime.timedelta(days=1),
        conflict_declared_at=timezone.now(),
        conflict_category=ConflictCategory.NONE,
    )
    with pytest.raises(ReviewRefused, match="counts once"):
        approve(second)
    assert state_of(two_needed) == ArticleState.UNDER_REVIEW
    assert Review.objects.filter(version=first.version).count() == 1


@pytest.mark.django_db(transaction=True)
def test_database_refuses_a_second_review_of_a_version_by_one_member(two_needed, managing, reviewer):
    from django.db import IntegrityError

    first = ready_to_review(two_needed, reviewer, managing)
    review = approve(first)
    second = ReviewAssignment.objects.create(
        article=two_needed,
        version=first.version,
        reviewer=reviewer,
        assigned_by=managing,
        status=AssignmentStatus.COMPLETED,
        respond_by=timezone.now() + datetime.timedelta(days=1),
    )
    with pytest.raises(IntegrityError):
        Review.objects.create(
            assignment=second, version=review.version, reviewer=reviewer, decision=Decision.APPROVE
        )


def test_quorum_reached_approves_when_the_last_outstanding_reviewer_declines(
    two_needed, managing, reviewer, reviewer2, specialty
):
    """Two approvals are in but a third accepted reviewer is outstanding, so the second approval
    does not decide; when that reviewer steps back the article is approved (by the system)."""
    third = make_reviewer("cleo", specialty, display_name="Dr Cleo Hart")
    outstanding = ready_to_review(two_needed, third, managing)
    approve(ready_to_review(two_needed, reviewer, managing))
    approve(ready_to_review(two_needed, reviewer2, managing))
    assert state_of(two_needed) == ArticleState.UNDER_REVIEW

    seq = last_seq()
    from reviews.assignments import decline_assignment

    decline_assignment(outstanding, third.user, reason="Away.")
    assert state_of(two_needed) == ArticleState.APPROVED
    approve_event = AuditEvent.objects.get(seq__gt=seq, action="article.approve")
    assert approve_event.actor_id is None


def test_person_counts_once_no_review_after_declaring_a_standing_conflict(
    article, editor, managing, reviewer
):
    """Found by the review-promise state machine (property 2): eligibility was checked only when
    assigning, so a member who declared a standing conflict with the author afterwards still
    approved, and counted."""
    from reviews.board import declare_standing_conflict
    from reviews.models import ConflictKind

    assignment = ready_to_review(article, reviewer, managing)
    declare_standing_conflict(reviewer.user, kind=ConflictKind.AUTHOR, author=editor, details="Co-authors.")
    seq = last_seq()
    with pytest.raises(ReviewRefused, match="conflict of interest"):
        approve(assignment)
    with pytest.raises(ReviewRefused, match="conflict of interest"):
        request_changes(assignment)
    assert not Review.objects.filter(reviewer=reviewer).exists()
    assert state_of(article) == ArticleState.UNDER_REVIEW
    assert actions_since(seq) == []
