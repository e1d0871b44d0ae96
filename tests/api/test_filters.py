"""The staff article list and the audit trail, filtered through the shared FilterSets."""

from __future__ import annotations

import datetime

from django.utils import timezone

from articles.models import Article
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


def seqs(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [e["seq"] for e in response.json()["results"]]


def test_the_audit_list_is_newest_first_with_or_without_a_date_range(world):
    client = client_for(world.users["managing"])
    everything = seqs(client.get(f"{A}/audit/", {"page_size": 100}))
    assert len(everything) > 3 and everything == sorted(everything, reverse=True)
    # With a date range the query orders by time then position: the same order.
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert seqs(client.get(f"{A}/audit/", {"page_size": 100, "since": since})) == everything


def test_the_audit_count_stops_at_the_cap_and_says_so(world, monkeypatch):
    client = client_for(world.users["managing"])
    total = client.get(f"{A}/audit/").json()["count"]
    assert client.get(f"{A}/audit/").json()["count_is_capped"] is False

    monkeypatch.setattr("audit.pagination.LISTED_EVENTS_CAP", 3)
    page = client.get(f"{A}/audit/", {"page_size": 2}).json()
    assert total > 3
    assert (page["count"], page["count_is_capped"]) == (3, True)
    assert len(client.get(f"{A}/audit/", {"page_size": 2, "page": 2}).json()["results"]) == 1
    # The pages stop at the cap, with the API's usual answer for a page that is not there.
    assert client.get(f"{A}/audit/", {"page_size": 2, "page": 3}).status_code == 404


def test_a_search_lists_its_matches_newest_first_like_the_rest(world):
    client = client_for(world.users["managing"])
    # "e" matches most slugs; the search's order (sorted after filtering) must be the list's order.
    everything = [a["slug"] for a in client.get(f"{A}/articles/").json()["results"]]
    searched = [a["slug"] for a in client.get(f"{A}/articles/", {"q": "e"}).json()["results"]]
    assert len(searched) >= 2
    assert searched == [slug for slug in everything if slug in searched]


def test_each_article_carries_its_latest_version_number(world):
    client = client_for(world.users["managing"])
    listed = {a["slug"]: a["latest_version"] for a in client.get(f"{A}/articles/").json()["results"]}
    for slug, number in listed.items():
        assert number == Article.objects.get(slug=slug).versions.order_by("-number").first().number
