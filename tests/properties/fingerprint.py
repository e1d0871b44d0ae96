"""Everything a call on one article (or the board) could write, to prove a refusal wrote nothing.

One digest per table (md5 of its rows as text, in key order), all in one query: the machine
takes a fingerprint before every call.
"""

from __future__ import annotations

from django.db import connection

from articles.models import Article, ArticleVersion, Reference, Section, Specialty
from reviews.models import (
    BoardMember,
    CommentResponse,
    ConflictOfInterest,
    PublicationSchedule,
    Review,
    ReviewAssignment,
    SectionComment,
)

_BOARD = {
    "members": (BoardMember, ""),
    "member_specialties": (BoardMember.specialties.through, ""),
    "conflicts": (ConflictOfInterest, ""),
    "specialties": (Specialty, ""),
}
_VERSION_IDS = "(SELECT id FROM {version} WHERE article_id = %(article)s)"
_REVIEW_IDS = f"(SELECT id FROM {{review}} WHERE version_id IN {_VERSION_IDS})"
_ARTICLE = {
    "article": (Article, "id = %(article)s"),
    "versions": (ArticleVersion, "article_id = %(article)s"),
    "sections": (Section, f"version_id IN {_VERSION_IDS}"),
    "references": (Reference, f"version_id IN {_VERSION_IDS}"),
    "assignments": (ReviewAssignment, "article_id = %(article)s"),
    "reviews": (Review, f"version_id IN {_VERSION_IDS}"),
    "comments": (SectionComment, f"review_id IN {_REVIEW_IDS}"),
    "responses": (
        CommentResponse,
        f"comment_id IN (SELECT id FROM {{comment}} WHERE review_id IN {_REVIEW_IDS})",
    ),
    "schedule": (PublicationSchedule, "article_id = %(article)s"),
}


def _digest_sql(model, where: str) -> str:
    tables = {
        "version": ArticleVersion._meta.db_table,
        "review": Review._meta.db_table,
        "comment": SectionComment._meta.db_table,
    }
    condition = f" WHERE {where.format(**tables)}" if where else ""
    table = model._meta.db_table
    return f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t{condition})"


def fingerprint(article_id: int | None) -> dict[str, str]:
    parts = dict(_BOARD)
    if article_id is not None:
        parts.update(_ARTICLE)
    names = list(parts)
    sql = "SELECT " + ", ".join(_digest_sql(*parts[name]) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"article": article_id})
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))
