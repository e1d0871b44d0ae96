"""The token exchange locks an account after repeated wrong passwords, from whatever addresses."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.roles import EDITOR
from api.models import ApiToken
from tests.api.helpers import error_of, fast_user
from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token/"
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def policy(settings):
    settings.VETTED = {
        **settings.VETTED,
        "API_LOGIN_LOCK_FAILURES": 3,
        "API_LOGIN_LOCK_WINDOW_MINUTES": 10,
        "API_LOGIN_LOCK_MINUTES": 20,
    }
    # The per-address throttle out of the way: this is about the account, across addresses.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "1000/min", "anon": "1000/min", "login": "1000/min"},
    }


@pytest.fixture
def editor(db):
    return fast_user("ed", EDITOR)


def login(password: str, *, username: str = "ed", address: str = "203.0.113.1"):
    return APIClient().post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_repeated_failures_from_many_addresses_lock_the_account_and_say_until_when(editor):
    with time_machine.travel(START, tick=False):
        assert [login("guess", address=f"198.51.100.{n}").status_code for n in range(2)] == [400, 400]
        third = login("guess", address="198.51.100.3")
        assert third.status_code == 429
        error = error_of(third)
        assert error["code"] == "account_locked"
        assert error["locked_until"] == "2026-03-01T09:20:00Z"
        assert error["retry_after"] == 20 * 60 == int(third["Retry-After"])
        assert "locked until 2026-03-01 09:20:00 UTC (in 20 minutes)" in error["message"]

        # The right password from a fresh address is refused too, unchecked, and gets no token.
        right = login(PASSWORD, address="192.0.2.44")
        assert right.status_code == 429 and error_of(right)["code"] == "account_locked"
        assert not ApiToken.objects.exists()


def test_the_lock_ends_after_its_time(editor):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(3):
            login("guess")
        traveller.shift(datetime.timedelta(minutes=19, seconds=59))
        waiting = login(PASSWORD)
        assert waiting.status_code == 429 and int(waiting["Retry-After"]) == 1

        traveller.shift(datetime.timedelta(seconds=1))
        assert login(PASSWORD).status_code == 201


def test_failures_outside_the_window_do_not_add_up(editor):
    with time_machine.travel(START, tick=False) as traveller:
        login("guess")
        login("guess")
        traveller.shift(datetime.timedelta(minutes=10))
        assert login("guess").status_code == 400  # a new window: one failure so far
        assert login(PASSWORD).status_code == 201


def test_a_success_clears_the_failures(editor):
    login("guess")
    login("guess")
    assert login(PASSWORD).status_code == 201
    assert [login("guess").status_code for _ in range(2)] == [400, 400]
    assert login("guess").status_code == 429


def test_the_lock_is_per_account(editor):
    fast_user("colleague", EDITOR)
    for _ in range(3):
        login("guess")
    assert login(PASSWORD, username="colleague").status_code == 201


def test_the_username_is_matched_whatever_its_case(editor):
    for _ in range(3):
        login("guess", username="ED")
    assert login(PASSWORD).status_code == 429


def test_zero_failures_turns_the_lock_off(editor, settings):
    settings.VETTED = {**settings.VETTED, "API_LOGIN_LOCK_FAILURES": 0}
    assert {login("guess").status_code for _ in range(5)} == {400}
    assert login(PASSWORD).status_code == 201
