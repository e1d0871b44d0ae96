"""Each domain event tells the right people, once, in the event's own transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.roles import MANAGING_EDITOR
from articles.drafting import save_draft
from articles.models import Article
from notifications.kinds import Kind
from notifications.models import Notification, StaffProfile
from outbox.models import Delivery, DeliveryStatus
from reviews.assignments import accept_assignment, declare_conflict, decline_assignment
from reviews.models import ConflictCategory, Decision
from reviews.workflow import Action, open_working_draft, perform
from tests.factories import make_user, submit, valid_content

from .conftest import approve, email_of, invite, notes_for, ready_to_review, review


def test_submission_tells_the_managing_editors_of_the_specialty(
    draft, editor, specialty, other_specialty, managing
):
    mine = make_user("sam", MANAGING_EDITOR)
    StaffProfile.objects.create(user=mine).specialties.add(specialty)
    elsewhere = make_user("cleo", MANAGING_EDITOR)
    StaffProfile.objects.create(user=elsewhere).specialties.add(other_specialty)

    submit(draft, editor)

    told = set(
        Notification.objects.filter(kind=Kind.ARTICLE_SUBMITTED).values_list("recipient__username", flat=True)
    )
    # maria chose no specialty, so she hears about all of them; cleo only about cardiology.
    assert told == {"maria", "sam"}
    assert not notes_for(editor).exists()  # nobody is told about their own action


def test_each_notification_has_one_email_row_in_the_same_transaction(draft, editor, managing):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(draft, editor)
        raise RuntimeError("the request fails after the transition")
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()

    submit(draft, editor)
    note = notes_for(managing, Kind.ARTICLE_SUBMITTED).get()
    assert email_of(note).status == DeliveryStatus.PENDING
    assert note.url == f"/desk/articles/{draft.slug}/"


def test_an_invitation_goes_to_the_reviewer_with_accept_and_decline_links(
    submitted, managing, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = invite(submitted, reviewer, managing)

    note = notes_for(reviewer.user, Kind.ASSIGNMENT_INVITED).get()
    assert note.is_essential
    assert note.payload["accept_url"] == f"/desk/reviews/assignments/{assignment.pk}/"
    assert note.payload["decline_url"] == f"/desk/reviews/assignments/{assignment.pk}/decline/"
    [email] = mailoutbox
    assert email.to == [reviewer.user.email]
    for link in (note.payload["accept_url"], note.payload["decline_url"]):
        assert f"http://127.0.0.1:8000{link}" in email.body
        assert f"http://127.0.0.1:8000{link}" in email.alternatives[0].content


def test_accepting_and_declining_tell_the_managing_editor_who_assigned(
    submitted, managing, reviewer, reviewer2
):
    bystander = make_user("cleo", MANAGING_EDITOR)
    first = invite(submitted, reviewer, managing)
    second = invite(submitted, reviewer2, managing)

    accept_assignment(first, reviewer.user)
    decline_assignment(second, reviewer2.user, reason="On leave", suggested_alternative="Dr Chen")

    assert notes_for(managing, Kind.ASSIGNMENT_ACCEPTED).count() == 1
    declined = notes_for(managing, Kind.ASSIGNMENT_DECLINED).get()
    assert "On leave" in declined.body and "Dr Chen" in declined.body
    assert (
        not notes_for(bystander)
        .filter(kind__in=[Kind.ASSIGNMENT_ACCEPTED, Kind.ASSIGNMENT_DECLINED])
        .exists()
    )


def test_declaring_no_conflict_tells_nobody_but_a_conflict_tells_the_managing_editor(
    submitted, managing, reviewer, reviewer2
):
    ready_to_review(submitted, reviewer, managing)
    other = invite(submitted, reviewer2, managing)
    accept_assignment(other, reviewer2.user)

    declare_conflict(
        other, reviewer2.user, category=ConflictCategory.FINANCIAL, details="Consults for the maker"
    )

    assert list(
        notes_for(managing, Kind.CONFLICT_DECLARED).values_list("payload__assignment_id", flat=True)
    ) == [other.pk]


def test_changes_requested_tell_the_editor_once(submitted, managing, reviewer, editor):
    assignment = ready_to_review(submitted, reviewer, managing)

    # The review and the article's transition both say so; the editor hears it once.
    review(assignment, Decision.REQUEST_CHANGES)

    assert Article.objects.get(pk=submitted.pk).state == "changes_requested"
    assert notes_for(editor, Kind.CHANGES_REQUESTED).count() == 1
    assert notes_for(managing, Kind.REVIEW_SUBMITTED).count() == 1


def test_a_recommendation_to_reject_tells_the_editor(submitted, managing, reviewer, editor):
    assignment = ready_to_review(submitted, reviewer, managing)

    review(assignment, Decision.RECOMMEND_REJECT, comments="The evidence does not support the claims.")

    assert notes_for(editor, Kind.REJECT_RECOMMENDED).count() == 1


def test_approval_tells_the_editor_and_the_other_reviewers_of_that_version(
    submitted, managing, reviewer, reviewer2, editor
):
    Article.objects.filter(pk=submitted.pk).update(required_approvals=2)
    first = ready_to_review(submitted, reviewer, managing)
    second = ready_to_review(submitted, reviewer2, managing)
    approve(first)
    assert not Notification.objects.filter(kind=Kind.ARTICLE_APPROVED).exists()

    approve(second)  # the second approval decides

    told = set(
        Notification.objects.filter(kind=Kind.ARTICLE_APPROVED).values_list("recipient__username", flat=True)
    )
    assert told == {editor.username, reviewer.user.username}  # ben approved it himself


def _approved(submitted, managing, reviewer):
    approve(ready_to_review(submitted, reviewer, managing))
    return Article.objects.get(pk=submitted.pk)


def test_publishing_tells_the_reviewers_of_that_version(submitted, managing, reviewer, editor):
    article = _approved(submitted, managing, reviewer)

    perform(article, Action.PUBLISH, editor)

    assert notes_for(reviewer.user, Kind.ARTICLE_PUBLISHED).count() == 1
    assert not notes_for(editor, Kind.ARTICLE_PUBLISHED).exists()  # the editor pressed the button


def test_a_publication_nobody_pressed_tells_the_editor_it_was_done(submitted, managing, reviewer, editor):
    article = _approved(submitted, managing, reviewer)

    perform(article, Action.PUBLISH, None)  # what the scheduled-publication task does

    assert notes_for(editor, Kind.SCHEDULED_PUBLICATION_DONE).count() == 1
    assert notes_for(reviewer.user, Kind.ARTICLE_PUBLISHED).count() == 1


def _resubmit(article, editor):
    article = Article.objects.get(pk=article.pk)
    draft = open_working_draft(article, editor)
    save_draft(
        article,
        valid_content(change_summary="Cites the 2024 guideline."),
        expected_revision=draft.revision,
        actor=editor,
    )
    return submit(article, editor)


def test_a_resubmission_invites_the_previous_reviewers_in_one_message(submitted, managing, reviewer, editor):
    review(ready_to_review(submitted, reviewer, managing), Decision.REQUEST_CHANGES)

    _resubmit(submitted, editor)

    invitations = notes_for(reviewer.user, Kind.ASSIGNMENT_INVITED).order_by("pk")
    assert invitations.count() == 2
    assert "answers the review you gave" in invitations.last().body
    assert not notes_for(reviewer.user, Kind.VERSION_RESUBMITTED).exists()


def test_a_previous_reviewer_who_cannot_be_reinvited_is_still_told_of_the_resubmission(
    submitted, managing, reviewer, editor
):
    review(ready_to_review(submitted, reviewer, managing), Decision.REQUEST_CHANGES)
    reviewer.is_active = False  # left the board: the automatic re-invitation skips them
    reviewer.save()

    _resubmit(submitted, editor)

    assert notes_for(reviewer.user, Kind.VERSION_RESUBMITTED).count() == 1
    assert notes_for(reviewer.user, Kind.ASSIGNMENT_INVITED).count() == 1  # only the first round's


def test_withdrawal_tells_the_reviewers_their_review_is_no_longer_needed(
    submitted, managing, reviewer, editor
):
    ready_to_review(submitted, reviewer, managing)

    perform(submitted, Action.WITHDRAW, editor)

    note = notes_for(reviewer.user, Kind.ASSIGNMENT_CANCELLED).get()
    assert "withdrawn" in note.body


def test_an_inactive_account_gets_nothing(draft, editor, managing):
    managing.is_active = False
    managing.save()

    submit(draft, editor)

    assert not notes_for(managing).exists()


def test_every_action_notifications_listen_for_is_declared():
    from core.audit_actions import is_declared
    from notifications.events import HANDLERS

    assert HANDLERS and [name for name in HANDLERS if not is_declared(name)] == []
