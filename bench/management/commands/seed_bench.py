"""Seed data at scale for the benchmarks: ``manage.py seed_bench --articles 100000``.

Not for the demo (``seed_demo`` is): this writes rows in bulk, below the ORM,
and adds to whatever is already in the database. Run it on a database of its
own. How and why: ``bench/seeding.py``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = "Write N realistic articles, their versions, reviews and audit events (sealed into the log), fast."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=int, default=100_000, help="How many articles (100000).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed: same seed, same content (7).")
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Articles written per transaction (2000)."
        )
        parser.add_argument(
            "--audit-years",
            type=float,
            default=2.0,
            help="The audit trail began this many years ago (2); older history is one "
            "article.imported event per article, as a migration would have left it.",
        )
        parser.add_argument(
            "--full-audit",
            action="store_true",
            help="Audit every step of every article's history instead (about 35 events per article).",
        )

    def handle(
        self,
        *args,
        articles: int,
        seed: int,
        batch_size: int,
        audit_years: float,
        full_audit: bool,
        verbosity: int,
        **options,
    ) -> None:
        from bench.seeding import BenchSeeder

        method = "COPY" if connection.vendor == "postgresql" else "executemany"
        self.stdout.write(
            f"Seeding {articles:,} articles into {connection.vendor} "
            f"{connection.settings_dict['NAME']} ({method}, {batch_size:,} per batch, seed {seed})..."
        )
        log = self.stdout.write if verbosity >= 1 else (lambda message: None)
        started = time.perf_counter()
        report = BenchSeeder(
            articles,
            seed=seed,
            batch_size=batch_size,
            audit_years=None if full_audit else audit_years,
            log=log,
        ).run()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Rows written ({report.events:,} audit events):")
        for table, count in sorted(report.rows.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {table:<32} {count:>12,}")
        self.stdout.write(
            "Articles by state: " + ", ".join(f"{k} {v:,}" for k, v in sorted(report.states.items()))
        )
        self.stdout.write(
            "Phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items())
        )
        total_rows = sum(report.rows.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {articles:,} articles in {elapsed:.1f} s "
                f"({total_rows:,} rows, {total_rows / max(elapsed, 1e-9):,.0f} rows/s)."
            )
        )
