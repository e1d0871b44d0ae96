"""Run every benchmark under bench/ (``make bench``); each merges its rows into bench/results.md.

A benchmark is any ``bench/<name>.py`` that is not a helper (see ``bench/__init__.py``).
Each runs in a process of its own, so settings one of them changes never leak
into the next. ``seed`` runs first (the others measure the data it writes),
then ``transitions``, then the rest by name. Exit status 2 from a benchmark
means it could not run here (a service it needs is not configured): reported
as skipped, not as a failure.

Usage: .venv/bin/python bench/run_all.py [--only seed,transitions] [--skip notifications]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
HELPERS = {"__init__", "run_all", "results", "seeding"}
FIRST = ["seed", "transitions"]
SKIPPED = 2


def discover() -> list[str]:
    names = sorted(
        p.stem for p in BENCH_DIR.glob("*.py") if p.stem not in HELPERS and not p.stem.startswith("_")
    )
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    names = [n for n in discover() if (not only or n in only) and n not in skip]

    for variable in ("DATABASE_URL", "REDIS_URL"):
        print(f"{variable}={os.environ.get(variable) or '(not set: benchmarks that need it will say so)'}")
    print(f"{os.cpu_count()} cores; benchmarks: {', '.join(names)}\n")
    outcome: dict[str, str] = {}
    for name in names:
        print(f"=== {name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(BENCH_DIR / f"{name}.py")], cwd=BASE_DIR).returncode
        took = time.perf_counter() - started
        outcome[name] = {0: "ok", SKIPPED: "skipped"}.get(code, f"FAILED (exit {code})") + f" in {took:.0f} s"
        print(f"=== {name}: {outcome[name]} ===\n", flush=True)
    print("Summary:")
    for name, text in outcome.items():
        print(f"  {name:<16} {text}")
    print(f"Figures: {BENCH_DIR / 'results.md'}")
    return 1 if any("FAILED" in text for text in outcome.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
