"""Assigning reviewers from the ranked suggestions, and what a managing editor does to an assignment."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleState
from reviews.assignments import (
    accept_assignment,
    assign_reviewer,
    declare_conflict,
    decline_assignment,
    request_extension,
)
from reviews.models import AssignmentStatus, ReviewAssignment
from tests.reviews.helpers import make_reviewer

pytestmark = pytest.mark.django_db


def assign_url(article) -> str:
    return reverse("reviews:assign", args=[article.slug])


@pytest.fixture
def lapsed(specialty):
    return make_reviewer(
        "lapsed",
        specialty,
        display_name="Dr Lee Lapsed",
        credentials_expire_on=timezone.localdate() - datetime.timedelta(days=3),
    )


@pytest.fixture
def as_managing(client, managing):
    client.force_login(managing)
    return client


def test_page_ranks_eligible_members_and_explains_exclusions(as_managing, article, reviewer, lapsed):
    response = as_managing.get(assign_url(article))
    assert response.status_code == 200
    eligible = [s["member"] for s in response.context["eligible"]]
    assert eligible == [reviewer]
    html = response.content.decode()
    assert f'value="{reviewer.pk}"' in html  # a radio button to choose them
    assert "Dr Lee Lapsed" in html
    assert "Their credentials lapsed on" in html
    assert f'value="{lapsed.pk}"' not in html  # excluded members cannot be picked


def test_assigning_a_suggested_member_invites_them(as_managing, article, reviewer):
    response = as_managing.post(assign_url(article), {"member": reviewer.pk})
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get(article=article)
    assert assignment.reviewer_id == reviewer.pk
    assert assignment.status == AssignmentStatus.INVITED
    article.refresh_from_db()
    assert article.state == ArticleState.UNDER_REVIEW
    followed = as_managing.get(response["Location"])
    assert "Dr Ana Reyes was invited to review version 1" in followed.content.decode()


def test_dates_given_are_kept(as_managing, article, reviewer):
    as_managing.post(
        assign_url(article),
        {"member": reviewer.pk, "respond_by": "2031-03-01T09:30", "due_at": "2031-03-10T17:00"},
    )
    assignment = ReviewAssignment.objects.get(article=article)
    assert assignment.respond_by == datetime.datetime(2031, 3, 1, 9, 30, tzinfo=datetime.UTC)
    assert assignment.due_at == datetime.datetime(2031, 3, 10, 17, 0, tzinfo=datetime.UTC)


def test_ineligible_member_is_refused_with_the_reason(as_managing, article, lapsed):
    response = as_managing.post(assign_url(article), {"member": lapsed.pk})
    assert response.status_code == 409
    assert "Their credentials lapsed on" in response.content.decode()
    assert not ReviewAssignment.objects.filter(article=article).exists()


def test_due_date_before_the_answer_date_is_refused(as_managing, article, reviewer):
    response = as_managing.post(
        assign_url(article),
        {"member": reviewer.pk, "respond_by": "2031-03-10T09:30", "due_at": "2031-03-01T17:00"},
    )
    assert response.status_code == 400
    assert "must come after the date to answer" in response.content.decode()
    assert not ReviewAssignment.objects.exists()


def test_missing_member_is_a_form_error(as_managing, article):
    response = as_managing.post(assign_url(article), {})
    assert response.status_code == 400
    assert "Choose a board member to invite." in response.content.decode()


def test_an_article_not_under_review_offers_no_invitation(as_managing, editor, specialty):
    from tests.factories import make_article

    draft = make_article(editor, specialty)
    response = as_managing.get(assign_url(draft))
    assert response.status_code == 200
    assert "Reviewers are assigned to a submitted version" in response.content.decode()
    assert response.context["eligible"] == []


def test_replacing_a_declined_assignment(as_managing, article, reviewer, reviewer2, managing):
    old = assign_reviewer(article, reviewer, managing)
    decline_assignment(old, reviewer.user, reason="Travelling")
    page = as_managing.get(assign_url(article), {"replaces": old.pk})
    assert f'<option value="{old.pk}" selected>' in page.content.decode()
    response = as_managing.post(assign_url(article), {"member": reviewer2.pk, "replaces": old.pk})
    assert response.status_code == 302
    new = ReviewAssignment.objects.get(reviewer=reviewer2)
    assert new.replaces_id == old.pk


def test_cancel_needs_a_reason(as_managing, article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)
    url = reverse("reviews:cancel", args=[assignment.pk])
    refused = as_managing.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.INVITED
    done = as_managing.post(url, {"reason": "Needs a cardiologist instead."})
    assert done.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CANCELLED
    assert assignment.cancel_reason == "Needs a cardiologist instead."


def test_cancelling_a_closed_assignment_is_refused_with_a_message(as_managing, article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)
    decline_assignment(assignment, reviewer.user, reason="Busy")
    response = as_managing.post(reverse("reviews:cancel", args=[assignment.pk]), {"reason": "Tidy up"})
    assert response.status_code == 409
    assert "Cannot cancel: this assignment is declined." in response.content.decode()


@pytest.fixture
def asked_for_time(article, reviewer, managing):
    assignment = accept_assignment(assign_reviewer(article, reviewer, managing), reviewer.user)
    until = assignment.due_at + datetime.timedelta(days=5)
    return request_extension(assignment, reviewer.user, until=until, reason="Conference week")


def test_granting_more_time_moves_the_due_date(as_managing, asked_for_time):
    page = as_managing.get(assign_url(asked_for_time.article)).content.decode()
    assert "Conference week" in page
    response = as_managing.post(
        reverse("reviews:decide-extension", args=[asked_for_time.pk]), {"decision": "grant", "note": "Fine."}
    )
    assert response.status_code == 302
    asked_for_time.refresh_from_db()
    assert asked_for_time.extension_status == "granted"
    assert asked_for_time.due_at == asked_for_time.extension_requested_until


def test_refusing_more_time_keeps_the_due_date(as_managing, asked_for_time):
    due = asked_for_time.due_at
    as_managing.post(reverse("reviews:decide-extension", args=[asked_for_time.pk]), {"decision": "refuse"})
    asked_for_time.refresh_from_db()
    assert asked_for_time.extension_status == "refused"
    assert asked_for_time.due_at == due


@pytest.fixture
def conflicted(article, reviewer, managing):
    assignment = accept_assignment(assign_reviewer(article, reviewer, managing), reviewer.user)
    return declare_conflict(
        assignment, reviewer.user, category="financial", details="Consulting fees from the device maker."
    )


def test_overriding_a_conflict_needs_a_written_reason(as_managing, conflicted):
    url = reverse("reviews:override", args=[conflicted.pk])
    page = as_managing.get(assign_url(conflicted.article)).content.decode()
    assert "Consulting fees from the device maker." in page
    assert as_managing.post(url, {"reason": ""}).status_code == 400
    conflicted.refresh_from_db()
    assert conflicted.conflict_override_at is None
    assert as_managing.post(url, {"reason": "Fees ended in 2019; no other expert."}).status_code == 302
    conflicted.refresh_from_db()
    assert conflicted.conflict_override_reason == "Fees ended in 2019; no other expert."
    assert not conflicted.conflict_blocks


def test_review_record_downloads_as_text(as_managing, article, reviewer, managing):
    assign_reviewer(article, reviewer, managing)
    response = as_managing.get(reverse("reviews:record", args=[article.slug]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="review-record-{article.slug}.txt"'
    body = response.content.decode()
    assert body.startswith(f"REVIEW RECORD: {article.title}")
    assert "Dr Ana Reyes" in body


def test_review_record_downloads_as_html(as_managing, article):
    article.title = "Risks <script>alert(1)</script>"
    article.save(update_fields=["title"])
    response = as_managing.get(reverse("reviews:record", args=[article.slug]), {"format": "html"})
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"].endswith('.html"')
    body = response.content.decode()
    assert "<pre>REVIEW RECORD: Risks &lt;script&gt;" in body
    assert "<script>" not in body


def test_assign_needs_csrf_token(managing, article, reviewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(managing)
    assert client.post(assign_url(article), {"member": reviewer.pk}).status_code == 403
    assert not ReviewAssignment.objects.exists()
    for name in ("reviews:cancel", "reviews:override", "reviews:decide-extension"):
        assert client.post(reverse(name, args=[1]), {"reason": "x"}).status_code == 403
