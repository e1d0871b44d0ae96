"""The trigram indexes (0004) without GIN's pending list (PostgreSQL only).

With ``fastupdate`` on (GIN's default), new index entries go to a pending list that is merged
into the index only by a vacuum or once it reaches ``gin_pending_list_limit``. Every save of an
article adds entries (its updates are never HOT: they change indexed columns), and the
planner prices scanning that list: after one transitions benchmark (about 5,000 saves) it chose
a sequential scan for a one-word search and the manager's dashboard went from p95 45 ms to
148 ms (bench/queues.py). Articles are written at most tens of times a second and searched
on every desk page with a search box, so each write now updates the index itself.
"""

from django.db import migrations

TRIGRAM_INDEXES = ("article_title_trgm", "article_slug_trgm")


def without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")
    # Merge what is pending now (the setting only changes where later entries go).
    schema_editor.execute(
        "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
        "WHERE c.relname = ANY(%s) AND c.relkind = 'i'",
        [list(TRIGRAM_INDEXES)],
    )


def with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_article_state_updated_with_id"),
    ]

    operations = [
        migrations.RunPython(without_pending_list, with_pending_list, elidable=False),
    ]
