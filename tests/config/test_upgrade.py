"""Upgrading a real deployment keeps every row: a database made by an earlier ``main`` (its own
code runs ``migrate`` and ``seed_demo``) is brought forward by today's ``migrate``.

Models that move between apps keep their tables, so the check is per table: every table the old
code filled still holds the same rows (same count and the same primary keys), and the audit
chain still verifies. Only Django's own bookkeeping tables (migrations recorded, content types,
permissions) may grow. Columns that move to another table (``MOVED``) are checked as pairs of
(row key, value): the same pairs before, in the old table, and after, in the new one.

``UPGRADE_FROM`` names the commit the test starts from: the last ``main`` before the migrations
under test. Move it forward when those migrations have shipped.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
UPGRADE_FROM = "b15cecd"  # main before issue 15 moved models between apps
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission"})
# What a moved column held, before and after: the same rows, each as text, in key order.
MOVED = {
    # notifications 0005: an email's notification and digest leave the outbox row for EmailMessage.
    "email notification and digest": (
        "SELECT id, notification_id, digest_id FROM notifications_delivery WHERE notification_id IS NOT NULL",
        "SELECT delivery_id, notification_id, digest_id FROM notifications_emailmessage",
    ),
}

pytestmark = pytest.mark.postgres


def checkout(ref: str, into: Path) -> None:
    """The tree of ``ref`` written into ``into`` (no worktree, so the repository is untouched)."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        stderr = getattr(error, "stderr", b"") or b""
        # A checkout without history (a tarball, a shallow clone) cannot build the old database.
        if os.environ.get("CI"):
            raise
        pytest.skip(f"commit {ref} is not in this checkout's history: {stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def manage(tree: Path, database_url: str, *arguments: str) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "REDIS_URL", "DJANGO_SETTINGS_MODULE"} and not key.startswith("PYTEST")
    }
    environment |= {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"{tree.name}: manage.py {' '.join(arguments)} failed:\n{result.stderr[-3000:]}"
    )
    return result.stdout


def table_contents(database_url: str) -> dict[str, tuple[int, str]]:
    """Per table: its row count and a digest of its primary keys (or of whole rows without ``id``)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        contents = {}
        for table in tables:
            has_id = conn.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'id'",
                [table],
            ).fetchone()
            key = "id::text" if has_id else "t::text"
            keys = f"coalesce(string_agg({key}, ',' ORDER BY {key}), '')"
            count, digest = conn.execute(f'SELECT count(*), md5({keys}) FROM "{table}" t').fetchone()
            contents[table] = (count, digest)
    return contents


def moved_contents(database_url: str, side: int) -> dict[str, tuple[int, str]]:
    """Per entry of ``MOVED``: count and digest of the rows its before (0) or after (1) query reads."""
    contents = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name, queries in MOVED.items():
            rows = f"({queries[side]})"
            count, digest = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {rows} t"
            ).fetchone()
            contents[name] = (count, digest)
    return contents


@pytest.fixture
def upgrade_database():
    settings = connection.settings_dict
    base = urlsplit(os.environ["DATABASE_URL"])
    name = f"vetted_upgrade_{os.getpid()}"
    url = urlunsplit(base._replace(path=f"/{name}"))
    admin_url = urlunsplit(base._replace(path="/postgres"))
    assert settings["ENGINE"].endswith("postgresql")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_made_by_the_previous_main_with_demo_data_upgrades_without_losing_a_row(
    upgrade_database, tmp_path
):
    old_tree = tmp_path / "previous-main"
    checkout(UPGRADE_FROM, old_tree)
    manage(old_tree, upgrade_database, "migrate", "--noinput")
    manage(old_tree, upgrade_database, "seed_demo")
    before = table_contents(upgrade_database)
    assert before["articles_article"][0] > 0 and before["audit_auditevent"][0] > 0  # the demo is there
    moved_before = moved_contents(upgrade_database, 0)
    assert moved_before["email notification and digest"][0] > 0  # the demo's emails are there

    manage(ROOT, upgrade_database, "migrate", "--noinput")
    after = table_contents(upgrade_database)

    lost_tables = sorted(set(before) - set(after))
    assert lost_tables == [], f"tables gone after the upgrade: {lost_tables}"
    changed = {
        table: (before[table], after[table])
        for table in before
        if table not in BOOKKEEPING and before[table] != after[table]
    }
    assert changed == {}, f"rows lost or replaced (count, digest of keys), before and after: {changed}"
    assert moved_contents(upgrade_database, 1) == moved_before, "a moved column lost or changed a value"
    shrunk = [table for table in BOOKKEEPING & set(before) if after[table][0] < before[table][0]]
    assert shrunk == []
    assert "intact" in manage(ROOT, upgrade_database, "verify_audit").lower()

    # The old chain goes into the review log, first and in chain order, and still verifies; the
    # events written after the upgrade (by the lock-free writer) follow it.
    events = before["audit_auditevent"][0]
    assert f"holds {events} entries" in manage(ROOT, upgrade_database, "seal_audit_log")
    manage(  # a few events written the new way
        ROOT,
        upgrade_database,
        "shell",
        "-c",
        "from audit.trail import record; import core.audit_actions as a\n"
        "for n in range(3): record(a.DRAFT_SAVED, target_type='article', target_id=str(n))",
    )
    manage(ROOT, upgrade_database, "seal_audit_log")
    checked = manage(ROOT, upgrade_database, "verify_audit")
    assert f"Checked {events} chained events" in checked and "intact" in checked
