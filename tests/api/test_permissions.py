"""Who gets what: every endpoint against every role, then the object-level scoping in detail."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from api.models import ApiToken
from articles.models import Article, ArticleState
from tests.api.helpers import ALL_CHECKED, ROLES, client_for, draft_payload, error_of
from tests.factories import PASSWORD

A = "/api/v1"
REASON = {"reason": "Out of scope for this site."}


def _token_body(world, role):
    user = world.users[role]
    return {"username": user.username if user else "nobody", "password": PASSWORD}


def _new_draft(world, role):
    return draft_payload(slug=f"new-{role}")


def _batch(world, role):
    return {"drafts": [draft_payload(slug=f"batch-{role}")]}


def _approval(world, role):
    return {"decision": "approve", "comments": "Accurate.", "checklist": ALL_CHECKED, "password": PASSWORD}


def _webhook(world, role):
    return {"client": "bot", "url": "https://93.184.215.14/new", "kinds": ["article.published"]}


# Each row: what is called, then the expected status for each role, in this order:
#   anonymous, editor (owns every article), other editor, managing editor,
#   assigned reviewer, other reviewer (signed the approved/published ones), integration client.
# Bodies that depend on the caller are functions of (world, role).
MATRIX = [
    # label                 method  path                                          body
    ("token",               "post", "/auth/token/",                               _token_body,
        (400, 201, 201, 201, 201, 201, 201)),
    ("list tokens",         "get",  "/auth/tokens/",                              None,
        (401, 200, 200, 200, 200, 200, 200)),
    ("revoke a token",      "post", "/auth/tokens/{editor_token}/revoke/",        {},
        (401, 200, 404, 200, 404, 404, 404)),
    ("list articles",       "get",  "/articles/",                                 None,
        (401, 200, 200, 200, 200, 200, 200)),
    ("create article",      "post", "/articles/",                                 _new_draft,
        (401, 201, 201, 403, 403, 403, 201)),
    ("batch intake",        "post", "/articles/batch/",                           _batch,
        (401, 200, 200, 200, 200, 200, 200)),
    ("article detail",      "get",  "/articles/under-review/",                    None,
        (401, 200, 404, 200, 404, 404, 404)),
    ("get draft",           "get",  "/articles/draft/draft/",                     None,
        (401, 200, 404, 200, 404, 404, 404)),
    ("put draft",           "put",  "/articles/draft/draft/",                     draft_payload(revision=1),
        (401, 200, 404, 200, 404, 404, 404)),
    ("submit",              "post", "/articles/draft/submit/",                    {},
        (401, 200, 404, 403, 404, 404, 404)),
    ("withdraw",            "post", "/articles/under-review/withdraw/",           {},
        (401, 200, 404, 200, 404, 404, 404)),
    ("publish",             "post", "/articles/approved/publish/",                {},
        (401, 200, 404, 200, 404, 404, 404)),
    ("archive",             "post", "/articles/published/archive/",               REASON,
        (401, 403, 404, 200, 404, 404, 404)),
    ("reject",              "post", "/articles/under-review/reject/",             REASON,
        (401, 403, 404, 200, 404, 404, 404)),
    ("return",              "post", "/articles/under-review/return/",             REASON,
        (401, 403, 404, 200, 404, 404, 404)),
    ("revise",              "post", "/articles/published/revise/",                {},
        (401, 200, 404, 200, 404, 404, 404)),
    ("versions",            "get",  "/articles/under-review/versions/",           None,
        (401, 200, 404, 200, 404, 404, 404)),
    ("version",             "get",  "/articles/under-review/versions/1/",         None,
        (401, 200, 404, 200, 404, 404, 404)),
    ("diff",                "get",  "/articles/under-review/versions/1/diff/?against=1", None,
        (401, 200, 404, 200, 404, 404, 404)),
    ("article assignments", "get",  "/articles/under-review/assignments/",        None,
        (401, 403, 404, 200, 404, 404, 404)),
    ("assign",              "post", "/articles/invited/assignments/",             {"reviewer": "rev2"},
        (401, 403, 404, 201, 404, 404, 404)),
    ("suggestions",         "get",  "/reviewers/suggestions/?article=invited",    None,
        (401, 403, 404, 200, 404, 404, 404)),
    ("my assignments",      "get",  "/assignments/",                              None,
        (401, 200, 200, 200, 200, 200, 200)),
    ("assignment",          "get",  "/assignments/{assignment}/",                 None,
        (401, 403, 403, 200, 200, 403, 403)),
    ("accept",              "post", "/assignments/{invitation}/accept/",          {},
        (401, 403, 403, 403, 200, 403, 403)),
    ("decline",             "post", "/assignments/{invitation}/decline/",         {"reason": "Away."},
        (401, 403, 403, 403, 200, 403, 403)),
    ("declare conflict",    "post", "/assignments/{invitation}/conflict/",        {"category": "none"},
        (401, 403, 403, 403, 200, 403, 403)),
    ("review",              "post", "/assignments/{assignment}/review/",          _approval,
        (401, 403, 403, 403, 201, 403, 403)),
    ("audit",               "get",  "/audit/",                                    None,
        (401, 403, 403, 200, 403, 403, 403)),
    ("notifications",       "get",  "/notifications/",                            None,
        (401, 200, 200, 200, 200, 200, 200)),
    ("webhooks",            "get",  "/webhooks/",                                 None,
        (401, 403, 403, 200, 403, 403, 200)),
    ("register webhook",    "post", "/webhooks/",                                 _webhook,
        (401, 403, 403, 201, 403, 403, 403)),
    ("webhook",             "get",  "/webhooks/{webhook}/",                       None,
        (401, 403, 403, 200, 403, 403, 200)),
    ("change webhook",      "patch", "/webhooks/{webhook}/",                      {"active": False},
        (401, 403, 403, 200, 403, 403, 403)),
    ("delete webhook",      "delete", "/webhooks/{webhook}/",                     None,
        (401, 403, 403, 204, 403, 403, 403)),
    ("webhook deliveries",  "get",  "/webhooks/{webhook}/deliveries/",            None,
        (401, 403, 403, 200, 403, 403, 200)),
    ("resend webhook",      "post", "/webhooks/{webhook}/deliveries/{webhook_delivery}/resend/", {},
        (401, 403, 403, 200, 403, 403, 403)),
    ("public list",         "get",  "/public/articles/",                          None,
        (200, 200, 200, 200, 200, 200, 200)),
    ("public article",      "get",  "/public/articles/published/",                None,
        (200, 200, 200, 200, 200, 200, 200)),
    ("schema",              "get",  "/api/schema/",                               None,
        (200, 200, 200, 200, 200, 200, 200)),
    ("docs",                "get",  "/api/docs/",                                 None,
        (200, 200, 200, 200, 200, 200, 200)),
]  # fmt: skip


@pytest.mark.django_db
def test_every_endpoint_answers_every_role_as_the_table_says(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "10000/min", "anon": "10000/min", "login": "10000/min"},
    }
    clients = {role: world.client(role) for role in ROLES}
    ids = {"assignment": world.assignment.pk, "invitation": world.invitation.pk, **world.webhook_ids}
    ids["editor_token"] = ApiToken.issue(user=world.users["editor"], name="spare")[0].pk
    wrong = []
    for label, method, path, body, expected in MATRIX:
        url = path.format(**ids) if path.startswith("/api/") else A + path.format(**ids)
        for role, want in zip(ROLES, expected, strict=True):
            data = body(world, role) if callable(body) else body
            # Each call sees the same world: whatever it changes is rolled back before the next.
            with transaction.atomic():
                response = getattr(clients[role], method)(url, data, format="json")
                transaction.set_rollback(True)
            cache.clear()
            if response.status_code != want:
                got = f"{response.status_code}: {response.content[:300]!r}"
                wrong.append(f"{label} as {role}: expected {want}, got {got}")
            elif want >= 400:
                error_of(response)
    assert not wrong, "\n".join(wrong)


# --- object-level scoping -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_lists_only_their_own_articles_and_a_managing_editor_all(world):
    mine = client_for(world.users["other_editor"]).post(
        f"{A}/articles/", draft_payload(slug="ed2-own"), format="json"
    )
    assert mine.status_code == 201

    listed = client_for(world.users["other_editor"]).get(f"{A}/articles/").json()
    assert [a["slug"] for a in listed["results"]] == ["ed2-own"]
    everything = client_for(world.users["managing"]).get(f"{A}/articles/?page_size=100").json()
    assert everything["count"] == Article.objects.count() == 6


@pytest.mark.django_db
def test_a_reviewer_lists_only_their_own_assignments(world):
    mine = client_for(world.users["reviewer"]).get(f"{A}/assignments/").json()
    assert sorted(a["id"] for a in mine["results"]) == sorted([world.assignment.pk, world.invitation.pk])
    assert {a["reviewer"]["username"] for a in mine["results"]} == {"rev"}

    theirs = client_for(world.users["other_reviewer"]).get(f"{A}/assignments/").json()
    assert theirs["count"] == 2
    assert {a["reviewer"]["username"] for a in theirs["results"]} == {"rev2"}


@pytest.mark.django_db
def test_a_reviewer_reads_the_text_only_after_accepting_and_declaring(world):
    reviewer = client_for(world.users["reviewer"])
    invited = reviewer.get(f"{A}/assignments/{world.invitation.pk}/").json()
    assert invited["text_available"] is False and invited["text"] is None

    accepted = reviewer.get(f"{A}/assignments/{world.assignment.pk}/").json()
    assert accepted["text_available"] is True
    assert accepted["text"]["number"] == 1
    assert accepted["text"]["sections"][0]["id"] > 0


@pytest.mark.django_db
def test_an_integration_client_creates_and_submits_but_never_publishes(world):
    bot = client_for(world.users["integration"])
    created = bot.post(f"{A}/articles/", draft_payload(slug="pipeline-1"), format="json")
    assert created.status_code == 201
    assert "submit" in created.json()["allowed_actions"]

    submitted = bot.post(f"{A}/articles/pipeline-1/submit/", {}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == ArticleState.SUBMITTED

    # Approved by the board, the article still cannot be published by its pipeline.
    Article.objects.filter(slug="pipeline-1").update(state=ArticleState.APPROVED)
    detail = bot.get(f"{A}/articles/pipeline-1/").json()
    assert "publish" not in detail["allowed_actions"]
    refused = bot.post(f"{A}/articles/pipeline-1/publish/", {}, format="json")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "forbidden"
    assert Article.objects.get(slug="pipeline-1").state == ArticleState.APPROVED


@pytest.mark.django_db
def test_an_integration_client_cannot_review_even_as_the_assigned_board_member_would(world):
    bot = client_for(world.users["integration"])
    for path, body in [
        (f"/assignments/{world.assignment.pk}/review/", {"decision": "approve", "password": PASSWORD}),
        (f"/assignments/{world.invitation.pk}/accept/", {}),
    ]:
        response = bot.post(A + path, body, format="json")
        assert response.status_code == 403, path
        assert error_of(response)["code"] == "forbidden"
    assert bot.get(f"{A}/assignments/").json()["count"] == 0


@pytest.mark.django_db
def test_a_managing_editor_cannot_sign_a_review_in_the_reviewers_name(world):
    response = client_for(world.users["managing"]).post(
        f"{A}/assignments/{world.assignment.pk}/review/",
        {"decision": "approve", "checklist": ALL_CHECKED, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=world.under_review.pk).state == ArticleState.UNDER_REVIEW


@pytest.mark.django_db
def test_allowed_actions_are_those_of_the_caller(world):
    editor = client_for(world.users["editor"]).get(f"{A}/articles/under-review/").json()
    managing = client_for(world.users["managing"]).get(f"{A}/articles/under-review/").json()
    assert editor["allowed_actions"] == ["withdraw"]
    assert managing["allowed_actions"] == ["withdraw", "reject", "return"]
