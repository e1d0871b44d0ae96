"""The staff lists' queries can use the indexes made for them (issue 7; figures in bench/queues.py).

An index only helps if the SQL Django writes matches it: the trigram indexes are on
``UPPER(title)`` because that is what ``icontains`` becomes on PostgreSQL, and the re-review
index is partial, so the queue's condition must imply its predicate. These tests ask the
planner, with sequential scans and sorts priced out (the test tables are tiny, so it would
otherwise rightly prefer them), whether it can answer each list from its index: if Django
changed the SQL or someone reworded a condition, the index would silently stop serving it.
Speed itself is measured by the benchmark, not here.
"""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection

from articles.access import visible_articles
from articles.filters import ArticleFilter
from articles.models import Article
from desk.reviews.filters import QueueFilter
from reviews.filters import queue_articles
from tests.factories import make_article, valid_content

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@contextlib.contextmanager
def only_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")


@pytest.fixture
def articles(editor):
    return [make_article(editor, content=valid_content(title=f"Angina at {n}")) for n in range(3)]


def test_staff_search_reads_the_trigram_indexes_of_title_and_slug(articles):
    listed = ArticleFilter({"q": "angina"}, queryset=Article.objects.all()).qs
    with only_indexes():
        # Unordered: the question is whether the search condition itself has an index.
        plan = listed.order_by().explain()
    assert "article_title_trgm" in plan and "article_slug_trgm" in plan
    assert {a.pk for a in listed} == {a.pk for a in articles}


def test_the_dashboard_page_is_read_from_the_updated_index(articles, managing):
    page = visible_articles(managing).order_by("-updated_at", "-pk")[:25]
    with only_indexes():
        plan = page.explain()
    assert "article_updated" in plan and "Sort" not in plan


def test_the_rereview_tab_is_read_in_order_from_its_partial_index(articles):
    page = QueueFilter({"tab": "rereview"}, queryset=queue_articles()).qs[:25]
    with only_indexes():
        plan = page.explain()
    assert "article_rereview_due" in plan
    assert "Sort" not in plan.split("SubPlan")[0]  # no sort of the rows before the page is taken


def test_the_trigram_indexes_take_each_write_directly_not_through_a_pending_list():
    # A pending list grows with every article save until a vacuum, and the planner prices it:
    # after ~5,000 saves it stopped using these indexes (migration 0006 says more).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class "
            "WHERE relname IN ('article_title_trgm', 'article_slug_trgm')"
        )
        options = dict(cursor.fetchall())
    assert options == {"article_title_trgm": ["fastupdate=off"], "article_slug_trgm": ["fastupdate=off"]}
