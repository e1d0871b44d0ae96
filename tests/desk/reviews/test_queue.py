"""The managing editor's queue: which article is on which tab, the counts, filters, queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleState
from reviews.assignments import assign_reviewer
from reviews.models import RereviewFlag
from tests.factories import (
    approve_directly,
    make_article,
    make_specialty,
    submit,
    valid_content,
)
from tests.reviews.helpers import make_reviewer

pytestmark = pytest.mark.django_db
QUEUE = reverse("reviews:queue")


def new_submitted(editor, title: str, specialty=None) -> Article:
    return submit(make_article(editor, specialty, content=valid_content(title=title)), editor)


def mark_published(article: Article, *, next_review_due: datetime.date) -> Article:
    # The queue only reads these columns; the publishing path itself is tested elsewhere.
    Article.objects.filter(pk=article.pk).update(
        state=ArticleState.PUBLISHED,
        published_version=article.latest_version(),
        next_review_due=next_review_due,
    )
    return Article.objects.get(pk=article.pk)


@pytest.fixture
def world(editor, managing, specialty, reviewer, reviewer2):
    """One article for every tab (and one for none)."""
    today = timezone.localdate()
    past = timezone.now() - datetime.timedelta(days=2)
    unassigned = new_submitted(editor, "Unassigned article")
    in_review = new_submitted(editor, "Reviewing article")
    assign_reviewer(in_review, reviewer, managing)
    overdue = new_submitted(editor, "Late article")
    assign_reviewer(overdue, reviewer2, managing)
    overdue.assignments.update(status="accepted", accepted_at=past, due_at=past + datetime.timedelta(hours=1))
    everyone_declined = new_submitted(editor, "Declined article")
    declined = assign_reviewer(everyone_declined, reviewer, managing)
    declined.__class__.objects.filter(pk=declined.pk).update(status="declined", declined_at=past)
    approved = approve_directly(
        new_submitted(editor, "Approved article"), make_reviewer("cal", specialty).user, managing
    )
    due_soon = mark_published(
        new_submitted(editor, "Ageing article"), next_review_due=today + datetime.timedelta(days=10)
    )
    flagged = mark_published(
        new_submitted(editor, "Flagged article"), next_review_due=today + datetime.timedelta(days=300)
    )
    RereviewFlag.objects.create(
        article=flagged, version=flagged.latest_version(), reason="Trial retracted", flagged_by=managing
    )
    fresh = mark_published(
        new_submitted(editor, "Fresh article"), next_review_due=today + datetime.timedelta(days=300)
    )
    return {
        "unassigned": unassigned,
        "in_review": in_review,
        "overdue": overdue,
        "declined": everyone_declined,
        "approved": approved,
        "due_soon": due_soon,
        "flagged": flagged,
        "fresh": fresh,
    }


def titles(response) -> set[str]:
    return {article.title for article in response.context["page"].object_list}


@pytest.mark.parametrize(
    "tab, expected",
    [
        ("unassigned", {"Unassigned article", "Declined article"}),
        ("in_review", {"Reviewing article", "Late article"}),
        ("overdue", {"Late article"}),
        ("approved", {"Approved article"}),
        ("rereview", {"Ageing article", "Flagged article"}),
    ],
)
def test_each_tab_lists_its_articles(client, managing, world, tab, expected):
    client.force_login(managing)
    response = client.get(QUEUE, {"tab": tab})
    assert response.status_code == 200
    assert titles(response) == expected


def test_tab_counts(client, managing, world):
    client.force_login(managing)
    response = client.get(QUEUE)
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"unassigned": 2, "in_review": 2, "overdue": 1, "approved": 1, "rereview": 2}


def test_default_tab_is_submitted_and_unassigned(client, managing, world):
    client.force_login(managing)
    response = client.get(QUEUE)
    assert response.context["current_tab"] == "unassigned"
    assert titles(response) == {"Unassigned article", "Declined article"}
    # An unknown tab falls back to the default rather than listing everything.
    assert titles(client.get(QUEUE, {"tab": "everything"})) == {"Unassigned article", "Declined article"}


def test_overdue_row_is_marked_and_names_the_reviewer(client, managing, world):
    client.force_login(managing)
    html = client.get(QUEUE, {"tab": "overdue"}).content.decode()
    assert "Dr Ben Okafor: accepted" in html
    assert 'class="is-overdue"' in html


def test_an_invitation_past_its_answer_date_is_overdue(client, managing, world):
    world["in_review"].assignments.update(respond_by=timezone.now() - datetime.timedelta(minutes=5))
    client.force_login(managing)
    assert titles(client.get(QUEUE, {"tab": "overdue"})) == {"Late article", "Reviewing article"}


def test_resolved_flag_no_longer_asks_for_rereview(client, managing, world):
    RereviewFlag.objects.filter(article=world["flagged"]).update(resolved_at=timezone.now())
    client.force_login(managing)
    assert titles(client.get(QUEUE, {"tab": "rereview"})) == {"Ageing article"}


def test_specialty_filter_applies_to_rows_and_counts(client, editor, managing, world):
    cardiology = make_specialty("cardiology")
    new_submitted(editor, "Heart article", cardiology)
    client.force_login(managing)
    response = client.get(QUEUE, {"tab": "unassigned", "specialty": "cardiology"})
    assert titles(response) == {"Heart article"}
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"unassigned": 1, "in_review": 0, "overdue": 0, "approved": 0, "rereview": 0}
    # Switching tab keeps the specialty.
    assert all("specialty=cardiology" in tab["query"] for tab in response.context["tabs"])


def test_search_matches_title_words(client, managing, world):
    client.force_login(managing)
    response = client.get(QUEUE, {"tab": "unassigned", "q": "declined"})
    assert titles(response) == {"Declined article"}


def test_pagination(client, editor, managing, specialty):
    for n in range(27):
        new_submitted(editor, f"Article number {n}")
    client.force_login(managing)
    first = client.get(QUEUE)
    second = client.get(QUEUE, {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    assert titles(first).isdisjoint(titles(second))


@pytest.mark.parametrize("tab", ["unassigned", "in_review", "overdue", "approved", "rereview"])
def test_the_count_above_the_list_is_its_tabs_count(client, managing, world, tab):
    # The view reuses the tab's count as the list's length rather than counting the list again.
    client.force_login(managing)
    response = client.get(QUEUE, {"tab": tab})
    counts = {t["key"]: t["count"] for t in response.context["tabs"]}
    paginator = response.context["page"].paginator
    assert paginator.count == counts[tab] == len(titles(response))
    assert f"{counts[tab]} article" in response.content.decode()


def test_tab_counts_follow_the_search(client, managing, world):
    client.force_login(managing)
    response = client.get(QUEUE, {"tab": "rereview", "q": "flagged"})
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"unassigned": 0, "in_review": 0, "overdue": 0, "approved": 0, "rereview": 1}
    assert titles(response) == {"Flagged article"}


@pytest.mark.parametrize(
    "tab, expected",
    [
        ("unassigned", ["Unassigned article", "Declined article"]),
        ("in_review", ["Reviewing article", "Late article"]),
    ],
)
def test_tabs_list_the_longest_waiting_first(client, managing, world, tab, expected):
    # "unassigned" is sorted after filtering, "in_review" read in order from an index: same order.
    now = timezone.now()
    for days, title in enumerate(
        ["Declined article", "Late article", "Reviewing article", "Unassigned article"]
    ):
        Article.objects.filter(title=title).update(updated_at=now - datetime.timedelta(days=days))
    client.force_login(managing)
    listed = client.get(QUEUE, {"tab": tab}).context["page"].object_list
    assert [a.title for a in listed] == expected
