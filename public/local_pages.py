"""Rendered public pages kept in this process's memory, next to the shared cache.

A page is stored with the stamp it was rendered for (the article's pointer, see
``public.render_cache.page_body``) and only ever returned for
that same stamp, so an entry can be old but never wrong: the caller always
reads the current pointer from the shared cache first. What this saves is
moving the page itself (30-50 KB) out of Redis and unpickling it on every
request, which profiling showed to be the largest cost of a warm article page
after the round trip itself.

Written here rather than using Django's ``LocMemCache`` because that one
pickles every value on every read (a copy of the whole page plus the stamp,
about 15 µs) and bounds the number of entries, not their size; pages vary in
size, and memory per worker is what a deployment has to budget.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class LocalPages:
    """A thread-safe, least-recently-used store of ``key → (stamp, body)``, bounded in bytes."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[str, tuple[Hashable, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def holds(self, key: str) -> bool:
        """Whether some version of this page is here (it may have been rendered for an older stamp)."""
        return key in self._entries

    def get(self, key: str, stamp: Hashable) -> bytes | None:
        """The page at ``key`` if it was rendered for exactly ``stamp``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != stamp:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, stamp: Hashable, body: bytes) -> None:
        if len(body) > self.budget_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old[1])
            self._entries[key] = (stamp, body)
            self._size += len(body)
            while self._size > self.budget_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    @property
    def size(self) -> int:
        """Bytes of page bodies held."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)
