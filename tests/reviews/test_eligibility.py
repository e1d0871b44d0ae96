"""Who may review an article: each rule refuses the assignment with its reason and keeps
the member out of the suggestions with the same reason."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from articles.drafting import save_draft
from articles.models import Article
from audit.models import AuditEvent
from reviews.assignments import assign_reviewer
from reviews.board import ReviewerNotEligible, suggest_reviewers
from reviews.models import AssignmentStatus, BoardMember, ConflictKind, ConflictOfInterest, ReviewAssignment
from reviews.workflow import open_working_draft
from tests.factories import make_article, make_board_member, make_specialty, make_user, submit, valid_content
from tests.reviews.helpers import ready_to_review, request_changes


def refused_with(article, member, managing) -> set[str]:
    """Assign anyway: the codes of the refusal, after checking nothing was written."""
    events, assignments = AuditEvent.objects.count(), ReviewAssignment.objects.count()
    state = Article.objects.get(pk=article.pk).state
    with pytest.raises(ReviewerNotEligible) as refusal:
        assign_reviewer(article, member, managing)
    assert (AuditEvent.objects.count(), ReviewAssignment.objects.count()) == (events, assignments)
    assert Article.objects.get(pk=article.pk).state == state
    assert member.display_name in refusal.value.message
    return {r.code for r in refusal.value.reasons}


def excluded_with(article, member) -> set[str]:
    eligible, excluded = suggest_reviewers(article)
    assert member.pk not in {s.member.pk for s in eligible}
    return next(e.codes for e in excluded if e.member.pk == member.pk)


def test_an_eligible_member_is_suggested_and_can_be_assigned(article, reviewer, managing):
    eligible, excluded = suggest_reviewers(article)
    assert [s.member for s in eligible] == [reviewer]
    assert excluded == []
    assert assign_reviewer(article, reviewer, managing).status == AssignmentStatus.INVITED


def test_conflict_with_the_article_refuses(article, reviewer, managing):
    ConflictOfInterest.objects.create(member=reviewer, kind=ConflictKind.ARTICLE, article=article)
    assert refused_with(article, reviewer, managing) == {"conflict"}
    assert excluded_with(article, reviewer) == {"conflict"}


def test_conflict_with_the_owner_refuses(article, reviewer, managing, editor):
    ConflictOfInterest.objects.create(member=reviewer, kind=ConflictKind.AUTHOR, author=editor)
    assert refused_with(article, reviewer, managing) == {"conflict"}
    assert excluded_with(article, reviewer) == {"conflict"}


def test_conflict_on_a_topic_named_in_the_title_refuses(article, reviewer, managing):
    # The demo title is "Cervical insufficiency in pregnancy".
    ConflictOfInterest.objects.create(
        member=reviewer, kind=ConflictKind.TOPIC, topic="cervical insufficiency"
    )
    assert refused_with(article, reviewer, managing) == {"conflict"}
    assert excluded_with(article, reviewer) == {"conflict"}


def test_a_topic_matches_whole_words_only(article, reviewer, managing):
    ConflictOfInterest.objects.create(member=reviewer, kind=ConflictKind.TOPIC, topic="cervic")
    assert assign_reviewer(article, reviewer, managing).reviewer == reviewer


def test_an_ended_conflict_no_longer_refuses(article, reviewer, managing):
    ConflictOfInterest.objects.create(
        member=reviewer,
        kind=ConflictKind.ARTICLE,
        article=article,
        declared_on=timezone.localdate() - datetime.timedelta(days=400),
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert assign_reviewer(article, reviewer, managing).reviewer == reviewer


def test_the_owner_cannot_review_their_own_article(specialty, managing):
    # An editor who also sits on the board.
    owner = make_user("doctor-editor", EDITOR, REVIEWER)
    member = make_board_member(owner, specialty)
    article = submit(make_article(owner, specialty), owner)
    assert refused_with(article, member, managing) == {"own_work"}
    assert excluded_with(article, member) == {"own_work"}


def test_a_board_member_who_edited_the_draft_cannot_review_it(editor, specialty, managing):
    # A managing editor who also sits on the board edits the editor's draft before it is submitted.
    doctor = make_user("dr-managing", MANAGING_EDITOR, REVIEWER)
    member = make_board_member(doctor, specialty)
    article = make_article(editor, specialty)
    save_draft(article, valid_content(summary="Tightened."), expected_revision=1, actor=doctor)
    article = submit(article, editor)
    assert refused_with(article, member, managing) == {"own_work"}
    assert excluded_with(article, member) == {"own_work"}


def test_the_author_of_a_later_version_cannot_review(article, editor, specialty, managing, reviewer):
    request_changes(ready_to_review(article, reviewer, managing))
    doctor = make_user("dr-managing", MANAGING_EDITOR, REVIEWER)
    member = make_board_member(doctor, specialty)
    # The board member opens version 2 (and so is its author); the editor finishes and submits it.
    article.refresh_from_db()
    open_working_draft(article, doctor)
    content = valid_content(change_summary="Cited the 2024 guideline.")
    save_draft(article, content, expected_revision=1, actor=editor)
    article = submit(article, editor)
    assert refused_with(article, member, managing) == {"own_work"}
    assert excluded_with(article, member) == {"own_work"}


def test_an_inactive_member_is_refused(article, reviewer, managing):
    reviewer.is_active = False
    reviewer.save()
    assert refused_with(article, reviewer, managing) == {"inactive"}
    assert excluded_with(article, reviewer) == {"inactive"}


def test_a_member_whose_account_is_deactivated_is_refused(article, reviewer, managing):
    type(reviewer.user).objects.filter(pk=reviewer.user_id).update(is_active=False)
    reviewer = BoardMember.objects.select_related("user").get(pk=reviewer.pk)
    # A deactivated account holds no permissions either.
    assert refused_with(article, reviewer, managing) == {"inactive", "not_reviewer"}
    assert excluded_with(article, reviewer) == {"inactive", "not_reviewer"}


def test_lapsed_credentials_are_refused(article, reviewer, managing):
    reviewer.credentials_expire_on = timezone.localdate() - datetime.timedelta(days=1)
    reviewer.save()
    assert refused_with(article, reviewer, managing) == {"credentials"}
    assert excluded_with(article, reviewer) == {"credentials"}


def test_unverified_credentials_are_refused(article, reviewer, managing):
    reviewer.credentials_verified_at = None
    reviewer.save()
    assert refused_with(article, reviewer, managing) == {"credentials"}
    assert excluded_with(article, reviewer) == {"credentials"}


def test_a_member_at_capacity_is_refused(article, reviewer, managing, editor, specialty):
    reviewer.max_open_assignments = 1
    reviewer.save()
    other = submit(make_article(editor, specialty, valid_content(title="Preterm labour")), editor)
    assign_reviewer(other, reviewer, managing)
    assert refused_with(article, reviewer, managing) == {"capacity"}
    assert excluded_with(article, reviewer) == {"capacity"}


def test_closed_assignments_do_not_count_towards_capacity(article, reviewer, managing, editor, specialty):
    from reviews.assignments import decline_assignment

    reviewer.max_open_assignments = 1
    reviewer.save()
    other = submit(make_article(editor, specialty, valid_content(title="Preterm labour")), editor)
    decline_assignment(assign_reviewer(other, reviewer, managing), reviewer.user, reason="Travelling.")
    assert assign_reviewer(article, reviewer, managing).status == AssignmentStatus.INVITED


def test_a_member_already_invited_to_the_version_is_not_invited_twice(article, reviewer, managing):
    assign_reviewer(article, reviewer, managing)
    with pytest.raises(ReviewerNotEligible) as refusal:
        assign_reviewer(article, reviewer, managing)
    assert {r.code for r in refusal.value.reasons} == {"already_assigned"}
    assert excluded_with(article, reviewer) == {"already_assigned"}


def test_a_user_without_the_reviewer_role_is_refused(article, specialty, managing):
    member = make_board_member(make_user("no-role"), specialty)
    assert "not_reviewer" in excluded_with(article, member)
    with pytest.raises(ReviewerNotEligible):
        assign_reviewer(article, member, managing)


def test_every_reason_is_reported_at_once(article, reviewer, managing):
    reviewer.is_active = False
    reviewer.credentials_expire_on = timezone.localdate() - datetime.timedelta(days=1)
    reviewer.save()
    ConflictOfInterest.objects.create(member=reviewer, kind=ConflictKind.ARTICLE, article=article)
    assert refused_with(article, reviewer, managing) == {"inactive", "credentials", "conflict"}


# --- ranking -------------------------------------------------------------------------------


def completed_assignment(member, article, managing, days_to_complete: float):
    """A finished review in the member's recent history, with the given turnaround."""
    accepted = timezone.now() - datetime.timedelta(days=30)
    return ReviewAssignment.objects.create(
        article=article,
        version=article.latest_version(),
        reviewer=member,
        assigned_by=managing,
        status=AssignmentStatus.COMPLETED,
        respond_by=accepted,
        accepted_at=accepted,
        completed_at=accepted + datetime.timedelta(days=days_to_complete),
    )


def test_suggestions_rank_specialty_then_load_then_turnaround(editor, managing, specialty):
    cardiology = make_specialty("cardiology")
    article = submit(make_article(editor, specialty), editor)
    elsewhere = submit(make_article(editor, specialty, valid_content(title="Preterm labour")), editor)
    history = submit(make_article(editor, specialty, valid_content(title="Anaemia in pregnancy")), editor)

    def member(name, *specialties):
        return make_board_member(make_user(name, REVIEWER), *specialties, display_name=f"Dr {name}")

    outsider = member("a-outsider", cardiology)  # fastest and idle, but not the article's specialty
    busy = member("b-busy", specialty)
    slow = member("c-slow", specialty)
    fast = member("d-fast", specialty)
    newcomer = member("e-newcomer", specialty)  # no completed reviews yet

    assign_reviewer(elsewhere, busy, managing)
    completed_assignment(outsider, history, managing, days_to_complete=1)
    completed_assignment(busy, history, managing, days_to_complete=1)
    completed_assignment(slow, history, managing, days_to_complete=9)
    completed_assignment(fast, history, managing, days_to_complete=2)
    completed_assignment(fast, history, managing, days_to_complete=4)

    eligible, excluded = suggest_reviewers(article)

    assert [s.member for s in eligible] == [fast, slow, newcomer, busy, outsider]
    assert excluded == []
    assert eligible[0].median_turnaround == datetime.timedelta(days=3)
    assert eligible[0].specialty_match and not eligible[-1].specialty_match
    assert eligible[3].open_assignments == 1


def test_suggestions_do_not_query_per_member(article, specialty, reviewer, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ConflictOfInterest.objects.create(member=reviewer, kind=ConflictKind.AUTHOR, author=article.owner)
    with CaptureQueriesContext(connection) as few:
        suggest_reviewers(article)
    for n in range(6):
        member = make_board_member(make_user(f"extra-{n}", REVIEWER), specialty)
        ConflictOfInterest.objects.create(member=member, kind=ConflictKind.TOPIC, topic=f"topic {n}")
    with django_assert_max_num_queries(len(few)):
        eligible, _ = suggest_reviewers(article)
    assert len(eligible) == 6
