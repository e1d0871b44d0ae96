"""Property 4 (issue 14) for accounts and role groups: who may act, review or sign changes only
with one audit event per save, from the admin (real POSTs) and from commands (``accounts.changes``)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.changes import create_account, update_account, update_group
from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from articles.errors import ContentInvalid
from tests.admin_forms import assert_chain_intact, events_since, last_seq, post_edits
from tests.factories import make_user

User = get_user_model()


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def doctor(db):
    return make_user("doctor", EDITOR)


def user_page(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def group_page(group: Group) -> str:
    return reverse("admin:auth_group_change", args=[group.pk])


def permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_deactivating_an_account_in_the_admin_is_one_event(admin_client, root, doctor):
    seq = last_seq()

    response = post_edits(admin_client, user_page(doctor), {"is_active": False})

    assert response.status_code == 302
    [event] = events_since(seq)
    assert event.action == "account.updated" and event.actor_id == root.pk
    assert event.target_type == "user" and event.target_id == str(doctor.pk)
    assert event.payload["changes"] == {"is_active": [True, False]}
    assert not User.objects.get(pk=doctor.pk).is_active
    assert_chain_intact()


def test_a_new_role_and_staff_status_in_one_save_are_one_event(admin_client, doctor):
    editor, reviewer = Group.objects.get(name=EDITOR), Group.objects.get(name=REVIEWER)
    seq = last_seq()

    post_edits(admin_client, user_page(doctor), {"groups": [editor.pk, reviewer.pk], "is_staff": True})

    [event] = events_since(seq)
    assert event.payload["changes"] == {
        "is_staff": [False, True],
        "groups": [[EDITOR], sorted([EDITOR, REVIEWER])],
    }
    assert User.objects.get(pk=doctor.pk).has_perm("articles.review_article")
    assert_chain_intact()


def test_a_permission_given_to_the_account_itself_is_recorded_by_name(admin_client, doctor):
    seq = last_seq()

    post_edits(
        admin_client, user_page(doctor), {"user_permissions": [permission("articles.review_article").pk]}
    )

    [event] = events_since(seq)
    assert event.payload["changes"] == {"user_permissions": [[], ["articles.review_article"]]}


def test_saving_an_account_unchanged_writes_no_event(admin_client, doctor):
    seq = last_seq()

    response = post_edits(admin_client, user_page(doctor), {})

    assert response.status_code == 302
    assert events_since(seq) == []


def test_adding_an_account_in_the_admin_is_one_event_without_the_password(admin_client, root):
    seq = last_seq()

    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-long-enough-Passw0rd",
            "password2": "a-long-enough-Passw0rd",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    user = User.objects.get(username="newcomer")
    [event] = events_since(seq)
    assert event.action == "account.created" and event.actor_id == root.pk
    assert event.payload["changes"]["username"] == [None, "newcomer"]
    assert "password" not in event.payload["changes"]
    assert user.password not in json.dumps(event.payload)
    assert_chain_intact()


def test_accounts_and_groups_are_not_deleted_in_the_admin(admin_client, doctor):
    group = Group.objects.get(name=REVIEWER)

    assert admin_client.get(reverse("admin:auth_user_delete", args=[doctor.pk])).status_code == 403
    assert admin_client.get(reverse("admin:auth_group_delete", args=[group.pk])).status_code == 403
    assert User.objects.filter(pk=doctor.pk).exists() and Group.objects.filter(pk=group.pk).exists()


def test_managing_editors_do_not_reach_accounts(client, db):
    client.force_login(make_user("chief", MANAGING_EDITOR, is_staff=True))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_a_permission_added_to_a_role_group_is_one_event(admin_client, root):
    group = Group.objects.get(name=EDITOR)
    before = sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    )
    review = permission("articles.review_article")
    seq = last_seq()

    response = post_edits(
        admin_client,
        group_page(group),
        {"permissions": [*group.permissions.values_list("pk", flat=True), review.pk]},
    )

    assert response.status_code == 302
    [event] = events_since(seq)
    assert event.action == "group.updated" and event.actor_id == root.pk
    assert event.payload["changes"] == {"permissions": [before, sorted([*before, "articles.review_article"])]}
    assert make_user("fresh-editor", EDITOR).has_perm("articles.review_article")
    assert_chain_intact()


def test_saving_a_group_unchanged_writes_no_event(admin_client):
    seq = last_seq()

    response = post_edits(admin_client, group_page(Group.objects.get(name=REVIEWER)), {})

    assert response.status_code == 302
    assert events_since(seq) == []


# --- the command door ---------------------------------------------------------------------------


def test_a_command_creating_and_changing_an_account_writes_one_event_each(db):
    reviewer = Group.objects.get_or_create(name=REVIEWER)[0]
    seq = last_seq()

    user = User(username="scripted", email="s@example.org")
    user.set_unusable_password()
    create_account(user, groups=[reviewer])
    update_account(user.pk, {"is_active": False, "groups": []})
    update_account(user.pk, {"is_active": False, "groups": []})  # already so: nothing

    created, updated = events_since(seq)
    assert (created.action, created.actor_label) == ("account.created", "system")
    assert created.payload["changes"]["groups"] == [[], [REVIEWER]]
    assert updated.payload["changes"] == {"is_active": [True, False], "groups": [[REVIEWER], []]}
    assert_chain_intact()


def test_a_command_cannot_change_the_password_hash_through_account_changes(doctor):
    with pytest.raises(ContentInvalid, match="password"):
        update_account(doctor.pk, {"password": "x"})


def test_a_group_asked_for_what_it_already_has_writes_nothing(db):
    group = Group.objects.get_or_create(name=REVIEWER)[0]
    seq = last_seq()

    assert update_group(group.pk, {"name": REVIEWER, "permissions": list(group.permissions.all())}) == {}
    assert events_since(seq) == []
