"""KeysFirstPaginator: a page's keys from the sorted list, then its rows read by key."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db.models import Value

from articles.models import Specialty
from core.pagination import KeysFirstPaginator
from tests.factories import make_specialty

pytestmark = pytest.mark.django_db


@pytest.fixture
def specialties():
    # Names sort in the opposite order to the primary keys, so a page in key order would be wrong.
    return [make_specialty(f"s{i:02}", name=f"Specialty {20 - i:02}") for i in range(11)]


def by_name():
    return Specialty.objects.order_by("name", "pk")


def rows_with_a_mark():
    return Specialty.objects.annotate(mark=Value("read by key"))


@pytest.mark.parametrize("orphans", [0, 2])
def test_every_page_holds_what_a_plain_paginator_holds_in_the_same_order(specialties, orphans):
    plain = Paginator(by_name(), 4, orphans=orphans)
    keys_first = KeysFirstPaginator(by_name(), 4, orphans=orphans, rows=rows_with_a_mark())
    assert keys_first.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [s.slug for s in plain.page(number)]
        page = keys_first.page(number)
        assert [s.slug for s in page] == expected
        assert page.has_next() == plain.page(number).has_next()


def test_rows_come_from_the_rows_queryset(specialties):
    page = KeysFirstPaginator(by_name(), 4, rows=rows_with_a_mark()).page(1)
    assert {s.mark for s in page} == {"read by key"}


def test_a_row_gone_between_the_two_reads_is_left_out(specialties):
    first_page = [s.slug for s in by_name()[:4]]
    gone = first_page[1]

    rows_after_a_delete = Specialty.objects.exclude(slug=gone)
    page = KeysFirstPaginator(by_name(), 4, rows=rows_after_a_delete).page(1)
    assert [s.slug for s in page] == [slug for slug in first_page if slug != gone]


def test_two_queries_a_page_whatever_its_length(specialties, django_assert_num_queries):
    paginator = KeysFirstPaginator(by_name(), 10, rows=rows_with_a_mark())
    paginator.count = len(specialties)  # as the queue does: the count is known already
    with django_assert_num_queries(2):
        assert len(paginator.page(1)) == 10
    with django_assert_num_queries(2):
        assert len(paginator.page(2)) == 1


def test_an_empty_list_gives_an_empty_first_page():
    page = KeysFirstPaginator(Specialty.objects.none(), 10, rows=rows_with_a_mark()).get_page(1)
    assert list(page) == []
    assert page.paginator.num_pages == 1
