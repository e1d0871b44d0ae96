"""Benchmarks: measurements, not tests. Nothing here is imported by the application.

Conventions (``bench/run_all.py`` relies on them):

- A benchmark is a script ``bench/<name>.py`` run as ``python bench/<name>.py`` from the
  repository root; it exits 0 when it measured, non-zero when it could not (say why on stderr,
  for example a missing ``DATABASE_URL`` / ``REDIS_URL``).
- It records its figures with :func:`bench.results.merge_rows`, which replaces the rows of
  the same benchmark name in ``bench/results.md`` and keeps everyone else's.
- A script configures Django in ``main()`` (``django.setup()``) before it may import a model,
  so its imports of project modules sit inside the functions that run after that.
- Helper modules (``results``, ``seeding``, ``run_all``, anything starting with ``_``) are
  not benchmarks.
"""
