"""Bench (not a test): checking the review log (issue 16), on the database ``seed_bench`` filled.

Measured, at whatever size the log has (seed it first: ``manage.py seed_bench`` seals every
event it writes):

- ``verify_audit``'s full check: events per second (goal: 100,000 or more);
- its incremental check after ``--new-events`` (1,000) events are written and sealed: seconds
  (goal: under 1 s at 1.5 M events);
- inclusion proofs against the latest checkpoint (``audit.log.inclusion_proof``, and
  ``audit.log.prove``, which the "Verify this review" page calls): milliseconds each (goal:
  under 10 ms at 1.5 M events), and their size.

It adds ``--new-events`` events to the trail (action ``bench.review_log``) and a checkpoint and
two verified trees to the log: use a database of its own.

Usage (PostgreSQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vetted_bench \\
    .venv/bin/python bench/review_log.py [--new-events 1000] [--proofs 300] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_ACTION = "bench.review_log"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-events", type=int, default=1000, help="events the incremental check meets")
    parser.add_argument("--proofs", type=int, default=300, help="inclusion proofs timed (300)")
    parser.add_argument("--profile", action="store_true", help="profile the full check (pyinstrument)")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results.md")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "bench/review_log.py measures PostgreSQL: set DATABASE_URL=postgres://... "
            "(the database seed_bench filled).",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import core.audit_actions as audit_actions
    from audit.log import inclusion_proof, latest_checkpoint, prove, seal_all
    from audit.models import AuditEvent, LogLeaf
    from audit.trail import record
    from audit.verify import verify
    from bench.results import Row, merge_rows

    call_command("migrate", verbosity=0)
    if not audit_actions.is_declared(BENCH_ACTION):
        audit_actions.register(BENCH_ACTION, "Bench event", "An event the review log bench wrote")
    print(f"database {connection.settings_dict['NAME']}; {_load()}")

    started = time.perf_counter()
    added = sum(done.added for done in seal_all())
    print(f"sealed {added:,} events left unsealed in {time.perf_counter() - started:.1f} s")
    size = LogLeaf.objects.count()
    if size == 0:
        print("The log is empty: seed first (manage.py seed_bench).", file=sys.stderr)
        return 2

    # -- the full check, which also anchors the incremental one -------------------------------
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started = time.perf_counter()
    full = verify(full=True, remember=True)
    full_seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    full_load = _load()
    print(
        f"full check: {'passes' if full.ok else 'FAILS: ' + full.problem}; {full.checked:,} events "
        f"({full.entries:,} entries, {full.checkpoints} checkpoints) in {full_seconds:.1f} s "
        f"= {full.checked / full_seconds:,.0f} events/s; {full_load}"
    )
    if not full.ok:
        return 1

    # -- the incremental check after new events --------------------------------------------------
    for n in range(args.new_events):
        record(BENCH_ACTION, target_type="bench", target_id=str(n), payload={"n": n})
    # The sealer waits for every transaction older than the new events to finish, on the whole
    # server (audit.log): on a shared one, another database's open transaction delays it.
    sealed, patience = 0, time.monotonic() + 300
    while sealed < args.new_events and time.monotonic() < patience:
        sealed += sum(done.added for done in seal_all())
        if sealed < args.new_events:
            time.sleep(0.5)
    started = time.perf_counter()
    incremental = verify(full=False, remember=True)
    incremental_seconds = time.perf_counter() - started
    incremental_load = _load()
    print(
        f"incremental check after {args.new_events:,} new events ({sealed:,} sealed): "
        f"{'passes' if incremental.ok else 'FAILS: ' + incremental.problem}; "
        f"{incremental.entries:,} entries re-hashed from {incremental.since:,} in "
        f"{incremental_seconds * 1000:.0f} ms; {incremental_load}"
    )
    if not incremental.ok:
        return 1

    # -- inclusion proofs ------------------------------------------------------------------------
    checkpoint = latest_checkpoint()
    assert checkpoint is not None  # sealed above
    tree = checkpoint.size
    rng = random.Random(16)
    indexes = [rng.randrange(tree) for _ in range(args.proofs)]
    inclusion_proof(indexes[0], tree)  # the first query plans; not a reader's cost
    timings, lengths = [], []
    for index in indexes:
        started = time.perf_counter()
        path = inclusion_proof(index, tree)
        timings.append(time.perf_counter() - started)
        lengths.append(len(path))
    event_ids = list(
        LogLeaf.objects.filter(index__in=indexes[: min(100, len(indexes))]).values_list("event_id", flat=True)
    )
    events = {e.pk: e for e in AuditEvent.objects.filter(pk__in=event_ids)}
    prove_timings, sizes = [], []
    for event_id in event_ids:
        started = time.perf_counter()
        proofs = prove([events[event_id]])
        prove_timings.append(time.perf_counter() - started)
        sizes.append(len(json.dumps(proofs[event_id].as_json())))
    proof_load = _load()
    print(
        f"inclusion proofs at {tree:,} entries: p50 {_percentile(timings, 50) * 1000:.2f} ms, "
        f"p95 {_percentile(timings, 95) * 1000:.2f} ms, max {max(timings) * 1000:.2f} ms "
        f"({len(timings)} proofs, {min(lengths)}-{max(lengths)} hashes); prove() with its entry and "
        f"checkpoint: p50 {_percentile(prove_timings, 50) * 1000:.2f} ms, "
        f"p95 {_percentile(prove_timings, 95) * 1000:.2f} ms, JSON {min(sizes):,}-{max(sizes):,} bytes; "
        f"{proof_load}"
    )

    if not args.no_write:
        merge_rows(
            [
                Row(
                    "Review log: verify_audit, full check",
                    f"{'passes' if full.ok else 'FAILS'}: {full.checked:,} events in {full_seconds:.1f} s "
                    f"({full.checked / full_seconds:,.0f} events/s); {full_load}",
                    "≥ 100,000 events/s (issue 16)",
                ),
                Row(
                    "Review log: verify_audit --incremental, new events",
                    f"{'passes' if incremental.ok else 'FAILS'}: {incremental.entries:,} new entries at "
                    f"{tree:,} in {incremental_seconds * 1000:.0f} ms; {incremental_load}",
                    "1,000 new events < 1 s at 1.5 M (issue 16)",
                ),
                Row(
                    "Review log: inclusion proof",
                    f"at {tree:,} entries: p50 {_percentile(timings, 50) * 1000:.1f} ms, "
                    f"p95 {_percentile(timings, 95) * 1000:.1f} ms ({len(timings)} proofs of "
                    f"{max(lengths)} hashes at most); prove() p95 "
                    f"{_percentile(prove_timings, 95) * 1000:.1f} ms, JSON ≤ {max(sizes):,} bytes; "
                    f"{proof_load}",
                    "< 10 ms at 1.5 M (issue 16)",
                ),
            ],
            family="Review log:",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
