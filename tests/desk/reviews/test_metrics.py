"""The metrics page: numbers from a small known dataset, and the charts drawn from them."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from desk.reviews import metrics
from reviews.assignments import assign_reviewer
from tests.factories import make_article, make_assignment, submit, valid_content

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)


def at(day: str, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


# --- time in each state -------------------------------------------------------------------------


def test_state_stays_counts_only_completed_stays_of_one_article():
    rows = [
        (1, T0, "", "draft"),
        (1, T0 + 2 * DAY, "draft", "submitted"),
        (2, T0, "", "draft"),
        # Article 2's chain has a gap (no event entering "submitted"): nothing is counted for it.
        (2, T0 + 5 * DAY, "submitted", "under_review"),
        (2, T0 + 6 * DAY, "under_review", "approved"),
    ]
    stays = metrics.state_stays(rows)
    assert stays == {"draft": [2 * DAY], "under_review": [DAY]}


@pytest.fixture
def two_timed_articles(editor, managing, specialty, reviewer, reviewer2):
    """Draft for 2 and 4 days, submitted for 1 day and 12 hours, then under review (still running)."""
    with time_machine.travel(T0, tick=False) as clock:
        first = make_article(editor, specialty, content=valid_content(title="First"))
        second = make_article(editor, specialty, content=valid_content(title="Second"))
        clock.shift(2 * DAY)
        submit(first, editor)
        clock.shift(DAY)
        assign_reviewer(first, reviewer, managing)
        clock.shift(DAY)
        submit(second, editor)
        clock.shift(datetime.timedelta(hours=12))
        assign_reviewer(second, reviewer2, managing)
    return first, second


def test_median_time_in_each_state_from_the_audit_trail(two_timed_articles):
    result = {d.state: d for d in metrics.median_time_in_state()}
    assert (result["draft"].median, result["draft"].samples) == (3 * DAY, 2)
    assert (result["submitted"].median, result["submitted"].samples) == (datetime.timedelta(hours=18), 2)
    assert (result["under_review"].median, result["under_review"].samples) == (None, 0)
    assert result["draft"].median_days == 3.0


def test_articles_per_state_lists_every_state(two_timed_articles, editor, specialty):
    make_article(editor, specialty, content=valid_content(title="Still a draft"))
    counts = {s.state: s.count for s in metrics.articles_per_state()}
    assert counts["under_review"] == 2
    assert counts["draft"] == 1
    assert counts["published"] == 0
    assert len(counts) == 9


# --- reviewer turnaround ------------------------------------------------------------------------------


def test_reviewer_turnaround_is_the_median_per_member(article, managing, reviewer, reviewer2):
    now = at("2026-03-18")
    version = article.latest_version()

    def completed(member, accepted_days_ago: float, took_days: float):
        accepted = now - datetime.timedelta(days=accepted_days_ago)
        make_assignment(
            version,
            member.user,
            managing,
            status="completed",
            accepted_at=accepted,
            completed_at=accepted + datetime.timedelta(days=took_days),
        )

    for took in (1, 3, 5):
        completed(reviewer, 20, took)
    completed(reviewer, 500, 100)  # more than a year ago: not counted
    completed(reviewer2, 10, 2)
    result = metrics.reviewer_turnaround(now=now)
    assert [(t.name, t.median, t.reviews) for t in result] == [
        ("Dr Ben Okafor", 2 * DAY, 1),
        ("Dr Ana Reyes", 3 * DAY, 3),
    ]


# --- overdue reviews per week ----------------------------------------------------------------------------


@pytest.fixture
def overdue_history(article, managing, reviewer):
    version = article.latest_version()

    def add(status: str, due: str, **closed):
        make_assignment(
            version,
            reviewer.user,
            managing,
            status=status,
            accepted_at=at("2026-01-05"),
            due_at=at(due),
            **closed,
        )

    add("accepted", "2026-03-10")  # still open: overdue in the weeks of 9 and 16 March
    add("completed", "2026-03-02", completed_at=at("2026-03-04"))  # week of 2 March only
    add("completed", "2026-03-05", completed_at=at("2026-03-04"))  # done in time: never overdue
    add("cancelled", "2026-02-20", cancelled_at=at("2026-02-25"))  # weeks of 16 and 23 February
    add("accepted", "2026-03-25")  # not due yet
    add("accepted", "2026-03-17")  # week of 16 March


def test_overdue_reviews_per_week(overdue_history):
    weeks = metrics.overdue_per_week(weeks=12, now=at("2026-03-18"))
    assert len(weeks) == 12
    assert weeks[0].week_start == datetime.date(2025, 12, 29)
    assert weeks[-1].week_start == datetime.date(2026, 3, 16)
    counts = {w.week_start.isoformat(): w.count for w in weeks if w.count}
    assert counts == {"2026-02-16": 1, "2026-02-23": 1, "2026-03-02": 1, "2026-03-09": 1, "2026-03-16": 2}


# --- chart geometry and the page --------------------------------------------------------------------------


def test_bar_lengths_are_proportional_and_empty_rows_get_no_bar():
    chart = metrics.bar_chart(
        [("A", 10, "10"), ("B", 5, "5"), ("C", None, "no data")], width=400, label_width=100
    )
    assert chart.bars[0].width == 210  # the whole bar area: 400 - 100 - 90
    assert chart.bars[1].width == 105
    assert chart.bars[2].width == 0


def test_line_chart_puts_zero_at_the_bottom_and_the_largest_value_at_the_top():
    chart = metrics.line_chart([("a", 0), ("b", 4), ("c", 2)], width=300, height=200, left=40, top=20)
    assert [p.y for p in chart.points] == [chart.bottom, 20, (chart.bottom + 20) / 2]
    assert chart.polyline.startswith("40,")


def test_metrics_page_draws_the_charts_with_tables(client, managing, two_timed_articles):
    client.force_login(managing)
    response = client.get(reverse("reviews:metrics"))
    assert response.status_code == 200
    html = response.content.decode()
    # Articles per state: one bar (the two articles under review); median time: draft and submitted.
    assert html.count('<rect class="chart__bar"') == 3
    assert '<rect class="chart__bar" x="210" y="' in html
    assert 'data-value="2"' in html
    assert 'data-value="3"' in html  # 3 days in draft
    assert html.count("<svg") == 3  # no completed review yet: no turnaround chart
    assert html.count('<circle class="chart__point"') == 12
    assert '<th scope="row">Under review</th><td class="num">2</td>' in html
    assert "3.0 days" in html
    assert " style=" not in html  # nothing a strict Content-Security-Policy would block


def test_metrics_page_is_for_managing_editors(client, reviewer):
    client.force_login(reviewer.user)
    assert client.get(reverse("reviews:metrics")).status_code == 403
