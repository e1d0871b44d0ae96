"""One error shape for every refusal, and no request a client can send answered with a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from articles.models import Article
from tests.api.helpers import client_for, draft_payload, error_of

A = "/api/v1"


@pytest.fixture
def editor_client(world):
    return client_for(world.users["editor"])


def test_a_refused_transition_is_409_with_the_state_and_what_is_allowed(world, editor_client):
    response = editor_client.post(f"{A}/articles/published/submit/", format="json")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "transition_not_allowed"
    assert error["state"] == "published"
    assert error["allowed_actions"] == ["revise"]


def test_a_missing_reason_is_a_field_error(world):
    response = client_for(world.users["managing"]).post(f"{A}/articles/under-review/reject/", format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"reason": ["Required."]}


def test_an_ineligible_reviewer_is_refused_with_the_reasons(world):
    response = client_for(world.users["managing"]).post(
        f"{A}/articles/invited/assignments/", {"reviewer": "rev"}, format="json"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "reviewer_not_eligible"
    assert [r["code"] for r in error["reasons"]] == ["already_assigned"]


def test_a_wrong_signing_password_is_refused_and_nothing_is_signed(world):
    response = client_for(world.users["reviewer"]).post(
        f"{A}/assignments/{world.assignment.pk}/review/",
        {"decision": "approve", "password": "not-it"},
        format="json",
    )
    assert response.status_code in (400, 403)
    assert error_of(response)["code"] in ("signature_refused", "invalid")
    world.assignment.refresh_from_db()
    assert world.assignment.status == "accepted"


def test_nested_validation_errors_are_flattened_into_field_paths(world, editor_client):
    body = draft_payload(sections=[{"audience": "martians", "heading": "H", "body": "B"}])
    response = editor_client.post(f"{A}/articles/", body, format="json")
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["sections[0].audience"]


def test_an_unauthenticated_call_is_401_with_a_token_challenge(world):
    response = APIClient().get(f"{A}/articles/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["code"] == "not_authenticated"


HUGE = 10**40
MALFORMED = [
    # (why, method, path, body or raw bytes, content type, expected status)
    ("broken JSON", "post", "/articles/", b'{"title": ', "application/json", 400),
    ("JSON array body", "post", "/articles/", b"[1, 2]", "application/json", 400),
    ("not JSON at all", "post", "/articles/", b"title=x", "application/x-www-form-urlencoded", 415),
    ("wrong types", "post", "/articles/", {"title": {"a": 1}, "sections": "abc", "references": 5}, None, 400),
    ("huge reference number", "post", "/articles/",
        draft_payload(references=[{**draft_payload()["references"][0], "number": HUGE}]), None, 400),
    ("huge year", "post", "/articles/",
        draft_payload(references=[{**draft_payload()["references"][0], "year": HUGE}]), None, 400),
    ("float infinity", "post", "/articles/",
        b'{"title": "x", "specialty": "obstetrics", "is_correction": 1e999}', "application/json", 400),
    ("NaN", "post", "/articles/", b'{"title": NaN}', "application/json", 400),
    ("5000-digit integer", "post", "/articles/", b'{"title": "x", "revision": ' + b"9" * 5000 + b"}",
        "application/json", 400),
    ("lone surrogate", "post", "/articles/", b'{"title": "\\ud800", "specialty": "obstetrics"}',
        "application/json", 400),
    ("NUL character", "post", "/articles/", draft_payload(title="nul\x00here"), None, 400),
    ("title too long", "post", "/articles/", draft_payload(title="x" * 251), None, 400),
    ("heading too long", "post", "/articles/",
        draft_payload(sections=[{"audience": "patient", "heading": "h" * 201, "body": "b"}]), None, 400),
    ("unknown specialty", "post", "/articles/", draft_payload(specialty="astrology"), None, 400),
    ("bad slug", "post", "/articles/", draft_payload(slug="no spaces/allowed"), None, 400),
    ("not UTF-8", "post", "/articles/", b'{"title": "\xff\xfe"}', "application/json", 400),
    ("unknown article", "get", "/articles/nope/", None, None, 404),
    ("very long slug", "get", "/articles/" + "a" * 500 + "/", None, None, 404),
    ("unknown version", "get", "/articles/under-review/versions/7/", None, None, 404),
    ("huge version number", "get", "/articles/under-review/versions/" + "9" * 18 + "/", None, None, 404),
    ("absurd version number", "get", "/articles/under-review/versions/" + "9" * 40 + "/", None, None, 404),
    ("diff without against", "get", "/articles/under-review/versions/1/diff/", None, None, 400),
    ("diff against text", "get", "/articles/under-review/versions/1/diff/?against=abc", None, None, 400),
    ("diff against huge", "get", f"/articles/under-review/versions/1/diff/?against={HUGE}", None, None, 400),
    ("diff against missing", "get", "/articles/under-review/versions/1/diff/?against=5", None, None, 404),
    ("page beyond the end", "get", "/articles/?page=99", None, None, 404),
    ("page not a number", "get", "/articles/?page=abc", None, None, 404),
    ("huge page", "get", f"/articles/?page={HUGE}", None, None, 404),
    ("unknown state filter", "get", "/articles/?state=lost", None, None, 400),
    ("bad date filter", "get", "/articles/?updated_after=yesterday", None, None, 400),
    ("NUL in search", "get", "/articles/?q=a%00b", None, None, 400),
    ("date filter past year 9999", "get", "/articles/?updated_after=9999-12-31T23:59:59-12:00",
        None, None, 400),
    ("date filter before year 1", "get", "/audit/?until=0001-01-01T00:00:00%2B12:00", None, None, 400),
    ("unknown assignment", "get", "/assignments/" + "9" * 18 + "/", None, None, 403),
    ("absurd assignment id", "post", "/assignments/" + "9" * 40 + "/accept/", {}, None, 404),
    ("unknown checklist value", "post", "/assignments/{assignment}/review/",
        {"decision": "approve", "checklist": {"clinically_accurate": "yes"}}, None, 400),
    ("unknown decision", "post", "/assignments/{assignment}/review/", {"decision": "maybe"}, None, 400),
    ("section comment on a huge id", "post", "/assignments/{assignment}/review/",
        {"decision": "request_changes", "section_comments": [{"section": HUGE, "comment": "x"}]}, None, 400),
    ("section comment elsewhere", "post", "/assignments/{assignment}/review/",
        {"decision": "request_changes", "section_comments": [{"section": 9999, "comment": "x"}]}, None, 400),
    ("bad due date", "post", "/articles/invited/assignments/",
        {"reviewer": "rev2", "due_at": "soon"}, None, 400),
    ("due date past year 9999", "post", "/articles/invited/assignments/",
        {"reviewer": "rev2", "due_at": "9999-12-31T23:59:59-12:00"}, None, 400),
    ("due date before year 1", "post", "/articles/invited/assignments/",
        {"reviewer": "rev2", "due_at": "0001-01-01T00:00:00+14:00"}, None, 400),
    ("unknown reviewer", "post", "/articles/invited/assignments/", {"reviewer": "nobody"}, None, 400),
    ("suggestions without article", "get", "/reviewers/suggestions/", None, None, 400),
    ("unknown audit date", "get", "/audit/?since=never", None, None, 400),
    ("unknown public audience", "get", "/public/articles/published/?audience=martians", None, None, 400),
    ("unknown public specialty", "get", "/public/articles/?specialty=astrology", None, None, 400),
    ("wrong method", "delete", "/articles/under-review/", None, None, 405),
    ("no such endpoint", "get", "/nothing/here/", None, None, 404),
    ("no trailing slash", "post", "/articles", {}, None, 404),
]  # fmt: skip


@pytest.mark.parametrize(("why", "method", "path", "body", "content_type", "expected"), MALFORMED,
                         ids=[row[0] for row in MALFORMED])  # fmt: skip
def test_malformed_requests_get_a_4xx_in_the_error_shape(
    world, why, method, path, body, content_type, expected
):
    client = client_for(world.users["managing"])
    url = A + path.format(assignment=world.assignment.pk)
    if path.startswith("/assignments/{assignment}/review/"):
        client = client_for(world.users["reviewer"])
    if isinstance(body, bytes):
        response = getattr(client, method)(url, body, content_type=content_type)
    else:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")
    error_of(response)


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token not-a-key", "Token \u00e9t\u00e9", "Token " + "x" * 5000],
    ids=["no key", "two parts", "unknown key", "non-ascii", "very long"],
)
def test_a_bad_token_header_is_401(world, header):
    response = APIClient().get(f"{A}/articles/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_a_body_larger_than_the_server_accepts_is_413(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"drafts": [draft_payload(summary="x" * 20_000)]}
    response = client_for(world.users["editor"]).post(f"{A}/articles/batch/", body, format="json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


def test_asking_for_anything_but_json_is_406_in_json(world):
    response = client_for(world.users["editor"]).get(f"{A}/articles/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert error_of(response)["code"] == "not_acceptable"


def test_a_path_without_its_trailing_slash_says_so(world):
    response = client_for(world.users["editor"]).post(f"{A}/articles", {}, format="json")
    assert response.status_code == 404
    assert error_of(response)["message"].endswith("Paths end with a slash: /api/v1/articles/")


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options", "head"])
@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v2/articles/", "/api/v1/articles/x/unknown/"]
)
def test_an_unknown_api_path_is_a_json_404_for_every_method(world, method, path):
    # CSRF checks on, as for a real client: a token and no cookie must not meet Django's HTML CSRF page.
    client = client_for(world.users["editor"])
    client.handler.enforce_csrf_checks = True
    response = getattr(client, method)(path, {"title": "x"}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    if method != "head":
        error = error_of(response)
        assert error["code"] == "not_found"
        assert path in error["message"]


# --- issue 14, property 5 (no request gets a 500): found by tests/api/test_fuzz.py -------------------


@pytest.mark.parametrize("body", [b"[" * 5_000 + b"]" * 5_000, b'{"a":' * 100 + b"1" + b"}" * 100])
def test_no_500_when_json_nests_thousands_of_levels_deep(world, body):
    # json raised RecursionError (a 500) past ~1,000 levels; any body nested past 32 is refused.
    articles = Article.objects.count()
    response = world.client("editor").generic(
        "POST", "/api/v1/articles/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"
    assert "nested deeper than 32 levels" in error_of(response)["message"]
    assert Article.objects.count() == articles


def test_no_500_when_unknown_api_path_is_posted_with_a_token(world):
    # The API's catch-all was not CSRF-exempt: a POST got Django's HTML 403 page, not the JSON 404.
    client = APIClient(enforce_csrf_checks=True)
    _token, key = ApiToken.issue(user=world.users["editor"], name="csrf")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/no-such-endpoint/")
        assert response.status_code == 404, method
        assert error_of(response)["code"] == "not_found"


def test_no_500_later_when_assignment_due_date_is_at_the_end_of_the_calendar(world):
    # 9999-12-31 was stored, and any date arithmetic on it (reminders, extensions) overflowed.
    response = world.client("managing").post(
        f"/api/v1/articles/{world.under_review.slug}/assignments/",
        {"reviewer": "rev2", "due_at": "9999-12-31T23:59:59Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "due_at" in error_of(response)["fields"]
