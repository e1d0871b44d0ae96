"""Which version each public article shows, remembered in this web process between changes.

A reader's request must never show a version older than the last publish that returned.
Reading the article's pointer (its published version and state) from Redis on every request
guarantees that, but on a 2-core machine that one round trip halved the article page's
throughput (bench/public_pages.py: 50 % of /healthz with it, 84 % without). So a process
remembers pointers here, and every change to a pointer waits until no process can still
answer with the old one:

- Each web process runs a listener thread subscribed to an invalidation channel, and holds a
  *lease*: it answers from memory only while the lease lasts. The listener renews it every
  ``lease / 6`` seconds with a PING on the subscribed connection (its PONG arrives after
  every invalidation published before it, and those are handled first), then records the
  lease's end, on Redis's clock, in a registry (a sorted set).
- ``announce(keys)``, run after a change commits and after the shared cache holds the new
  value, publishes the keys and waits for an acknowledgement from every registered process
  whose lease is still running and from every subscriber the message reached. A process that
  does not answer (stopped, cut off) is waited out until its lease ends, read again from the
  registry before giving up (a PING already on its way when the message was published can
  renew it once without the message being read); after that it no longer answers from memory.
  A process whose lease lapsed, even briefly, empties its memory when it renews.
- A pointer read from Redis is kept only if no invalidation arrived while it was being read
  (an epoch counter), so a read that raced a publish cannot put the old value back.
- Losing the connection, a late PONG or a restart ends the lease and empties the memory.

Redis's own client-side caching (``CLIENT TRACKING``) was not used: its invalidations are
not acknowledged, so a publish could return while one was still on its way. Nothing in the
Django world does acknowledged invalidation, hence this module. With no Redis, or with
``VETTED["POINTER_LEASE_SECONDS"] = 0``, nothing is remembered and every request reads the
shared cache as before.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from core.cache import shared_redis_client

log = logging.getLogger(__name__)

# Margin for the publisher's deadlines: clocks are read a round trip apart.
_CLOCK_MARGIN = 0.05


def lease_seconds() -> float:
    return float(settings.VETTED.get("POINTER_LEASE_SECONDS", 0) or 0)


def redis_client() -> Any | None:
    """The shared cache's redis-py client, or ``None`` when the cache is not Redis."""
    return shared_redis_client()


def _names() -> tuple[str, str, str]:
    from django.core.cache import cache

    return (
        cache.make_key("public:pointer-leases:channel"),
        cache.make_key("public:pointer-leases:registry"),
        cache.make_key("public:pointer-leases:acks:"),
    )


class PointerMemory:
    """This process's remembered pointers, valid while its lease lasts (see the module's text)."""

    def __init__(self, lease: float, *, capacity: int = 50_000, max_age: float = 60.0) -> None:
        self.lease = lease
        self.capacity = capacity
        # A value is also re-read after max_age, as the shared cache's entries expire: that bounds
        # what a change made behind the models' back (a queryset update, raw SQL) can leave.
        self.max_age = max_age
        self._values: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._epoch = 0
        self._lease_until = 0.0
        self._pid: int | None = None
        self._stop = threading.Event()
        self.worker_id = ""
        self.thread: threading.Thread | None = None

    # --- the request side ---------------------------------------------------------------------

    @property
    def has_lease(self) -> bool:
        return time.monotonic() < self._lease_until

    def recall(self, keys: Iterable[str]) -> dict[str, Any] | None:
        """The remembered values of all ``keys``, or ``None`` (no lease, or one is not here)."""
        now = time.monotonic()
        if now >= self._lease_until:
            return None
        found = {}
        with self._lock:
            for key in keys:
                entry = self._values.get(key)
                if entry is None or entry[1] <= now:
                    return None
                found[key] = entry[0]
                self._values.move_to_end(key)
        return found

    def begin_read(self) -> int | None:
        """Call before reading values to ``remember``: ``None`` means do not remember them."""
        return self._epoch if self.has_lease else None

    def remember(self, token: int | None, values: dict[str, Any]) -> None:
        """Keep ``values`` unless an invalidation arrived since ``begin_read`` gave ``token``."""
        with self._lock:
            if token is None or token != self._epoch or not self.has_lease:
                return
            expires = time.monotonic() + self.max_age
            for key, value in values.items():
                self._values[key] = (value, expires)
                self._values.move_to_end(key)
            while len(self._values) > self.capacity:
                self._values.popitem(last=False)

    def forget(self, keys: Iterable[str] | None) -> None:
        """Drop ``keys`` (``None``: everything) and void every read in progress."""
        with self._lock:
            self._epoch += 1
            if keys is None:
                self._values.clear()
            else:
                for key in keys:
                    self._values.pop(key, None)

    def __len__(self) -> int:
        return len(self._values)

    # --- the listener -------------------------------------------------------------------------

    def start(self) -> None:
        """Start listening in this process (again after a fork: a child inherits no thread)."""
        if self._pid == os.getpid() and self.thread is not None and self.thread.is_alive():
            return
        self._pid = os.getpid()
        self._end_lease()
        self._stop.clear()
        self.worker_id = f"{socket.gethostname()}:{self._pid}:{uuid.uuid4().hex[:12]}"
        self.thread = threading.Thread(target=self._run, name="pointer-leases", daemon=True)
        self.thread.start()
        atexit.register(self.stop)

    def stop(self) -> None:
        """End the lease and leave the registry, so that publishes stop waiting for this process."""
        self._stop.set()
        self._end_lease()
        client = redis_client()
        if client is not None and self.worker_id:
            try:
                client.zrem(_names()[1], self.worker_id)
            except Exception:  # leaving is best effort: the lease ends by itself anyway
                log.debug("pointer leases: could not leave the registry", exc_info=True)
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=2)

    def wait_for_lease(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while not self.has_lease and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.has_lease

    def _end_lease(self) -> None:
        self._lease_until = 0.0
        self.forget(None)

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.1
            except Exception:
                log.warning("pointer leases: listener lost its connection; retrying", exc_info=True)
            finally:
                self._end_lease()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 5.0)

    def _listen(self) -> None:
        client = redis_client()
        if client is None:
            self._stop.set()
            return
        channel, registry, acks = _names()
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(channel)
            heartbeat = self.lease / 6
            next_beat = 0.0
            ping: tuple[bytes, float] | None = None
            while not self._stop.is_set():
                now = time.monotonic()
                if ping is None and now >= next_beat:
                    token = uuid.uuid4().hex
                    ping = (token.encode(), now)
                    pubsub.ping(token)
                if ping is not None and now - ping[1] > self.lease / 2:
                    raise TimeoutError("no answer to the lease's PING")
                wait = (ping[1] + self.lease / 2 - now) if ping is not None else (next_beat - now)
                message = pubsub.get_message(timeout=max(0.001, min(wait, heartbeat)))
                if message is None:
                    continue
                if message["type"] == "message":
                    self._invalidate(client, acks, message["data"])
                elif message["type"] == "pong" and ping is not None and message["data"] == ping[0]:
                    self._renew(client, registry, sent_at=ping[1])
                    next_beat, ping = ping[1] + heartbeat, None
        finally:
            pubsub.close()

    def _invalidate(self, client: Any, acks: str, data: bytes) -> None:
        message = json.loads(data)
        self.forget(message.get("keys"))
        with client.pipeline(transaction=False) as pipe:
            pipe.rpush(acks + message["id"], self.worker_id)
            pipe.expire(acks + message["id"], 60)
            pipe.execute()

    def _renew(self, client: Any, registry: str, *, sent_at: float) -> None:
        # The registry's end is read on Redis's clock after sent_at, so it is never earlier than
        # this process's own end (sent_at + lease): a publisher that waits it out is safe.
        seconds, micros = client.time()
        ends = seconds + micros / 1e6 + self.lease
        added = client.zadd(registry, {self.worker_id: ends})
        if added or not self.has_lease:
            # New in the registry (first lease, or dropped by a FLUSHDB), or the lease lapsed: a
            # publisher may have stopped waiting for this process, and an invalidation may still
            # be unread behind this PONG. Start again from an empty memory.
            self.forget(None)
        self._lease_until = sent_at + self.lease


def announce(keys: list[str] | None) -> None:
    """After a change is committed and the shared cache holds it: make every process forget
    ``keys`` (``None``: everything), and return once none can answer with the old values."""
    lease = lease_seconds()
    client = redis_client() if lease > 0 else None
    if client is None:
        return
    channel, registry, acks = _names()
    message_id = uuid.uuid4().hex
    with client.pipeline(transaction=False) as pipe:
        pipe.publish(channel, json.dumps({"id": message_id, "keys": keys}))
        pipe.time()
        pipe.zrange(registry, 0, -1, withscores=True)
        receivers, (seconds, micros), members = pipe.execute()
    local_now = time.monotonic()
    server_now = seconds + micros / 1e6
    # Each registered process until it acknowledges or its lease ends; subscribers not (yet)
    # registered until as many acknowledgements as the publish reached, for at most a lease.
    deadlines = {
        member.decode(): local_now + (ends - server_now) + _CLOCK_MARGIN
        for member, ends in members
        if ends > server_now
    }
    give_up = local_now + lease + _CLOCK_MARGIN
    # At most one renewal can happen without reading this message (see _renewed_deadlines), so a
    # process that keeps renewing without acknowledging is broken: stop waiting for it then.
    hard_limit = local_now + 2 * lease + 2 * _CLOCK_MARGIN
    acknowledged: set[str] = set()
    try:
        while True:
            now = time.monotonic()
            silent = [member for member in deadlines if member not in acknowledged]
            waiting = [deadlines[member] for member in silent if deadlines[member] > now]
            if silent and not waiting:
                # Before giving up on a silent process, read its lease's end again: one renewal
                # whose PING was sent before this publish may have moved it (its PONG came first).
                waiting = _renewed_deadlines(client, registry, silent, deadlines)
            if len(acknowledged) < receivers and now < give_up:
                waiting.append(give_up)
            if not waiting:
                break
            if now >= hard_limit:
                log.warning("pointer leases: %s renewed without acknowledging %s", silent, message_id)
                break
            waiting = [min(deadline, hard_limit) for deadline in waiting]
            popped = client.blpop([acks + message_id], timeout=max(0.01, min(max(waiting) - now, 1.0)))
            if popped is not None:
                acknowledged.add(popped[1].decode())
        if len(members) > len(deadlines):
            client.zremrangebyscore(registry, "-inf", server_now)
    finally:
        client.delete(acks + message_id)


def _renewed_deadlines(
    client: Any, registry: str, members: list[str], deadlines: dict[str, float]
) -> list[float]:
    """Update ``deadlines`` of ``members`` from the registry; the ones still in the future."""
    with client.pipeline(transaction=False) as pipe:
        pipe.time()
        pipe.zmscore(registry, members)
        (seconds, micros), ends = pipe.execute()
    local_now, server_now = time.monotonic(), seconds + micros / 1e6
    renewed = []
    for member, end in zip(members, ends, strict=True):
        if end is not None and end > server_now:
            deadlines[member] = local_now + (end - server_now) + _CLOCK_MARGIN
            renewed.append(deadlines[member])
    return renewed


_memory: PointerMemory | None = None
_memory_lock = threading.Lock()


def active_memory() -> PointerMemory | None:
    """This process's pointer memory, listening; ``None`` when leases are off or there is no Redis."""
    global _memory
    lease = lease_seconds()
    if lease <= 0 or not settings.REDIS_URL:
        return None
    memory = _memory
    if memory is None or memory.lease != lease or memory._pid != os.getpid():
        with _memory_lock:
            if _memory is None or _memory.lease != lease:
                _memory = PointerMemory(lease)
            memory = _memory
            memory.start()
    return memory
