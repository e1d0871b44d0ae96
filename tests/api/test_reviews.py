"""The reviewer's side through the API: answers, declarations and the signed approval."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, ArticleState
from reviews.middleware import SESSION_KEY
from reviews.models import Review
from tests.api.helpers import ALL_CHECKED, client_for, error_of
from tests.factories import PASSWORD

A = "/api/v1"
APPROVAL = {"decision": "approve", "comments": "Accurate.", "checklist": ALL_CHECKED, "password": PASSWORD}


def session_client(user, last_active: datetime.datetime | None) -> APIClient:
    client = APIClient()
    client.force_login(user)
    if last_active is not None:
        session = client.session
        session[SESSION_KEY] = last_active.timestamp()
        session.save()
    return client


def test_an_approval_needs_the_password(world):
    response = client_for(world.users["reviewer"]).post(
        f"{A}/assignments/{world.assignment.pk}/review/", {**APPROVAL, "password": ""}, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "signature_refused"
    assert not Review.objects.filter(assignment=world.assignment).exists()


def test_a_signed_approval_through_a_token_approves_the_article(world):
    response = client_for(world.users["reviewer"]).post(
        f"{A}/assignments/{world.assignment.pk}/review/", APPROVAL, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["decision"], body["signer_name"], body["article_state"]) == ("approve", "Dr Rev", "approved")
    assert body["signed_content_hash"] == world.under_review.latest_version().content_hash


def test_a_browser_session_idle_too_long_cannot_sign(world):
    stale = timezone.now() - datetime.timedelta(hours=2)
    response = session_client(world.users["reviewer"], stale).post(
        f"{A}/assignments/{world.assignment.pk}/review/", APPROVAL, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "signature_refused"
    assert Article.objects.get(pk=world.under_review.pk).state == ArticleState.UNDER_REVIEW


def test_a_recently_active_browser_session_can_sign(world):
    response = session_client(world.users["reviewer"], timezone.now()).post(
        f"{A}/assignments/{world.assignment.pk}/review/", APPROVAL, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_change_request_anchored_to_a_section_sends_the_article_back(world):
    reviewer = client_for(world.users["reviewer"])
    text = reviewer.get(f"{A}/assignments/{world.assignment.pk}/").json()["text"]
    response = reviewer.post(
        f"{A}/assignments/{world.assignment.pk}/review/",
        {
            "decision": "request_changes",
            "section_comments": [
                {"section": text["sections"][0]["id"], "quote": "open too early", "comment": "Say when."}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["article_state"] == ArticleState.CHANGES_REQUESTED


def test_declining_needs_a_reason_and_then_closes_the_invitation(world):
    reviewer = client_for(world.users["reviewer"])
    url = f"{A}/assignments/{world.invitation.pk}/decline/"
    missing = reviewer.post(url, {"reason": ""}, format="json")
    assert missing.status_code == 400
    assert "reason" in error_of(missing)["fields"]
    declined = reviewer.post(url, {"reason": "On leave.", "suggested_alternative": "Dr Other"}, format="json")
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    again = reviewer.post(f"{A}/assignments/{world.invitation.pk}/accept/", format="json")
    assert again.status_code == 409
    assert error_of(again)["code"] == "assignment_refused"


def test_a_declared_conflict_keeps_the_text_closed(world):
    reviewer = client_for(world.users["reviewer"])
    reviewer.post(f"{A}/assignments/{world.invitation.pk}/accept/", format="json")
    declared = reviewer.post(
        f"{A}/assignments/{world.invitation.pk}/conflict/",
        {"category": "financial", "details": "I consult for an iron supplement maker."},
        format="json",
    )
    assert declared.status_code == 200
    assert declared.json()["conflict_blocks"] is True
    assert declared.json()["text"] is None


def test_suggestions_give_the_reasons_for_each_exclusion(world):
    response = client_for(world.users["managing"]).get(f"{A}/reviewers/suggestions/?article=under-review")
    assert response.status_code == 200
    excluded = {e["username"]: [r["code"] for r in e["reasons"]] for e in response.json()["excluded"]}
    assert excluded == {"rev": ["already_assigned"]}
    assert [s["username"] for s in response.json()["eligible"]] == ["rev2"]
