"""Property 4 (issue 14) for the public site's switches and policy: one audit event per change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import MANAGING_EDITOR
from site_content.changes import update_site_settings
from site_content.models import EditorialPolicy, SiteSettings
from site_content.switches import current_site_settings
from tests.admin_forms import assert_chain_intact, events_since, last_seq, post_edits
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def chief(db):
    return make_user("chief", MANAGING_EDITOR, is_staff=True)


@pytest.fixture
def admin_client(client, chief):
    client.force_login(chief)
    return client


def settings_page() -> str:
    SiteSettings.objects.get_or_create(pk=SiteSettings.SINGLETON_PK)
    return reverse("admin:site_content_sitesettings_change", args=[SiteSettings.SINGLETON_PK])


def test_switching_pending_versions_on_is_one_event_and_applies_at_once(admin_client, chief):
    url = settings_page()
    seq = last_seq()

    response = post_edits(admin_client, url, {"show_pending_versions": True})

    assert response.status_code == 302
    [event] = events_since(seq)
    assert event.action == "site.settings_changed" and event.actor_id == chief.pk
    assert event.payload["changes"] == {"show_pending_versions": [False, True]}
    assert current_site_settings().show_pending_versions is True
    assert_chain_intact()


def test_saving_the_settings_unchanged_writes_no_event(admin_client):
    url = settings_page()
    seq = last_seq()

    assert post_edits(admin_client, url, {}).status_code == 302
    assert events_since(seq) == []


def test_a_new_policy_edition_is_one_event_naming_its_text(admin_client, chief):
    seq = last_seq()

    response = admin_client.post(
        reverse("admin:site_content_editorialpolicy_add"),
        {
            "body": "We publish what the board signed.",
            "published_at_0": "2026-01-01",
            "published_at_1": "00:00",
        },
    )

    assert response.status_code == 302
    edition = EditorialPolicy.objects.get()
    [event] = events_since(seq)
    assert event.action == "site.policy_edition_added" and event.target_id == str(edition.pk)
    assert event.payload["body_length"] == len("We publish what the board signed.")
    assert edition.created_by_id == chief.pk
    assert_chain_intact()


def test_a_command_setting_a_switch_already_set_writes_nothing(db):
    update_site_settings({"show_pending_versions": True})
    seq = last_seq()

    assert update_site_settings({"show_pending_versions": True}) == {}
    assert events_since(seq) == []
