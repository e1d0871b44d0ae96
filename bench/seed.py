"""Bench (not a test): how long ``seed_bench`` takes for 100,000 articles, and verify_audit after it.

Seeds only an empty-enough database: if it already holds the articles asked
for, nothing is written and the figures already in ``bench/results.md`` stay
(seeding again would double the data and measure something else). To measure
again, point DATABASE_URL at a fresh database (created and migrated).

Usage (PostgreSQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vetted_bench \\
    .venv/bin/python bench/seed.py [--articles 100000] [--no-verify]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _millions(n: int) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=int(os.environ.get("BENCH_ARTICLES", "100000")))
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--no-verify", action="store_true", help="skip timing verify_audit afterwards")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results.md")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "bench/seed.py measures PostgreSQL: set DATABASE_URL=postgres://... (a database of its own).",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article
    from audit.verify import verify as verify_trail
    from bench.results import Row, merge_rows
    from bench.seeding import BenchSeeder

    call_command("migrate", verbosity=0)
    existing = Article.objects.count()
    if existing >= args.articles:
        print(
            f"{connection.settings_dict['NAME']} already holds {existing:,} articles: not seeding again "
            "(the figures in bench/results.md stay as measured)."
        )
        return 0
    print(
        f"Seeding {args.articles:,} articles into {connection.settings_dict['NAME']} ({os.cpu_count()} cores)"
    )
    report = BenchSeeder(args.articles, batch_size=args.batch_size, log=print).run()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = report.rows
    total = sum(rows.values())
    print(f"seeded in {report.seconds:.0f} s; phases {report.phases}; {total:,} rows; max RSS {rss:.0f} MB")
    for table, count in sorted(rows.items(), key=lambda item: -item[1]):
        print(f"  {table:<32} {count:>12,}")
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.phases.items())
    results = [
        Row(
            f"Seed: {args.articles:,} articles (manage.py seed_bench, COPY)",
            f"{report.seconds:.0f} s ({phases}); {_millions(total)} rows: "
            f"{_millions(rows.get('articles_reference', 0))} references, "
            f"{_millions(rows.get('articles_section', 0))} sections, "
            f"{_millions(rows.get('articles_articleversion', 0))} versions, "
            f"{_millions(rows.get('reviews_review', 0))} reviews, "
            f"{_millions(report.events)} audit events",
            "under 10 min",
        )
    ]
    if not args.no_verify:
        started = time.perf_counter()
        chain = verify_trail()
        seconds = time.perf_counter() - started
        print(
            f"verify_audit: {'intact' if chain.ok else 'BROKEN: ' + chain.problem}, {chain.checked:,} events"
        )
        results.append(
            Row(
                "verify_audit after the seed",
                f"{'passes' if chain.ok else 'FAILS'}: {chain.checked:,} events in {seconds:.0f} s "
                f"({chain.checked / seconds:,.0f} events/s)",
                "passes",
            )
        )
        if not chain.ok:
            return 1
    if not args.no_write:
        merge_rows(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
