"""The numbers on the metrics page, and the geometry of the charts that draw them.

Plain functions over the database (and, for the arithmetic, over plain data so
it can be checked by hand). The charts are computed here as coordinates; the
template only writes them out as SVG, so the page needs no script and no
external service.

Definitions:

- *time in a state*: from the audit event that moved an article into the state to the one
  that moved it out (``state_before`` / ``state_after`` of the workflow's ``article.*`` events,
  ``article.created`` starting the draft). Stays still running are not counted.
- *reviewer turnaround*: accepted -> completed, per board member, over completed reviews.
- *overdue reviews per week*: accepted reviews that were past their due date at some moment of
  that week (Monday to Sunday), i.e. not completed, declined or cancelled before it began.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from articles.models import Article, ArticleState
from audit.models import AuditEvent
from reviews.models import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, ReviewAssignment

DAY = 86400.0
TURNAROUND_WINDOW = datetime.timedelta(days=365)


def days(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / DAY, 1)


def format_days(duration: datetime.timedelta | None) -> str:
    if duration is None:
        return "no data"
    value = days(duration)
    return f"{value:g} day" if value == 1 else f"{value:g} days"


# --- articles per state ---------------------------------------------------------------------


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


def articles_per_state() -> list[StateCount]:
    """Every state, in workflow order, with how many articles are in it now (zeros included)."""
    counts = dict(Article.objects.order_by().values_list("state").annotate(n=Count("pk")))
    return [StateCount(state.value, state.label, counts.get(state.value, 0)) for state in ArticleState]


# --- median time in each state -------------------------------------------------------------------


@dataclass(frozen=True)
class StateDuration:
    state: str
    label: str
    median: datetime.timedelta | None
    samples: int

    @property
    def median_days(self) -> float | None:
        return days(self.median)


def state_stays(
    transitions: Iterable[tuple[int, datetime.datetime, str, str]],
) -> dict[str, list[datetime.timedelta]]:
    """How long each completed stay in a state lasted.

    ``transitions`` are ``(article_id, at, state_before, state_after)``, grouped by article and
    in chain order within an article. A stay is counted when an event leaves the state the
    previous event of the same article entered; a gap in the chain starts afresh.
    """
    stays: dict[str, list[datetime.timedelta]] = defaultdict(list)
    current: tuple[int, str, datetime.datetime] | None = None
    for article_id, at, before, after in transitions:
        if current is not None and current[0] == article_id and current[1] == before:
            stays[before].append(at - current[2])
        current = (article_id, after, at)
    return stays


def median_time_in_state() -> list[StateDuration]:
    rows = (
        AuditEvent.objects.filter(target_type="article", action__startswith="article.")
        .exclude(state_after="")
        .exclude(state_before=F("state_after"))
        .order_by("article_id", "seq")
        .values_list("article_id", "created_at", "state_before", "state_after")
    )
    stays = state_stays(rows.iterator(chunk_size=2000))
    result = []
    for state in ArticleState:
        durations = stays.get(state.value, [])
        median = (
            datetime.timedelta(seconds=statistics.median(d.total_seconds() for d in durations))
            if durations
            else None
        )
        result.append(StateDuration(state.value, state.label, median, len(durations)))
    return result


# --- reviewer turnaround ----------------------------------------------------------------------


@dataclass(frozen=True)
class Turnaround:
    member_id: int
    name: str
    credentials: str
    median: datetime.timedelta
    reviews: int

    @property
    def median_days(self) -> float | None:
        return days(self.median)


def reviewer_turnaround(now: datetime.datetime | None = None) -> list[Turnaround]:
    """Median accept -> complete time per board member over the last year, fastest first."""
    since = (now or timezone.now()) - TURNAROUND_WINDOW
    rows = (
        ReviewAssignment.objects.filter(
            status=AssignmentStatus.COMPLETED, accepted_at__isnull=False, completed_at__gte=since
        )
        .order_by()
        .values_list(
            "reviewer_id", "reviewer__display_name", "reviewer__credentials", "accepted_at", "completed_at"
        )
    )
    durations: dict[int, list[float]] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    for member_id, name, credentials, accepted_at, completed_at in rows:
        if accepted_at is None or completed_at is None:
            continue  # none: the query excludes them, but its columns are nullable
        durations[member_id].append((completed_at - accepted_at).total_seconds())
        names[member_id] = (name, credentials)
    result = [
        Turnaround(
            member_id,
            names[member_id][0],
            names[member_id][1],
            datetime.timedelta(seconds=statistics.median(seconds)),
            len(seconds),
        )
        for member_id, seconds in durations.items()
    ]
    return sorted(result, key=lambda t: (t.median, t.name))


# --- overdue reviews per week ---------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCount:
    week_start: datetime.date
    count: int


def week_starts(weeks: int, today: datetime.date) -> list[datetime.date]:
    """The Mondays of the last ``weeks`` weeks, this week's last."""
    monday = today - datetime.timedelta(days=today.weekday())
    return [monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def overdue_per_week(weeks: int = 12, now: datetime.datetime | None = None) -> list[WeekCount]:
    now = now or timezone.now()
    starts = week_starts(weeks, timezone.localdate(now))
    tz = timezone.get_current_timezone()
    bounds = [
        (
            timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz),
            timezone.make_aware(
                datetime.datetime.combine(start + datetime.timedelta(days=7), datetime.time.min), tz
            ),
        )
        for start in starts
    ]
    window_start = bounds[0][0]
    rows = (
        ReviewAssignment.objects.filter(accepted_at__isnull=False, due_at__isnull=False, due_at__lt=now)
        .filter(
            Q(status__in=OPEN_ASSIGNMENT_STATUSES)
            | Q(completed_at__gt=window_start)
            | Q(declined_at__gt=window_start)
            | Q(cancelled_at__gt=window_start)
        )
        .order_by()
        .values_list("due_at", "completed_at", "declined_at", "cancelled_at")
    )
    intervals: list[tuple[datetime.datetime, datetime.datetime]] = []
    for due_at, *closed in rows:
        if due_at is None:
            continue  # none: the query excludes them, but the column is nullable
        end = min((c for c in closed if c is not None), default=now)
        if end > due_at:
            intervals.append((due_at, end))
    return [
        WeekCount(start, sum(1 for begin, end in intervals if begin < week_end and end > week_begin))
        for start, (week_begin, week_end) in zip(starts, bounds, strict=True)
    ]


# --- chart geometry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    y: float
    width: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars: labels on the left, one bar per row, the value written after it."""

    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


def bar_chart(
    items: Iterable[tuple[str, float | None, str]],
    *,
    width: int = 640,
    label_width: int = 210,
    row_height: int = 30,
) -> BarChart:
    """Geometry for ``(label, value, display)`` rows; rows without a value get no bar."""
    items = list(items)
    bar_area = width - label_width - 90  # room for the value written after the longest bar
    largest = max((v for _l, v, _d in items if v), default=0) or 1
    bars = []
    for index, (label, value, display) in enumerate(items):
        y = index * row_height + 6
        bar_width = round(bar_area * (value or 0) / largest, 1)
        bars.append(
            Bar(
                label=label if len(label) <= 28 else label[:27] + "\u2026",
                value=value or 0,
                display=display,
                y=y,
                width=bar_width,
                text_x=label_width + bar_width + 6,
                text_y=y + row_height / 2 + 1,
            )
        )
    return BarChart(width, max(len(items), 1) * row_height + 12, label_width, row_height - 10, bars)


@dataclass(frozen=True)
class Point:
    label: str
    value: int
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    bottom: float
    right: float
    points: list[Point]
    ticks: list[tuple[int, float]]  # (value, y) of the horizontal grid lines

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


def line_chart(
    items: Iterable[tuple[str, int]], *, width: int = 640, height: int = 240, left: int = 40, top: int = 16
) -> LineChart:
    """Geometry for ``(label, count)`` points, evenly spaced left to right, 0 at the bottom."""
    items = list(items)
    bottom, right = height - 40, width - 16
    largest = max((v for _l, v in items), default=0)
    scale_max = max(largest, 1)
    step = (right - left) / max(len(items) - 1, 1)
    points = [
        Point(label, value, round(left + i * step, 1), round(bottom - (bottom - top) * value / scale_max, 1))
        for i, (label, value) in enumerate(items)
    ]
    tick_values = sorted({0, scale_max // 2, scale_max})
    ticks = [(v, round(bottom - (bottom - top) * v / scale_max, 1)) for v in tick_values]
    return LineChart(width, height, left, top, bottom, right, points, ticks)
