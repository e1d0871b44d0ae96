"""A reader never sees a stale version: not after a publish, not after an archive, whichever
process's memory or shared cache held the page before. Runs on the configured cache backend
(Redis with REDIS_URL, CI's setting; local memory otherwise).

Two web processes are simulated by two ``LocalPages`` memories over the one shared cache:
``public.render_cache.local_pages`` is swapped for each "process" in turn. Publishing and
archiving run their after-commit work (``django_capture_on_commit_callbacks``), as a real
commit would.
"""

from __future__ import annotations

import contextlib

import pytest
from django.core.cache import cache

from articles.models import Audience
from public import pointer_memory, pointers, render_cache
from public.local_pages import LocalPages
from public.pointer_memory import PointerMemory
from reviews.workflow import Action, perform
from tests.public.public_setup import publish_article, publish_new_version, reviewer, second_version
from tests.public.test_public_article import both_audiences

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

FIRST_VERSION_TEXT = "What it is"  # a heading only version 1 has (tests.factories.valid_content)
SECOND_VERSION_TEXT = "What changed"  # only in second_version()


@pytest.fixture
def ana(db):
    return reviewer("ana", display_name="Dr Ana Reyes")


@pytest.fixture
def published(editor, managing, ana):
    return publish_article(editor, managing, [ana])


class Process:
    """One web process: its own page memory (and, with pointer leases, its own pointer memory
    and listener), the shared cache and database of every process."""

    def __init__(self, monkeypatch, *, pointer_lease: float = 0) -> None:
        self.memory = LocalPages(16 * 2**20)
        self.pointers = PointerMemory(pointer_lease) if pointer_lease else None
        if self.pointers is not None:
            self.pointers.start()
            assert self.pointers.wait_for_lease(5)
        self._monkeypatch = monkeypatch

    @contextlib.contextmanager
    def active(self):
        with self._monkeypatch.context() as patch:
            patch.setattr(render_cache, "local_pages", self.memory)
            patch.setattr(pointer_memory, "active_memory", lambda: self.pointers)
            yield

    def read(self, client, path: str):
        with self.active():
            return client.get(path)

    def stop(self) -> None:
        if self.pointers is not None:
            self.pointers.stop()


@pytest.fixture(params=["shared cache", "pointer leases"])
def two_processes(request, monkeypatch, settings):
    """Two processes, either asking the shared cache for the pointer on every request, or
    remembering it under a lease (public.pointer_memory: then a publish must reach both)."""
    lease = 0
    if request.param == "pointer leases":
        if not settings.REDIS_URL:
            pytest.skip("pointer leases need Redis (set REDIS_URL)")
        lease = 2.0
        settings.VETTED = {**settings.VETTED, "POINTER_LEASE_SECONDS": lease}
    # Outside either process (a plain client.get), no pointer memory.
    monkeypatch.setattr(pointer_memory, "active_memory", lambda: None)
    processes = Process(monkeypatch, pointer_lease=lease), Process(monkeypatch, pointer_lease=lease)
    yield processes
    for process in processes:
        process.stop()


def url(article) -> str:
    return f"/articles/{article.slug}/"


def page_text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def publish_second_version(article, editor, managing, ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_new_version(article, editor, managing, [ana], second_version())


def test_after_a_publish_every_process_serves_the_new_version(
    client, editor, managing, ana, published, two_processes, django_capture_on_commit_callbacks
):
    first, second = two_processes
    for process in two_processes:
        assert FIRST_VERSION_TEXT in page_text(process.read(client, url(published)))
        assert len(process.memory) == 1  # the old page is in this process's memory

    # Published from the first process: only the shared pointer tells the second one.
    with first.active():
        publish_second_version(published, editor, managing, ana, django_capture_on_commit_callbacks)

    for process in (second, first):
        html = page_text(process.read(client, url(published)))
        assert SECOND_VERSION_TEXT in html and FIRST_VERSION_TEXT not in html


def test_a_process_that_never_saw_the_publish_still_checks_the_pointer(
    client, editor, managing, ana, published, two_processes, django_capture_on_commit_callbacks
):
    _first, second = two_processes
    page_text(second.read(client, url(published)))
    # The shared page entry too is replaced by the other process's reading of the new version.
    publish_second_version(published, editor, managing, ana, django_capture_on_commit_callbacks)
    assert SECOND_VERSION_TEXT in page_text(client.get(url(published)))

    html = page_text(second.read(client, url(published)))
    assert SECOND_VERSION_TEXT in html and FIRST_VERSION_TEXT not in html


def test_every_reader_variant_of_the_page_moves_to_the_new_version(
    client, editor, managing, ana, two_processes, django_capture_on_commit_callbacks
):
    article = publish_article(editor, managing, [ana], content=both_audiences())
    variants = [url(article), f"{url(article)}?audience={Audience.PROFESSIONAL}"]
    first, second = two_processes
    for process in two_processes:
        for path in variants:
            assert "Cervical insufficiency in pregnancy" in page_text(process.read(client, path))

    with first.active(), django_capture_on_commit_callbacks(execute=True):
        publish_new_version(
            article,
            editor,
            managing,
            [ana],
            both_audiences(title="Renamed after review", change_summary="Renamed."),
        )

    for process in (second, first):
        for path in variants:
            assert "Renamed after review" in page_text(process.read(client, path))


def test_after_an_archive_no_process_serves_the_page(
    client, managing, published, two_processes, django_capture_on_commit_callbacks
):
    first, second = two_processes
    for process in two_processes:
        page_text(process.read(client, url(published)))

    with first.active(), django_capture_on_commit_callbacks(execute=True):
        perform(published, Action.ARCHIVE, managing, reason="Superseded by a new article.")

    for process in (second, first):
        assert process.read(client, url(published)).status_code == 404


def test_a_reader_who_read_the_old_pointer_before_the_commit_cannot_put_it_back(
    client, editor, managing, ana, published, django_capture_on_commit_callbacks
):
    # A reader in another process read the article row just before the publish committed, and
    # stores what it read just after: ``lookup_article`` only ever adds, so it changes nothing.
    old_pointer = pointers._read_pointer(published.slug)
    publish_second_version(published, editor, managing, ana, django_capture_on_commit_callbacks)
    cache.add(pointers.pointer_key(published.slug), old_pointer, pointers.POINTER_TIMEOUT)

    assert pointers.resolve_article(published.slug).published.number == 2
    assert SECOND_VERSION_TEXT in page_text(client.get(url(published)))


def test_the_page_of_the_old_version_is_never_served_for_the_new_pointer(
    client, editor, managing, ana, published, django_capture_on_commit_callbacks
):
    # Even a page entry written late with the old rendering (a slow request that started before
    # the publish) is checked against the current pointer, not trusted.
    page_text(client.get(url(published)))
    key = render_cache.page_key(published.slug, None, None)
    old_entry = cache.get(key)
    publish_second_version(published, editor, managing, ana, django_capture_on_commit_callbacks)
    cache.set(key, old_entry, render_cache.PAGE_TIMEOUT)
    render_cache.local_pages.put(key, *old_entry)

    html = page_text(client.get(url(published)))
    assert SECOND_VERSION_TEXT in html and FIRST_VERSION_TEXT not in html


class CacheCalls:
    """Every call the article page makes to the shared cache, by method (not the calls a
    backend makes to itself: the local-memory one answers get_many with one get per key)."""

    METHODS = ("get", "get_many", "add", "set", "set_many", "delete", "delete_many")

    def __init__(self, monkeypatch) -> None:
        self.calls: list[tuple[str, tuple]] = []
        self._depth = 0
        for name in self.METHODS:
            original = getattr(cache, name)
            monkeypatch.setattr(cache, name, self._recording(name, original))

    def _recording(self, name, original):
        def record(*args, **kwargs):
            if self._depth == 0:
                self.calls.append((name, args))
            self._depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self._depth -= 1

        return record


def test_a_warm_page_is_one_round_trip_that_moves_only_the_pointer(
    client, published, monkeypatch, django_assert_num_queries
):
    page_text(client.get(url(published)))  # rendered, kept in the shared cache and this process
    calls = CacheCalls(monkeypatch)
    with django_assert_num_queries(0):
        page_text(client.get(url(published)))
    assert [name for name, _ in calls.calls] == ["get_many"]
    (keys,) = calls.calls[0][1]
    assert list(keys) == [pointers.pointer_key(published.slug)]  # the page came from memory


def test_a_process_without_the_page_gets_it_in_the_same_round_trip(
    client, published, monkeypatch, two_processes, django_assert_num_queries
):
    first, second = two_processes
    page_text(first.read(client, url(published)))
    calls = CacheCalls(monkeypatch)
    with django_assert_num_queries(0):
        page_text(second.read(client, url(published)))
    assert [name for name, _ in calls.calls] == ["get_many"]
    (keys,) = calls.calls[0][1]
    assert list(keys) == [
        pointers.pointer_key(published.slug),
        render_cache.page_key(published.slug, None, None),
    ]
    assert len(second.memory) == 1


@pytest.mark.parametrize("two_processes", ["pointer leases"], indirect=True)
def test_under_a_pointer_lease_a_warm_page_makes_no_round_trip(
    client, published, monkeypatch, two_processes, django_assert_num_queries
):
    first, _second = two_processes
    page_text(first.read(client, url(published)))  # pointer read from Redis, then remembered
    calls = CacheCalls(monkeypatch)
    with django_assert_num_queries(0):
        html = page_text(first.read(client, url(published)))
    assert FIRST_VERSION_TEXT in html
    assert calls.calls == []
