"""reviews.middleware.LastActivityMiddleware: when a staff session was last active, for the
signing idle check, written to the session at most once a minute."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.roles import EDITOR
from reviews.middleware import ACTIVITY_RESOLUTION_SECONDS, SESSION_KEY
from tests.factories import make_user

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(make_user("editor", EDITOR))
    return client


def stored_activity(client: Client) -> float | None:
    session = Session.objects.get(session_key=client.session.session_key)
    return session.get_decoded().get(SESSION_KEY)


def test_a_staff_request_records_the_time(staff_client):
    with time_machine.travel(START, tick=False):
        staff_client.get("/desk/articles/")
    assert stored_activity(staff_client) == START.timestamp()


def test_requests_within_the_resolution_do_not_rewrite_the_session(staff_client):
    with time_machine.travel(START, tick=False):
        staff_client.get("/desk/articles/")
    session = Session.objects.get(session_key=staff_client.session.session_key)
    expire_date = session.expire_date
    soon = START + datetime.timedelta(seconds=ACTIVITY_RESOLUTION_SECONDS - 1)
    with time_machine.travel(soon, tick=False):
        response = staff_client.get("/desk/articles/")

    assert response.wsgi_request.previous_activity == START
    assert stored_activity(staff_client) == START.timestamp()
    # Nothing in the session changed, so the row was not written again.
    assert Session.objects.get(session_key=session.session_key).expire_date == expire_date


def test_a_request_after_the_resolution_records_the_new_time(staff_client):
    with time_machine.travel(START, tick=False):
        staff_client.get("/desk/articles/")
    later = START + datetime.timedelta(seconds=ACTIVITY_RESOLUTION_SECONDS)
    with time_machine.travel(later, tick=False):
        response = staff_client.get("/desk/articles/")

    assert response.wsgi_request.previous_activity == START
    assert stored_activity(staff_client) == later.timestamp()


def test_public_pages_leave_the_session_alone(staff_client):
    with time_machine.travel(START, tick=False):
        staff_client.get("/articles/")
    assert stored_activity(staff_client) is None
