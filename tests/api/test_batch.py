"""Batch intake: one answer per draft, and a retried request that creates nothing twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.roles import EDITOR, INTEGRATION_CLIENT
from api.models import ApiToken
from articles.models import Article, ArticleState
from audit.models import AuditEvent
from tests.api.helpers import client_for, draft_payload, error_of
from tests.factories import make_specialty, make_user

BATCH = "/api/v1/articles/batch/"


@pytest.fixture
def pipeline(db):
    make_specialty("obstetrics")
    return make_user("pipeline", INTEGRATION_CLIENT)


def post(client, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(BATCH, body, format="json", **extra)


def test_valid_drafts_are_not_blocked_by_invalid_ones(pipeline):
    Article.objects.create(slug="taken", title="T", specialty=make_specialty(), owner=pipeline)
    body = {
        "drafts": [
            draft_payload(slug="first", submit=True),
            draft_payload(slug="taken"),
            "not a draft",
            draft_payload(slug="bad-refs", submit=True, references=[]),  # cites [1] and [2]: cannot submit
            draft_payload(slug="second"),
        ]
    }
    response = post(client_for(pipeline), body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["failed"]) == (2, 3)
    results = data["results"]
    assert [r["ok"] for r in results] == [True, False, False, False, True]
    assert (results[0]["slug"], results[0]["state"]) == ("first", ArticleState.SUBMITTED)
    assert (results[4]["slug"], results[4]["state"]) == ("second", ArticleState.DRAFT)
    assert "slug" in results[1]["error"]["fields"]
    assert results[2]["error"]["code"] == "invalid"
    # A draft that cannot be submitted is not left behind half-done either.
    assert results[3]["error"]["code"] == "invalid"
    assert not Article.objects.filter(slug="bad-refs").exists()
    assert set(Article.objects.values_list("slug", flat=True)) == {"taken", "first", "second"}


def test_a_retry_with_the_same_key_returns_the_first_answer_and_creates_nothing(pipeline):
    client = client_for(pipeline)
    body = {"drafts": [draft_payload(slug="one", submit=True), draft_payload(slug="two")]}
    first = post(client, body, key="nightly-42")
    assert first.status_code == 200
    events = AuditEvent.objects.count()

    retry = post(client, body, key="nightly-42")
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Article.objects.count() == 2
    assert AuditEvent.objects.count() == events


def test_the_same_key_with_another_body_is_refused(pipeline):
    client = client_for(pipeline)
    post(client, {"drafts": [draft_payload(slug="one")]}, key="k")
    other = post(client, {"drafts": [draft_payload(slug="other")]}, key="k")
    assert other.status_code == 422
    assert error_of(other)["code"] == "idempotency_key_reused"
    assert not Article.objects.filter(slug="other").exists()


def test_keys_belong_to_their_caller(pipeline):
    body = {"drafts": [draft_payload()]}
    post(client_for(pipeline), body, key="shared")
    theirs = post(client_for(make_user("ed", EDITOR)), body, key="shared")
    assert theirs.status_code == 200
    assert "Idempotent-Replayed" not in theirs
    assert Article.objects.count() == 2


def test_without_a_key_each_request_is_new(pipeline):
    client = client_for(pipeline)
    post(client, {"drafts": [draft_payload()]})
    post(client, {"drafts": [draft_payload()]})
    assert Article.objects.count() == 2  # slugs made unique from the title


@pytest.mark.parametrize(
    "body",
    [{"drafts": []}, {"drafts": [draft_payload()] * 101}, {"drafts": "x"}, {}, ["x"]],
    ids=["empty", "over-100", "not-a-list", "missing", "not-an-object"],
)
def test_a_batch_that_is_not_a_list_of_1_to_100_drafts_is_400(pipeline, body):
    response = post(client_for(pipeline), body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    assert Article.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 201, "tab\there"])
def test_an_unusable_idempotency_key_is_400(pipeline, key):
    response = post(client_for(pipeline), {"drafts": [draft_payload()]}, key=key)
    assert response.status_code == 400
    assert Article.objects.count() == 0


def test_a_caller_who_may_not_draft_gets_a_refusal_per_item(db):
    make_specialty("obstetrics")
    reviewer = make_user("rev", "Reviewer")
    response = post(client_for(reviewer), {"drafts": [draft_payload()]})
    assert response.status_code == 200
    assert response.json()["results"][0]["error"]["code"] == "forbidden"
    assert Article.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_twice_at_once_creates_the_drafts_once():
    """A client that timed out and retried while its first request was still running."""
    make_specialty("obstetrics")
    _token, key = ApiToken.issue(user=make_user("pipeline", INTEGRATION_CLIENT), name="pipeline")
    body = {"drafts": [draft_payload(slug="one", submit=True), draft_payload(slug="two")]}
    barrier = threading.Barrier(2)
    answers: list = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            barrier.wait(timeout=10)
            answers.append(client.post(BATCH, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1"))
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["one", "two"]
    assert sum(a.has_header("Idempotent-Replayed") for a in answers) == 1


def test_a_draft_asking_for_a_reserved_slug_is_refused_alone(pipeline):
    body = {"drafts": [draft_payload(slug="new"), draft_payload(slug="batch"), draft_payload(title="Batch")]}
    results = post(client_for(pipeline), body).json()["results"]
    assert [r["ok"] for r in results] == [False, False, True]
    assert results[0]["error"]["code"] == "invalid"
    assert "The slug 'new' is reserved" in results[0]["error"]["fields"]["slug"][0]
    # Made from a title, the slug steps over the reserved word instead.
    assert results[2]["slug"] == "batch-2"
    assert set(Article.objects.values_list("slug", flat=True)) == {"batch-2"}


def test_an_article_with_a_reserved_slug_would_be_unreachable_so_none_is_made(pipeline):
    client = client_for(pipeline)
    refused = client.post("/api/v1/articles/", draft_payload(slug="batch"), format="json")
    assert refused.status_code == 400
    error = error_of(refused)
    assert error["code"] == "invalid" and list(error["fields"]) == ["slug"]
    assert not Article.objects.exists()

    created = client.post("/api/v1/articles/", draft_payload(title="Batch"), format="json")
    assert created.status_code == 201 and created.json()["slug"] == "batch-2"
    assert client.get("/api/v1/articles/batch-2/").status_code == 200
