"""An order PostgreSQL must sort into, for lists whose rows its filters find better than its indexes.

Asked for the first rows of a filtered list in an order some index provides (newest first:
``article_updated``), PostgreSQL may walk that index and filter as it goes, expecting the
matching rows to be spread evenly through it. They often are not: a queue tab's articles
are the recently active ones, a search's matches are wherever they are. At 100,000 articles
that walk read 28,000-70,000 rows for a page of 25 (60 ms to 1 s, ``bench/queues.py``),
where finding the rows through their own indexes (state, assignments, trigrams) and sorting
a few thousand took a few milliseconds.

For a column that is never null, asking for the nulls at the other end than PostgreSQL's
default (first when ascending, last when descending) orders nothing differently, but no
index built the default way matches it, so the planner finds the rows first and sorts them.
"""

from __future__ import annotations

from django.db.models import F, OrderBy


def sorted_after_filtering(field: str, *, descending: bool = False) -> OrderBy:
    """``field`` (NOT NULL) ascending or descending, sorted rather than read off an index."""
    return F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_first=True)
