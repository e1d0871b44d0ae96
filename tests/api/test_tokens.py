"""API tokens: stored hashed, obtained with a password or from a managing editor in the admin,
and revocable."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import EDITOR, INTEGRATION_CLIENT, MANAGING_EDITOR
from api.models import ApiToken
from audit.models import AuditEvent
from tests.api.helpers import client_for, error_of, fast_user
from tests.factories import PASSWORD, make_user


def test_a_password_buys_a_token_that_authenticates(db):
    fast_user("ed", EDITOR)
    answer = APIClient().post("/api/v1/auth/token/", {"username": "ed", "password": PASSWORD}, format="json")
    assert answer.status_code == 201
    key = answer.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/articles/").status_code == 200


def test_a_wrong_password_gets_no_token(db):
    fast_user("ed", EDITOR)
    answer = APIClient().post("/api/v1/auth/token/", {"username": "ed", "password": "nope"}, format="json")
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_only_a_hash_and_a_short_prefix_of_the_key_are_stored(db):
    token, key = ApiToken.issue(user=make_user("bot", INTEGRATION_CLIENT), name="pipeline")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.prefix == key[:8] and len(key) > 30
    assert key not in {str(getattr(stored, f.attname)) for f in ApiToken._meta.concrete_fields}


def test_a_revoked_token_or_an_inactive_user_no_longer_authenticates(db):
    user = make_user("bot", INTEGRATION_CLIENT)
    token, key = ApiToken.issue(user=user, name="pipeline")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/articles/").status_code == 200
    assert token.revoke() is True
    assert client.get("/api/v1/articles/").status_code == 401

    _other, other_key = ApiToken.issue(user=user, name="second")
    user.is_active = False
    user.save()
    client.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert client.get("/api/v1/articles/").status_code == 401


def test_using_a_token_records_when(db):
    user = make_user("bot", INTEGRATION_CLIENT)
    client = client_for(user)
    client.get("/api/v1/articles/")
    assert ApiToken.objects.get(user=user).last_used_at is not None


# --- the admin ---------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    managing = make_user("me", MANAGING_EDITOR, is_staff=True)
    client.force_login(managing)
    return client


def test_a_managing_editor_creates_a_token_and_sees_its_key_once(db, admin_client):
    bot = make_user("bot", INTEGRATION_CLIENT)
    response = admin_client.post(
        reverse("admin:api_apitoken_add"), {"name": "Nightly pipeline", "user": bot.pk}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.select_related("created_by").get(name="Nightly pipeline")
    (message,) = [str(m) for m in response.context["messages"] if "copy it now" in str(m)]
    key = message.split(" is ", 1)[1].split(" ", 1)[0]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.created_by.username == "me"
    assert AuditEvent.objects.filter(action="api_token.created", target_id=str(token.pk)).exists()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/articles/").status_code == 200
    # Once shown, never again: its page shows the prefix only.
    page = admin_client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert token.prefix in page.content.decode() and key not in page.content.decode()


def test_admin_tokens_are_only_for_integration_clients(db, admin_client):
    editor = make_user("ed", EDITOR)
    response = admin_client.post(reverse("admin:api_apitoken_add"), {"name": "Mine", "user": editor.pk})
    assert response.status_code == 200  # the form again, with the error
    assert not ApiToken.objects.exists()


def test_a_managing_editor_revokes_tokens_in_the_admin(db, admin_client):
    token, key = ApiToken.issue(user=make_user("bot", INTEGRATION_CLIENT), name="pipeline")
    admin_client.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoked", target_id=str(token.pk)).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/articles/").status_code == 401


def test_other_staff_cannot_see_tokens_in_the_admin(db, client):
    client.force_login(make_user("ed", EDITOR, is_staff=True))
    assert client.get(reverse("admin:api_apitoken_changelist")).status_code == 403
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
