"""Bench (not a test): how fast one Celery worker drains the notification outbox.

Queues N notifications, each in its own transaction through the real path
(``notifications.notify.notify``: inbox row + outbox row, task queued after
commit), then starts one worker (``--pool=solo``, a single process) and times
how long it takes to deliver them all to the file email backend. The commit ->
sent latency of that backlog mostly measures the queue; the latency that
matters is measured after, with the worker running and a light, paced load.

Usage (PostgreSQL and Redis; the database is migrated, the queue purged):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vetted_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/notifications.py [--count 10000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="notifications in the burst")
    parser.add_argument("--paced", type=int, default=200, help="notifications in the light-load run")
    parser.add_argument(
        "--rate", type=float, default=20.0, help="notifications per second in the light-load run"
    )
    args = parser.parse_args()
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        print(f"Set {' and '.join(missing)}: the bench runs against PostgreSQL and Redis.", file=sys.stderr)
        return 2

    mail_dir = Path(tempfile.mkdtemp(prefix="vetted-bench-mail-"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from config.celery import app
    from notifications.kinds import Kind
    from notifications.models import Notification
    from notifications.notify import Message, notify
    from outbox.models import Delivery, DeliveryStatus

    print(f"database {connection.settings_dict['NAME']}, broker {app.conf.broker_url}")
    call_command("migrate", verbosity=0)
    recipient, _ = get_user_model().objects.get_or_create(
        username="bench-recipient", defaults={"email": "bench@example.org"}
    )
    Notification.objects.filter(recipient=recipient).delete()
    app.control.purge()

    def write(count: int, rate: float | None = None) -> tuple[list[int], dict[int, object], float]:
        """Write ``count`` notifications, one transaction each; their ids and commit times."""
        committed: dict[int, object] = {}
        ids: list[int] = []
        started = time.monotonic()
        for i in range(count):
            if rate:
                time.sleep(max(0.0, started + i / rate - time.monotonic()))
            with transaction.atomic():
                # Registered before notify's own callback, so it runs first: the moment of commit.
                transaction.on_commit(lambda i=i: committed.__setitem__(i, timezone.now()))
                note = notify(
                    recipient, Message(Kind.ARTICLE_SUBMITTED, f"Bench {i}", "Bench body.", "/desk/x/")
                )
            ids.append(note.emails.get().pk)  # an email message's key is its outbox row's
        return ids, committed, time.monotonic() - started

    def wait_sent(ids: list[int]) -> dict[int, object]:
        # A range, not a 10,000-item IN list: the poll must not compete with the worker.
        rows = Delivery.objects.filter(
            pk__gte=min(ids), pk__lte=max(ids), email__notification__recipient=recipient
        )
        while rows.exclude(status=DeliveryStatus.SENT).exists():
            if worker is not None and worker.poll() is not None:
                raise RuntimeError("the worker died")
            time.sleep(0.5)
        sent = dict(rows.values_list("pk", "sent_at"))
        assert len(sent) == len(ids), "every row of this run is in the range"
        return sent

    def latencies(ids, committed, sent) -> list[float]:
        return [(sent[pk] - committed[i]).total_seconds() for i, pk in enumerate(ids)]

    worker = None
    log_path = mail_dir.with_suffix(".worker.log")
    try:
        print(f"{args.count} notifications, one per transaction, queued with no worker running")
        ids, committed, produced = write(args.count)
        print(f"  written and queued in {produced:.1f} s ({args.count / produced:.0f}/s)")

        worker = subprocess.Popen(
            [
                Path(sys.executable).with_name("celery"),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                "bench@%h",
            ],
            cwd=BASE_DIR,
            env={**os.environ, "EMAIL_FILE_PATH": str(mail_dir), "LOG_LEVEL": "WARNING"},
            stdout=open(log_path, "wb"),  # noqa: SIM115 (lives as long as the worker)
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"bench@{socket.gethostname()}"], timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                print(log_path.read_text()[-3000:], file=sys.stderr)
                return 1
        ready = timezone.now()
        sent = wait_sent(ids)
        drain = (max(sent.values()) - ready).total_seconds()
        print(
            f"one worker (solo pool, one process) drained them in {drain:.1f} s ({args.count / drain:.0f}/s)"
        )
        waits = latencies(ids, committed, sent)
        print(
            "  commit -> sent, including the wait for the worker to start: "
            f"p50 {percentile(waits, 50):.1f} s, p95 {percentile(waits, 95):.1f} s"
        )
        # The file backend may append several messages to one file: count the messages.
        emails = sum(path.read_bytes().count(b"\nX-Vetted-Delivery: ") for path in mail_dir.glob("*"))
        print(f"  emails written: {emails} (for {args.count} rows sent)")

        backlog = (
            f"{args.count:,} queued with no worker, then one worker (solo pool) drained them in "
            f"{drain:.0f} s ({args.count / drain:.0f}/s); {emails:,} emails for {args.count:,} rows"
        )

        print(f"light load, worker running: {args.paced} notifications at {args.rate:g}/s")
        ids, committed, _ = write(args.paced, args.rate)
        waits = latencies(ids, committed, wait_sent(ids))
        light = (
            f"p50 {percentile(waits, 50) * 1000:.0f} ms, p95 {percentile(waits, 95) * 1000:.0f} ms, "
            f"max {max(waits) * 1000:.0f} ms"
        )
        print(f"  commit -> sent: {light}")

        from bench.results import Row, merge_rows

        merge_rows(
            [
                Row("notifications: drain the outbox", backlog, "report (issue 4)"),
                Row(
                    "notifications: commit -> sent",
                    f"{light} ({args.paced} at {args.rate:g}/s, one worker)",
                    "report (issue 4)",
                ),
            ]
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        Notification.objects.filter(recipient=recipient).delete()
        shutil.rmtree(mail_dir, ignore_errors=True)
        log_path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
