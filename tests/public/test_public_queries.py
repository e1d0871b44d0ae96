"""Queries per public page do not grow with sections, references, reviewers or rows.

The article page and the index are with every other listing in tests/test_constant_queries.py.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from public.render_cache import local_pages
from reviews.models import BoardMember, ConflictOfInterest
from tests.public.public_setup import (
    publish_article,
    publish_new_version,
    reviewer,
    rich_content,
    second_version,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def count_queries(client, path: str, *, cold: bool = True) -> int:
    if cold:
        cache.clear()
        local_pages.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.fixture
def small_and_large(editor, managing):
    one = reviewer("solo", display_name="Dr Solo")
    many = [reviewer(f"many{i}", display_name=f"Dr Many {i}") for i in range(3)]
    small = publish_article(editor, managing, [one], content=rich_content(1, 1, title="Small"), slug="small")
    large = publish_article(editor, managing, many, content=rich_content(6, 12, title="Large"), slug="large")
    return small, large


def test_article_page_served_from_cache_runs_no_query(client, small_and_large):
    count_queries(client, "/articles/large/")
    assert count_queries(client, "/articles/large/", cold=False) == 0


def test_earlier_version_page_queries_do_not_grow(client, editor, managing, small_and_large):
    small, large = small_and_large
    extra = reviewer("extra")
    for article in (small, large):
        publish_new_version(article, editor, managing, [extra], second_version(title=article.title))
    assert count_queries(client, "/articles/small/versions/1/") == count_queries(
        client, "/articles/large/versions/1/"
    )


def test_history_queries_do_not_grow_with_versions(client, editor, managing):
    signer = reviewer("signer")
    article = publish_article(editor, managing, [signer])
    one = count_queries(client, f"/articles/{article.slug}/history/")
    for n in range(3):
        publish_new_version(article, editor, managing, [signer], second_version(change_summary=f"Change {n}"))
    assert count_queries(client, f"/articles/{article.slug}/history/") == one


def test_board_queries_do_not_grow_with_members(client, db):
    reviewer("first")
    one = count_queries(client, "/board/")
    for i in range(6):
        reviewer(f"member{i}")
    assert count_queries(client, "/board/") == one


def test_board_profile_queries_do_not_grow_with_disclosures_or_reviews(client, editor, managing):
    user = reviewer("prolific")
    member = BoardMember.objects.get(user=user)
    publish_article(editor, managing, [user], slug="a1")
    ConflictOfInterest.objects.create(member=member, kind="topic", topic="Acme")
    one = count_queries(client, f"/board/{member.pk}/")
    for i in range(4):
        publish_article(editor, managing, [user], slug=f"a{i + 2}")
        ConflictOfInterest.objects.create(member=member, kind="topic", topic=f"Sponsor {i}")
    assert count_queries(client, f"/board/{member.pk}/") == one


def test_feed_and_sitemap_queries_do_not_grow(client, editor, managing):
    signer = reviewer("signer")
    publish_article(editor, managing, [signer], slug="first")
    feed, sitemap = count_queries(client, "/feed.atom"), count_queries(client, "/sitemap.xml")
    for i in range(5):
        publish_article(editor, managing, [signer], slug=f"more-{i}")
    assert count_queries(client, "/feed.atom") == feed
    assert count_queries(client, "/sitemap.xml") == sitemap
