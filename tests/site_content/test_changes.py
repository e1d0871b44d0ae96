"""Property 4 (issue 14) for the editorial policy: one audit event per new edition."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import MANAGING_EDITOR
from site_content.models import EditorialPolicy
from tests.admin_forms import assert_chain_intact, events_since, last_seq
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
