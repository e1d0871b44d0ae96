"""The never-stale rule end to end: real gunicorn workers remembering pointers under leases,
readers hammering them while a version is published from another process.

Every request that starts after the publish returned must show the new version. The workers
are the production shape (``bench/public_pages.py`` starts them the same way) on the test
database, so the test commits for real.
"""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest
from django.db import connection

from bench.public_pages import Gunicorn, ServerShape
from public import pointer_memory
from tests.public.public_setup import publish_article, publish_new_version, reviewer, second_version

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_cache"),
]

FIRST_VERSION_TEXT = "What it is"  # only version 1 has this heading (tests.factories.valid_content)
SECOND_VERSION_TEXT = "What changed"  # only in second_version()


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def which_version(html: str) -> int:
    first, second = FIRST_VERSION_TEXT in html, SECOND_VERSION_TEXT in html
    assert first != second, "a page shows exactly one version"
    return 1 if first else 2


class Readers:
    """Threads reading the page in a loop; each reading is (started, finished, version)."""

    def __init__(self, url: str, threads: int = 3) -> None:
        self.url = url
        self.readings: list[tuple[float, float, int]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read) for _ in range(threads)]

    def _read(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            with urllib.request.urlopen(self.url, timeout=10) as response:
                html = response.read().decode()
            self.readings.append((started, time.monotonic(), which_version(html)))

    def __enter__(self) -> Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def registered_workers() -> set[str]:
    _channel, registry, _acks = pointer_memory._names()
    return {member.decode() for member in pointer_memory.redis_client().zrange(registry, 0, -1)}


def test_no_request_after_a_publish_returns_sees_the_old_version(
    settings, monkeypatch, editor, managing, fresh_cache
):
    settings.VETTED = {**settings.VETTED, "POINTER_LEASE_SECONDS": 2.0}
    monkeypatch.setattr(pointer_memory, "active_memory", lambda: None)  # this process only publishes
    monkeypatch.setenv("DATABASE_URL", database_url())
    monkeypatch.setenv("POINTER_LEASE_SECONDS", "2")
    ana = reviewer("ana", display_name="Dr Ana Reyes")
    article = publish_article(editor, managing, [ana])

    with Gunicorn(ServerShape("sync", 2)) as server:
        url = f"{server.base_url}/articles/{article.slug}/"
        # Both workers read the page (their listeners start with their first article request)
        # and hold a lease before the publish.
        deadline = time.monotonic() + 20
        worker_pids = {str(pid) for pid in server.pids()[1:]}
        while {w.split(":")[1] for w in registered_workers()} < worker_pids:
            assert time.monotonic() < deadline, f"workers {worker_pids} never took a lease"
            with urllib.request.urlopen(url, timeout=10) as response:
                assert which_version(response.read().decode()) == 1

        with Readers(url) as readers:
            time.sleep(0.5)
            publish_new_version(article, editor, managing, [ana], second_version())
            returned = time.monotonic()
            time.sleep(0.5)

    before = [version for started, finished, version in readers.readings if finished < returned]
    after = [version for started, _finished, version in readers.readings if started > returned]
    assert 1 in before, "the readers saw version 1 before the publish"
    assert len(after) >= 10, "enough readings after the publish to tell"
    assert set(after) == {2}, f"{after.count(1)} of {len(after)} readings after the publish showed version 1"
