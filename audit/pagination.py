"""Pages of a list too long to count: the audit trail (1.5 million events at 100,000 articles)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

# Events counted and paged through, on the audit page (200 pages) and in the API; the CSV
# export has no limit.
LISTED_EVENTS_CAP = 10_000


class CappedPaginator(Paginator):
    """A ``Paginator`` over a queryset that counts at most ``cap`` rows.

    Counting every event that matches (``COUNT(*)``) reads all of them: ~150 ms for the
    unfiltered trail on PostgreSQL, for a figure nobody reads to the unit. This counts the
    first ``cap + 1`` (``SELECT COUNT(*) FROM (... LIMIT cap + 1)``), so the cost is bounded.
    Below the cap the count is exact; above it ``is_capped`` is true, ``count`` is the cap
    and the pages stop there (the page says so: narrow the filters, or export them all
    as CSV). Deep pages are OFFSET scans, so stopping at the cap bounds them too.
    """

    object_list: QuerySet[Any]  # always a queryset here, never a list

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, cap: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        # Without its ordering: the count may start from whichever index the filters suit.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._counted > self.cap


class AuditEventPaginator(CappedPaginator):
    """The audit trail's pages, counted up to ``LISTED_EVENTS_CAP`` (for the API's pagination)."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, cap=LISTED_EVENTS_CAP, **kwargs)
