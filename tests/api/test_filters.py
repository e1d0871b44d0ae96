"""The staff article list and the audit trail, filtered through the shared FilterSets."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.api.helpers import client_for

A = "/api/v1"


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(a["slug"] for a in response.json()["results"])


def test_articles_filter_by_state_specialty_owner_and_text(world):
    client = client_for(world.users["managing"])
    assert slugs(client.get(f"{A}/articles/?state=under_review")) == ["invited", "under-review"]
    assert slugs(client.get(f"{A}/articles/?state=draft&owner=ed")) == ["draft"]
    assert slugs(client.get(f"{A}/articles/?owner=ed2")) == []
    assert slugs(client.get(f"{A}/articles/?specialty=obstetrics&q=approv")) == ["approved"]
    assert slugs(client.get(f"{A}/articles/?specialty=cardiology")) == []


def test_articles_filter_by_update_time(world):
    client = client_for(world.users["managing"])
    later = (timezone.now() + datetime.timedelta(minutes=5)).isoformat()
    assert slugs(client.get(f"{A}/articles/", {"updated_after": later})) == []
    earlier = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert len(slugs(client.get(f"{A}/articles/", {"updated_after": earlier}))) == 5


def test_lists_are_paginated_with_count_and_links(world):
    page = client_for(world.users["managing"]).get(f"{A}/articles/?page_size=2&page=2").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 5 and len(page["results"]) == 2
    assert "page=3" in page["next"] and page["previous"] is not None


def test_audit_filters_by_article_actor_action_and_time(world):
    client = client_for(world.users["managing"])

    def actions(**query) -> list[str]:
        response = client.get(f"{A}/audit/", {"page_size": 100, **query})
        assert response.status_code == 200, response.content
        return [e["action"] for e in response.json()["results"]]

    assert actions(article="published", action="article.publish") == ["article.publish"]
    assert set(actions(actor="rev")) == {"assignment.accepted", "assignment.conflict_declared"}
    assert actions(article="draft") == ["article.created"]
    future = (timezone.now() + datetime.timedelta(minutes=5)).isoformat()
    assert actions(since=future) == []
    assert actions(until=(timezone.now() - datetime.timedelta(days=1)).isoformat()) == []
    everything = actions()
    assert everything and len(
        actions(since=(timezone.now() - datetime.timedelta(days=1)).isoformat())
    ) == len(everything)


def test_a_time_with_an_offset_postgresql_cannot_store_is_read_as_the_same_moment_in_utc(world):
    client = client_for(world.users["managing"])
    # +21:15 is a valid ISO 8601 offset Python parses; PostgreSQL refuses offsets beyond ±15:59.
    far_ahead = "2999-10-27T09:18:55+21:15"
    assert slugs(client.get(f"{A}/articles/", {"updated_after": far_ahead})) == []
    assert client.get(f"{A}/audit/", {"until": "1999-10-27T09:18:55-20:48"}).json()["count"] == 0
    assert client.get(f"{A}/audit/", {"since": "2000-01-01T00:00:00+21:15"}).json()["count"] > 0
