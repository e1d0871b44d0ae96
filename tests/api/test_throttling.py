"""Rate limits come from settings and answer 429 in the shared error shape."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.roles import EDITOR
from tests.api.helpers import client_for, error_of
from tests.factories import make_user


@pytest.fixture
def rates(settings):
    def set_rates(**rates: str) -> None:
        merged = {"user": "1000/min", "anon": "1000/min", "login": "1000/min", **rates}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}

    return set_rates


def test_a_token_over_its_rate_gets_429_with_retry_after(db, rates):
    rates(user="2/min")
    client = client_for(make_user("ed", EDITOR))
    assert [client.get("/api/v1/articles/").status_code for _ in range(2)] == [200, 200]
    throttled = client.get("/api/v1/articles/")
    assert throttled.status_code == 429
    assert error_of(throttled)["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60


def test_each_caller_has_their_own_allowance(db, rates):
    rates(user="1/min")
    first, second = client_for(make_user("a", EDITOR)), client_for(make_user("b", EDITOR))
    assert first.get("/api/v1/articles/").status_code == 200
    assert first.get("/api/v1/articles/").status_code == 429
    assert second.get("/api/v1/articles/").status_code == 200


def test_readers_are_limited_per_address(db, rates):
    rates(anon="1/min")
    reader = APIClient()
    assert reader.get("/api/v1/public/articles/").status_code == 200
    throttled = reader.get("/api/v1/public/articles/")
    assert throttled.status_code == 429
    assert error_of(throttled)["code"] == "throttled"


def test_password_guessing_on_the_token_endpoint_is_limited(db, rates):
    rates(login="2/min")
    client = APIClient()
    wrong = {"username": "ed", "password": "guess"}
    assert [client.post("/api/v1/auth/token/", wrong, format="json").status_code for _ in range(2)] == [
        400,
        400,
    ]
    assert client.post("/api/v1/auth/token/", wrong, format="json").status_code == 429


def test_a_forged_forwarded_for_header_does_not_dodge_the_login_limit(db, rates):
    rates(login="2/min")
    wrong = {"username": "ed", "password": "guess"}
    answers = [
        APIClient().post("/api/v1/auth/token/", wrong, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [400, 400, 429]


def test_behind_a_trusted_proxy_api_limits_are_per_real_client(db, rates, settings):
    settings.VETTED = {**settings.VETTED, "TRUSTED_PROXIES": 1}
    rates(login="2/min", anon="1/min")
    wrong = {"username": "ed", "password": "guess"}

    def via_proxy(real: str, claimed: str = "") -> dict:
        return {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"{claimed}{real}"}

    statuses = [
        APIClient().post(
            "/api/v1/auth/token/", wrong, format="json", **via_proxy("203.0.113.7", f"1.1.1.{n}, ")
        )
        for n in range(3)
    ]
    assert [s.status_code for s in statuses] == [400, 400, 429]
    other = APIClient().post("/api/v1/auth/token/", wrong, format="json", **via_proxy("198.51.100.2"))
    assert other.status_code == 400

    assert APIClient().get("/api/v1/public/articles/", **via_proxy("203.0.113.7")).status_code == 200
    assert (
        APIClient().get("/api/v1/public/articles/", **via_proxy("203.0.113.7", "9.9.9.9, ")).status_code
        == 429
    )
    assert APIClient().get("/api/v1/public/articles/", **via_proxy("198.51.100.2")).status_code == 200


def test_the_web_login_and_the_api_key_on_the_same_address(rf, settings):
    from accounts.views import limiter_address
    from api.throttling import AnonThrottle, LoginThrottle

    settings.VETTED = {**settings.VETTED, "TRUSTED_PROXIES": 2}
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2")
    assert limiter_address(request) == "203.0.113.7"
    assert LoginThrottle().get_ident(request) == AnonThrottle().get_ident(request) == "203.0.113.7"
