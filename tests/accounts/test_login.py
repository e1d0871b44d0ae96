"""Logging in and out, and the login rate limit (5 failures per username and address per 15 minutes)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.roles import EDITOR, REVIEWER
from tests.factories import PASSWORD, _password_hash, make_user

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Every attempt checks a password; with the project's real hasher that is slow. The shared
    # factory hash is made first with the real hasher, so other tests never get an MD5 one.
    _password_hash()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_login_user(username: str, *groups: str):
    user = make_user(username, *groups)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture(autouse=True)
def empty_cache():
    # The failure counters live in the cache; each test starts without any.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(db):
    return make_login_user("editor", EDITOR)


def attempt(client: Client, password: str, username: str = "editor", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_login_url():
    assert reverse("accounts:login") == LOGIN


def test_editor_logs_in_and_lands_on_their_articles(editor):
    client = Client()

    response = attempt(client, PASSWORD, follow=True)

    assert response.redirect_chain[-1][0] == reverse("desk:dashboard")
    assert response.status_code == 200
    assert response.context["user"] == editor


def test_reviewer_lands_in_the_inbox(db):
    make_login_user("rev", REVIEWER)

    response = attempt(Client(), PASSWORD, username="rev", follow=True)

    assert response.redirect_chain[-1][0] == reverse("inbox:list")


def test_login_follows_next_on_this_site_only(editor):
    client = Client()
    inside = client.post(LOGIN, {"username": "editor", "password": PASSWORD, "next": reverse("desk:new")})
    assert inside["Location"] == reverse("desk:new")

    outside = Client().post(
        LOGIN, {"username": "editor", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert outside["Location"] == reverse("accounts:start")


def test_a_wrong_password_is_an_error_on_the_form(editor):
    response = attempt(Client(), "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_fifth_failure_locks_then_even_the_right_password_is_refused_with_429(editor):
    client = Client()
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200

    fifth = attempt(client, "wrong")
    assert fifth.status_code == 429
    locked = attempt(client, PASSWORD)

    assert locked.status_code == 429
    assert "Too many login attempts" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_login_works_again_after_the_window(editor):
    with time_machine.travel(
        datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        client = Client()
        for _ in range(5):
            attempt(client, "wrong")
        assert attempt(client, PASSWORD).status_code == 429

        traveller.shift(datetime.timedelta(minutes=14))
        assert attempt(client, PASSWORD).status_code == 429

        traveller.shift(datetime.timedelta(minutes=1, seconds=1))
        response = attempt(client, PASSWORD)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(editor.pk)


def test_the_limit_is_per_username(editor):
    make_login_user("colleague", EDITOR)
    client = Client()
    for _ in range(5):
        attempt(client, "wrong")

    assert attempt(client, PASSWORD, username="colleague").status_code == 302


def test_the_limit_is_per_address(editor):
    for _ in range(5):
        attempt(Client(), "wrong", REMOTE_ADDR="203.0.113.7")

    assert attempt(Client(), PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert attempt(Client(), PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_the_username_is_matched_whatever_its_case(editor):
    client = Client()
    for _ in range(5):
        attempt(client, "wrong", username="EDITOR")

    assert attempt(client, PASSWORD, username="editor").status_code == 429


def test_a_success_clears_the_failures(editor):
    client = Client()
    for _ in range(4):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302

    for _ in range(4):
        assert attempt(Client(), "wrong").status_code == 200


def test_logout_is_post_only_and_ends_the_session(editor):
    client = Client()
    client.force_login(editor)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_login_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)

    assert attempt(client, PASSWORD).status_code == 403

    page = client.get(LOGIN)
    token = page.cookies["csrftoken"].value
    response = client.post(LOGIN, {"username": "editor", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


# --- the address the limit keys on (core.client_address) ---------------------------------------


def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(editor):
    # No proxy is trusted by default: every attempt is from 203.0.113.7, whatever it claims.
    for n in range(5):
        attempt(Client(), "wrong", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    locked = attempt(Client(), PASSWORD, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert locked.status_code == 429


def test_behind_a_trusted_proxy_the_limit_is_per_real_client(editor, settings):
    settings.VETTED = {**settings.VETTED, "TRUSTED_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(5):
        # The client varies what it sends; the proxy appends the address it really saw.
        attempt(Client(), "wrong", **proxy, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")

    assert attempt(Client(), PASSWORD, **proxy, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy is not locked out with the first.
    assert attempt(Client(), PASSWORD, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302
