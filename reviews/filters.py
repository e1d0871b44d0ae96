"""The queries under the managing editor's queue and the reviewer's desk (their forms, the
FilterSets, are the screen's: ``desk.reviews.filters``; ``bench/queues.py`` measures these).

What makes a row belong to a queue tab is defined once here (``tab_conditions``),
so the listed rows and the counts on the tabs can never disagree.

Query shapes, for 100,000 articles (``bench/queues.py``): each tab's condition
is a filter on article columns plus membership in a small set of article ids
("has an open assignment", "has an overdue one", "has an open flag"), written
as ``pk IN (subquery)`` rather than a correlated ``EXISTS`` per article, so
PostgreSQL reads each set once (a hashed subplan or a semi-join) and starts
from an index on the article columns (state; the re-review due date). The
counts on the tabs are one count per tab, each over its own index, in one
``UNION ALL`` statement, instead of one pass over every article evaluating
every tab's condition.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article, ArticleState, ArticleVersion
from articles.ordering import sorted_after_filtering

from .models import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, RereviewFlag, ReviewAssignment

S = ArticleState


def _overdue_halves(now: datetime.datetime) -> tuple[Q, Q]:
    return (
        Q(status=AssignmentStatus.ACCEPTED, due_at__lt=now),
        Q(status=AssignmentStatus.INVITED, respond_by__lt=now),
    )


def overdue_assignment_q(now: datetime.datetime) -> Q:
    """An accepted review past its due date, or an invitation still unanswered past its respond-by."""
    late_review, late_answer = _overdue_halves(now)
    return late_review | late_answer


def rereview_horizon(today: datetime.date | None = None) -> datetime.date:
    """Articles whose next review is due on or before this day are listed as re-review due."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=settings.VETTED.get("REREVIEW_NOTICE_DAYS", 30))


def queue_articles(now: datetime.datetime | None = None) -> QuerySet[Article]:
    """Every article with what the queue shows about it, in a fixed number of queries.

    Pass the rows of a page through :func:`mark_overdue` for their ``is_overdue`` flag.
    """
    now = now or timezone.now()
    open_flags = RereviewFlag.objects.filter(resolved_at__isnull=True)
    submitted = ArticleVersion.objects.filter(article=OuterRef("pk"), frozen_at__isnull=False).order_by(
        "-number"
    )
    open_assignments = ReviewAssignment.objects.filter(status__in=OPEN_ASSIGNMENT_STATUSES).select_related(
        "reviewer"
    )
    return (
        # Not published_version: the page only asks whether there is one (published_version_id),
        # and joining it made every row of a tab fetch its version before the sort took 25.
        Article.objects.select_related("specialty", "owner")
        .annotate(
            # The version reviewers read now: the latest submitted one.
            submitted_number=Subquery(submitted.values("number")[:1]),
            submitted_at=Subquery(submitted.values("frozen_at")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=open_assignments.annotate(
                    is_overdue=ExpressionWrapper(overdue_assignment_q(now), output_field=BooleanField())
                ).order_by("invited_at", "pk"),
                to_attr="open_assignments",
            ),
            Prefetch(
                "rereview_flags",
                queryset=open_flags.order_by("created_at"),
                to_attr="open_flags",
            ),
        )
    )


def mark_overdue(articles: Iterable[Article]) -> list[Article]:
    """Set ``is_overdue`` on rows of :func:`queue_articles` from their prefetched open assignments.

    An overdue assignment is an open one, so the prefetch already holds the answer. Asked in
    SQL instead (an EXISTS per row), PostgreSQL hashed every overdue assignment in the database
    to flag a page of 25 rows (~25 ms at 100,000 articles).
    """
    rows = list(articles)
    for article in rows:
        # Attributes of queue_articles' rows the model does not declare: the prefetch's to_attr, and
        # this flag for the template.
        overdue = any(a.is_overdue for a in article.open_assignments)  # type: ignore[attr-defined]
        article.is_overdue = overdue  # type: ignore[attr-defined]
    return rows


def tab_conditions(today: datetime.date, now: datetime.datetime) -> dict[str, Q]:
    """Each queue tab's condition on articles, by tab name (:data:`TABS`)."""
    assignments = ReviewAssignment.objects.order_by()
    open_assigned = assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES).values("article_id")
    # overdue_assignment_q as a union of its halves, each read from its own index alone.
    late_review, late_answer = _overdue_halves(now)
    overdue = (
        assignments.filter(late_review)
        .values("article_id")
        .union(assignments.filter(late_answer).values("article_id"))
    )
    flagged = RereviewFlag.objects.filter(resolved_at__isnull=True).values("article_id")
    return {
        # Nobody is (still) on it: just submitted, or every invitation declined, expired or cancelled.
        # (The first term repeats what the others imply so that an index on state can serve it.)
        "unassigned": Q(state__in=[S.SUBMITTED, S.UNDER_REVIEW])
        & (Q(state=S.SUBMITTED) | ~Q(pk__in=open_assigned)),
        "in_review": Q(state=S.UNDER_REVIEW, pk__in=open_assigned),
        # Open assignments exist only while an article is submitted or under review (every
        # decision that moves it on closes them: reviews.assignments.after_transition), so the
        # state term changes no row; it lets PostgreSQL start from article_state_updated
        # (12,000 rows at 100,000 articles) instead of reading every article (22 ms → 6 ms).
        "overdue": Q(state__in=[S.SUBMITTED, S.UNDER_REVIEW], pk__in=overdue),
        "approved": Q(state=S.APPROVED),
        # The first three terms are the predicate of the partial index article_rereview_due (PostgreSQL).
        "rereview": Q(published_version__isnull=False)
        & ~Q(state=S.ARCHIVED)
        & (Q(next_review_due__lte=rereview_horizon(today)) | Q(pk__in=flagged)),
    }


TABS: list[tuple[str, str]] = [
    ("unassigned", "Submitted, unassigned"),
    ("in_review", "In review"),
    ("overdue", "Overdue"),
    ("approved", "Approved, awaiting publication"),
    ("rereview", "Re-review due"),
]
DEFAULT_TAB = "unassigned"
# Oldest waiting first; re-reviews by the date they fall due.
DEFAULT_ORDER = ["updated_at", "pk"]
# The same order for the tabs whose rows come from several states or from assignments: found
# through their own indexes, then sorted (see articles.ordering). The one-state tabs keep
# DEFAULT_ORDER, which article_state_updated gives them directly.
_FOUND_THEN_SORTED = [sorted_after_filtering("updated_at"), "pk"]
TAB_ORDER: dict[str, list] = {
    "unassigned": _FOUND_THEN_SORTED,
    "overdue": _FOUND_THEN_SORTED,
    "rereview": [F("next_review_due").asc(nulls_first=True), "pk"],
}


# --- the reviewer's desk ----------------------------------------------------------------------


def reviewer_assignments(user: User, now: datetime.datetime | None = None) -> QuerySet[ReviewAssignment]:
    """Every assignment of ``user``'s board membership, with an ``is_overdue`` flag."""
    now = now or timezone.now()
    return (
        ReviewAssignment.objects.filter(reviewer__user=user)
        .select_related("article__specialty", "version")
        .annotate(
            is_overdue=ExpressionWrapper(overdue_assignment_q(now), output_field=BooleanField()),
            closed_at=Coalesce("completed_at", "declined_at", "cancelled_at", "expired_at", "invited_at"),
        )
    )
