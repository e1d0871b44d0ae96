"""The reviewer's desk: invitations, accepting, declining, declaring conflicts, asking for time."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.assignments import accept_assignment, assign_reviewer
from reviews.models import AssignmentStatus, ReviewAssignment
from tests.factories import make_article, make_assignment, submit, valid_content

pytestmark = pytest.mark.django_db
DESK = reverse("reviews:desk")


@pytest.fixture
def invited(article, reviewer, managing):
    return assign_reviewer(article, reviewer, managing)


@pytest.fixture
def accepted(invited, reviewer):
    return accept_assignment(invited, reviewer.user)


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer.user)
    return client


def test_desk_lists_invitations_with_their_dates(as_reviewer, invited):
    response = as_reviewer.get(DESK)
    assert response.status_code == 200
    assert response.context["invitations"] == [invited]
    html = response.content.decode()
    assert invited.article.title in html
    assert f"{timezone.localtime(invited.respond_by):%Y-%m-%d %H:%M}" in html


def test_accepting_leads_to_the_conflict_declaration(as_reviewer, invited):
    response = as_reviewer.post(reverse("reviews:accept", args=[invited.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:declare", args=[invited.pk])
    invited.refresh_from_db()
    assert invited.status == AssignmentStatus.ACCEPTED


def test_accepting_twice_is_refused_with_a_message(as_reviewer, accepted):
    response = as_reviewer.post(reverse("reviews:accept", args=[accepted.pk]))
    assert response.status_code == 409
    assert "Cannot accept: this assignment is accepted." in response.content.decode()


def test_declining_needs_a_reason(as_reviewer, invited):
    url = reverse("reviews:decline", args=[invited.pk])
    refused = as_reviewer.post(url, {"reason": "", "suggested_alternative": "Dr Kim"})
    assert refused.status_code == 400
    invited.refresh_from_db()
    assert invited.status == AssignmentStatus.INVITED
    done = as_reviewer.post(url, {"reason": "On leave in March.", "suggested_alternative": "Dr Kim"})
    assert done.status_code == 302
    invited.refresh_from_db()
    assert invited.status == AssignmentStatus.DECLINED
    assert (invited.decline_reason, invited.suggested_alternative) == ("On leave in March.", "Dr Kim")


def test_an_accepted_review_without_declaration_opens_the_declaration_first(as_reviewer, accepted):
    response = as_reviewer.get(reverse("reviews:assignment", args=[accepted.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:declare", args=[accepted.pk])


def test_declaring_no_conflict_opens_the_text(as_reviewer, accepted):
    response = as_reviewer.post(reverse("reviews:declare", args=[accepted.pk]), {"category": "none"})
    assert response.status_code == 302
    page = as_reviewer.get(response["Location"])
    assert page.context["text_open"] is True
    assert "The cervix can open too early in pregnancy" in page.content.decode()


def test_a_declared_conflict_needs_details(as_reviewer, accepted):
    response = as_reviewer.post(reverse("reviews:declare", args=[accepted.pk]), {"category": "financial"})
    assert response.status_code == 400
    assert "Describe the conflict of interest" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.conflict_declared_at is None


def test_a_declared_conflict_keeps_the_text_closed(as_reviewer, accepted):
    as_reviewer.post(
        reverse("reviews:declare", args=[accepted.pk]),
        {"category": "personal", "details": "The author is my sister-in-law."},
    )
    page = as_reviewer.get(reverse("reviews:assignment", args=[accepted.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "it blocks this review until a managing editor overrides it" in html
    assert "The cervix can open too early in pregnancy" not in html
    assert "blocks this review until the managing editor decides" in as_reviewer.get(DESK).content.decode()


def test_invitation_page_offers_accept_and_decline_but_no_text(as_reviewer, invited):
    html = as_reviewer.get(reverse("reviews:assignment", args=[invited.pk])).content.decode()
    assert reverse("reviews:accept", args=[invited.pk]) in html
    assert reverse("reviews:decline", args=[invited.pk]) in html
    assert "The cervix can open too early in pregnancy" not in html


def test_asking_for_more_time(as_reviewer, accepted):
    until = (accepted.due_at + datetime.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    response = as_reviewer.post(
        reverse("reviews:request-extension", args=[accepted.pk]), {"until": until, "reason": "Clinic cover"}
    )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.extension_status == "requested"
    assert accepted.extension_reason == "Clinic cover"


def test_asking_for_an_earlier_date_is_refused(as_reviewer, accepted):
    until = (accepted.due_at - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = as_reviewer.post(
        reverse("reviews:request-extension", args=[accepted.pk]), {"until": until, "reason": "Oops"}
    )
    assert response.status_code == 400
    assert "The new due date must be later than the current one." in response.content.decode()


def test_overdue_review_is_highlighted(as_reviewer, accepted):
    ReviewAssignment.objects.filter(pk=accepted.pk).update(due_at=timezone.now() - datetime.timedelta(days=3))
    response = as_reviewer.get(DESK)
    assert [a.is_overdue for a in response.context["in_progress"]] == [True]
    assert "Overdue by 3" in response.content.decode()


def test_history_lists_closed_assignments_and_filters_them(
    as_reviewer, editor, managing, reviewer, specialty
):
    for title, status in [("Done article", "completed"), ("Skipped article", "declined")]:
        article = submit(make_article(editor, specialty, content=valid_content(title=title)), editor)
        make_assignment(article.latest_version(), reviewer.user, managing, status=status)
    response = as_reviewer.get(DESK)
    assert {a.article.title for a in response.context["page"].object_list} == {
        "Done article",
        "Skipped article",
    }
    filtered = as_reviewer.get(DESK, {"status": "declined"})
    assert [a.article.title for a in filtered.context["page"].object_list] == ["Skipped article"]


def test_other_reviewers_cannot_act_on_the_assignment(client, reviewer2, invited):
    client.force_login(reviewer2.user)
    assert client.post(reverse("reviews:accept", args=[invited.pk])).status_code == 404
    assert client.post(reverse("reviews:decline", args=[invited.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("reviews:declare", args=[invited.pk]), {"category": "none"}).status_code == 404
    invited.refresh_from_db()
    assert invited.status == AssignmentStatus.INVITED
    assert invited.conflict_declared_at is None


def test_reviewer_posts_need_the_csrf_token(reviewer, invited):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer.user)
    assert client.post(reverse("reviews:accept", args=[invited.pk])).status_code == 403
    assert client.post(reverse("reviews:decline", args=[invited.pk]), {"reason": "x"}).status_code == 403
    invited.refresh_from_db()
    assert invited.status == AssignmentStatus.INVITED
