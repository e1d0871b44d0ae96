"""API tokens: stored hashed, obtained with a password or from a managing editor in the admin,
and revocable."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import EDITOR, INTEGRATION_CLIENT, MANAGING_EDITOR
from api.models import ApiToken
from audit.models import AuditEvent
from audit.verify import verify as verify_trail
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


# --- what ends a token: its owner's password or account, its age ------------------------------------


def _works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/notifications/").status_code == 200


def _revocations(token) -> list[dict]:
    return list(
        AuditEvent.objects.filter(action="api_token.revoked", target_id=str(token.pk)).values_list(
            "payload", flat=True
        )
    )


def test_a_password_change_revokes_every_token_of_that_person_once_each(db):
    user, colleague = make_user("bot", INTEGRATION_CLIENT), make_user("bot2", INTEGRATION_CLIENT)
    (first, first_key), (second, second_key) = (ApiToken.issue(user=user, name=n) for n in ("a", "b"))
    already, _ = ApiToken.issue(user=user, name="old")
    already.revoke()
    _theirs, their_key = ApiToken.issue(user=colleague, name="theirs")

    user.set_password("a-new-long-passphrase")
    user.save()

    assert not _works(first_key) and not _works(second_key)
    assert _works(their_key)
    for token in (first, second):
        (payload,) = _revocations(token)
        assert payload == {
            "name": token.name,
            "prefix": token.prefix,
            "user_id": user.pk,
            "reason": "password_changed",
        }
    assert _revocations(already) == []  # revoked before: no second event
    assert verify_trail().ok
    # A token made after the change works.
    assert _works(ApiToken.issue(user=user, name="new")[1])


def test_a_password_changed_in_the_admin_revokes_the_tokens(db, admin_client):
    user = make_user("ed", EDITOR)
    token, key = ApiToken.issue(user=user, name="mine")
    admin_client.force_login(make_user("root", is_staff=True, is_superuser=True))
    new = "a-new-long-passphrase"
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not _works(key)
    assert [p["reason"] for p in _revocations(token)] == ["password_changed"]


def test_logging_in_does_not_revoke_tokens_even_when_the_hash_is_upgraded(db, settings):
    # The stored hash is PBKDF2 (tests.factories); with MD5 preferred, a right password is re-hashed
    # and saved on login: the same password, so the person's tokens keep working.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = make_user("ed", EDITOR)
    token, key = ApiToken.issue(user=user, name="mine")
    stored = user.password

    answer = APIClient().post("/api/v1/auth/token/", {"username": "ed", "password": PASSWORD}, format="json")

    assert answer.status_code == 201
    user.refresh_from_db()
    assert user.password != stored and user.password.startswith("md5$")  # it was re-hashed
    assert _works(key) and _revocations(token) == []


def test_saving_a_person_for_other_reasons_leaves_their_tokens(db):
    user = make_user("ed", EDITOR)
    _token, key = ApiToken.issue(user=user, name="mine")
    user.email = "new@example.org"
    user.save()
    user.first_name = "Ed"
    user.save(update_fields=["first_name"])
    assert _works(key)
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()


def test_deactivating_an_account_revokes_its_tokens_for_good(db):
    user = make_user("bot", INTEGRATION_CLIENT)
    token, key = ApiToken.issue(user=user, name="pipeline")
    user.is_active = False
    user.save(update_fields=["is_active"])

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert [p["reason"] for p in _revocations(token)] == ["account_deactivated"]
    user.is_active = True
    user.save()
    assert not _works(key)  # reactivating the account does not bring old keys back


def test_a_token_expires_after_the_configured_days(db, settings):
    settings.VETTED = {**settings.VETTED, "API_TOKEN_DAYS": 30}
    start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        token, key = ApiToken.issue(user=make_user("bot", INTEGRATION_CLIENT), name="pipeline")
        assert token.expires_at == start + datetime.timedelta(days=30)
        traveller.shift(datetime.timedelta(days=30) - datetime.timedelta(seconds=1))
        assert _works(key)

        traveller.shift(datetime.timedelta(seconds=1))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        expired = client.get("/api/v1/notifications/")
        assert expired.status_code == 401
        assert error_of(expired)["message"].startswith("The token expired on 2026-03-31 09:00 UTC")
        assert not ApiToken.objects.active().filter(pk=token.pk).exists()

        settings.VETTED = {**settings.VETTED, "API_TOKEN_DAYS": 0}  # 0: tokens never expire
        assert _works(key) and token.expires_at is None


# --- owners list and revoke their own; managing editors anyone's ------------------------------------

TOKENS = "/api/v1/auth/tokens/"


def test_people_list_their_own_tokens_without_any_key(db):
    user = make_user("ed", EDITOR)
    make_user("ed2", EDITOR)
    _other, _ = ApiToken.issue(user=get_user_model().objects.get(username="ed2"), name="not mine")
    older, older_key = ApiToken.issue(user=user, name="laptop")
    older.revoke()
    client = client_for(user)  # issues the token it calls with

    answer = client.get(TOKENS)

    assert answer.status_code == 200
    listed = answer.json()["results"]
    assert [(t["name"], t["active"], t["current"]) for t in listed] == [
        ("test ed", True, True),
        ("laptop", False, False),
    ]
    assert listed[1]["revoked_at"] is not None and listed[1]["prefix"] == older.prefix
    assert set(listed[0]) == {
        "id", "name", "prefix", "user", "created_by", "created_at", "last_used_at", "expires_at",
        "revoked_at", "active", "current",
    }  # fmt: skip
    assert older_key not in answer.content.decode() and older.key_hash not in answer.content.decode()
    assert [t["name"] for t in client.get(TOKENS + "?active=false").json()["results"]] == ["laptop"]


def test_a_managing_editor_lists_everyones_tokens_and_filters_by_owner(db):
    ApiToken.issue(user=make_user("ed", EDITOR), name="ed's")
    ApiToken.issue(user=make_user("bot", INTEGRATION_CLIENT), name="bot's")
    client = client_for(make_user("me", MANAGING_EDITOR))

    assert {t["user"] for t in client.get(TOKENS).json()["results"]} == {"ed", "bot", "me"}
    assert [t["name"] for t in client.get(TOKENS + "?user=bot").json()["results"]] == ["bot's"]


def test_an_owner_revokes_their_own_token_once(db):
    user = make_user("ed", EDITOR)
    token, key = ApiToken.issue(user=user, name="laptop")
    client = client_for(user)

    answer = client.post(f"{TOKENS}{token.pk}/revoke/")

    assert answer.status_code == 200
    assert answer.json()["active"] is False and answer.json()["revoked_at"] is not None
    assert not _works(key)
    (event,) = AuditEvent.objects.filter(action="api_token.revoked", target_id=str(token.pk)).select_related(
        "actor"
    )
    assert event.actor.username == "ed" and event.payload["reason"] == "revoked_by_owner"
    again = client.post(f"{TOKENS}{token.pk}/revoke/")
    assert again.status_code == 200 and again.json()["revoked_at"] == answer.json()["revoked_at"]
    assert len(_revocations(token)) == 1


def test_a_token_can_revoke_itself(db):
    user = make_user("bot", INTEGRATION_CLIENT)
    client = client_for(user)
    token = ApiToken.objects.get(user=user)
    assert client.post(f"{TOKENS}{token.pk}/revoke/").json()["current"] is True
    assert client.get(TOKENS).status_code == 401


def test_someone_elses_token_is_not_there_for_other_people(db):
    token, key = ApiToken.issue(user=make_user("ed", EDITOR), name="ed's")
    intruder = client_for(make_user("ed2", EDITOR))

    answer = intruder.post(f"{TOKENS}{token.pk}/revoke/")

    assert answer.status_code == 404 and error_of(answer)["code"] == "not_found"
    assert _works(key) and _revocations(token) == []
    assert intruder.post(f"{TOKENS}999999/revoke/").status_code == 404


def test_a_managing_editor_revokes_anyones_token(db):
    token, key = ApiToken.issue(user=make_user("ed", EDITOR), name="ed's")
    answer = client_for(make_user("me", MANAGING_EDITOR)).post(f"{TOKENS}{token.pk}/revoke/")
    assert answer.status_code == 200
    assert not _works(key)
    assert [p["reason"] for p in _revocations(token)] == ["revoked_by_managing_editor"]


def test_revoking_needs_a_login(db):
    token, key = ApiToken.issue(user=make_user("ed", EDITOR), name="ed's")
    assert APIClient().post(f"{TOKENS}{token.pk}/revoke/").status_code == 401
    assert APIClient().get(TOKENS).status_code == 401
    assert _works(key)


def test_the_token_endpoints_are_in_the_schema(db):
    paths = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert "get" in paths["/api/v1/auth/tokens/"]
    revoke = paths["/api/v1/auth/tokens/{id}/revoke/"]["post"]
    assert "200" in revoke["responses"] and "404" in revoke["responses"]
    assert "429" in paths["/api/v1/auth/token/"]["post"]["responses"]


def test_deactivating_through_the_audited_account_change_revokes_the_tokens_too(db):
    from accounts.changes import update_account

    user = make_user("bot", INTEGRATION_CLIENT)
    token, _key = ApiToken.issue(user=user, name="pipeline")

    update_account(user.pk, {"is_active": False}, by=make_user("me", MANAGING_EDITOR))

    assert [p["reason"] for p in _revocations(token)] == ["account_deactivated"]
    assert AuditEvent.objects.filter(action="account.updated", target_id=str(user.pk)).count() == 1
    assert verify_trail().ok
