"""The whole review journey through the API alone: a pipeline's batch, a managing editor,
a reviewer, publication, and what readers get from the public endpoint."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import INTEGRATION_CLIENT, MANAGING_EDITOR, REVIEWER
from tests.api.helpers import ALL_CHECKED, draft_payload, fast_user
from tests.factories import PASSWORD, make_board_member, make_specialty

A = "/api/v1"


def login(username: str) -> APIClient:
    """A client holding a token it got from the API itself, with the user's password."""
    client = APIClient()
    answer = client.post(f"{A}/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert answer.status_code == 201, answer.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return client


@pytest.mark.django_db
def test_from_batch_intake_to_the_public_endpoint():
    # The people exist (made by an administrator); everything after this is API calls.
    specialty = make_specialty("obstetrics")
    fast_user("pipeline", INTEGRATION_CLIENT)
    fast_user("managing", MANAGING_EDITOR)
    make_board_member(fast_user("ana", REVIEWER), specialty, display_name="Dr Ana Reyes", credentials="MD")
    pipeline, managing, reviewer = login("pipeline"), login("managing"), login("ana")

    # 1. The pipeline pushes a machine-drafted article, submitted straight away.
    draft = draft_payload(slug="iron", origin="machine", generator="draftbot 2.1", submit=True)
    intake = pipeline.post(
        f"{A}/articles/batch/", {"drafts": [draft]}, format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert intake.status_code == 200, intake.content
    assert intake.json()["results"] == [
        {"index": 0, "ok": True, "slug": "iron", "state": "submitted", "warnings": []}
    ]

    # 2. The managing editor looks at the suggestions and assigns the reviewer.
    suggestions = managing.get(f"{A}/reviewers/suggestions/?article=iron").json()
    assert [s["username"] for s in suggestions["eligible"]] == ["ana"]
    due = (timezone.now() + datetime.timedelta(days=10)).isoformat()
    assigned = managing.post(
        f"{A}/articles/iron/assignments/", {"reviewer": "ana", "due_at": due}, format="json"
    )
    assert assigned.status_code == 201, assigned.content
    assert managing.get(f"{A}/articles/iron/").json()["state"] == "under_review"

    # 3. The reviewer finds the invitation, accepts, declares no conflict and reads the text.
    (invitation,) = reviewer.get(f"{A}/assignments/?status=invited").json()["results"]
    assignment = f"{A}/assignments/{invitation['id']}"
    assert reviewer.post(f"{assignment}/accept/", format="json").status_code == 200
    declared = reviewer.post(f"{assignment}/conflict/", {"category": "none"}, format="json")
    assert declared.status_code == 200
    text = declared.json()["text"]
    assert text["origin"] == "machine" and text["generator"] == "draftbot 2.1"

    # 4. The reviewer approves, signing with their password.
    review = reviewer.post(
        f"{assignment}/review/",
        {
            "decision": "approve",
            "comments": "Accurate and well referenced.",
            "checklist": ALL_CHECKED,
            "section_comments": [{"section": text["sections"][0]["id"], "comment": "Clear."}],
            "password": PASSWORD,
        },
        format="json",
    )
    assert review.status_code == 201, review.content
    assert review.json()["signer_name"] == "Dr Ana Reyes"
    assert review.json()["article_state"] == "approved"

    # 5. The pipeline may not publish; the managing editor does.
    assert pipeline.post(f"{A}/articles/iron/publish/", format="json").status_code == 403
    published = managing.post(f"{A}/articles/iron/publish/", format="json")
    assert published.status_code == 200, published.content
    assert published.json()["state"] == "published"
    assert published.json()["published_version"] == 1

    # 6. Readers get the published version and the names of those who reviewed it.
    reader = APIClient()
    page = reader.get(f"{A}/public/articles/iron/?audience=patient")
    assert page.status_code == 200
    body = page.json()
    assert body["version"] == 1
    assert body["title"] == "Iron deficiency in pregnancy"
    assert [(r["name"], r["credentials"]) for r in body["reviewers"]] == [("Dr Ana Reyes", "MD")]
    assert body["machine_drafted"] is True and body["generator"] == "draftbot 2.1"
    assert body["first_published_at"] is not None and body["last_reviewed_at"] is not None
    assert "Your body needs more iron" in body["body_html"]
    listed = reader.get(f"{A}/public/articles/").json()
    assert [a["slug"] for a in listed["results"]] == ["iron"]
