"""PostgreSQL-only indexes for the staff lists at 100,000 articles (issue 7; bench/queues.py).

- Trigram GIN indexes (``pg_trgm``) on ``UPPER(title)`` and ``UPPER(slug)``: the desk searches
  filter ``title__icontains`` / ``slug__icontains``, which Django writes on PostgreSQL as
  ``UPPER(col::text) LIKE UPPER('%word%')``. A B-tree cannot serve a leading ``%``; a trigram
  index on that same expression can (both columns, so an OR of the two is a BitmapOr).
- ``article_rereview_due``: the re-review tab's order (``next_review_due ASC NULLS FIRST, id``)
  over the articles it can hold (published, not archived), so its first page is read in order
  instead of sorting tens of thousands of rows.

Why not ``GinIndex`` / ``Index`` in ``Article.Meta.indexes``: the project also runs on SQLite,
which has neither ``USING gin`` nor ``NULLS FIRST`` in an index, and SQLite rebuilds a table
(recreating every index in the model state) whenever a later migration alters it. So these
indexes live only in the database, created here when the vendor is PostgreSQL; on other
backends this migration does nothing. ``CREATE EXTENSION`` needs the CREATE privilege on the
database (pg_trgm is a trusted extension from PostgreSQL 13 on; no superuser needed).
"""

from django.db import migrations

INDEXES = {
    "article_title_trgm": "CREATE INDEX IF NOT EXISTS article_title_trgm ON articles_article "
    "USING gin (UPPER(title) gin_trgm_ops)",
    "article_slug_trgm": "CREATE INDEX IF NOT EXISTS article_slug_trgm ON articles_article "
    "USING gin (UPPER(slug) gin_trgm_ops)",
    "article_rereview_due": "CREATE INDEX IF NOT EXISTS article_rereview_due ON articles_article "
    "(next_review_due ASC NULLS FIRST, id) "
    "WHERE published_version_id IS NOT NULL AND state <> 'archived'",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for sql in INDEXES.values():
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    # The extension stays: other objects may use it by now.


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_article_updated_index"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
