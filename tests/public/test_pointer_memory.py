"""A web process remembers article pointers between publishes, and a publish returns only once
no process can still answer with the old one (public/pointer_memory.py).

The Redis tests run real listener threads, and a real second OS process
(tests/public/pointer_process.py), against the configured Redis.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from public import pointer_memory
from public.pointer_memory import PointerMemory, announce

ROOT = Path(__file__).resolve().parents[2]


def with_lease(memory: PointerMemory) -> PointerMemory:
    # The pure tests grant a lease by hand; the listener does it for real in the Redis tests.
    memory._lease_until = time.monotonic() + 60
    return memory


# --- the memory itself --------------------------------------------------------------------------


def test_without_a_lease_nothing_is_kept_or_answered():
    memory = PointerMemory(3)
    memory.remember(memory.begin_read(), {"k": 1})
    assert memory.recall(["k"]) is None
    assert len(memory) == 0


def test_with_a_lease_a_value_is_answered_from_memory():
    memory = with_lease(PointerMemory(3))
    memory.remember(memory.begin_read(), {"k": 1, "switch": 0})
    assert memory.recall(["k", "switch"]) == {"k": 1, "switch": 0}
    assert memory.recall(["k", "missing"]) is None  # all or nothing


def test_a_read_that_raced_an_invalidation_is_not_kept():
    memory = with_lease(PointerMemory(3))
    token = memory.begin_read()  # a request starts reading the pointer from Redis...
    memory.forget(["k"])  # ...a publish's invalidation arrives meanwhile...
    memory.remember(token, {"k": "old"})  # ...and what it read may be the old pointer
    assert memory.recall(["k"]) is None


def test_a_lease_that_ends_stops_the_answers():
    memory = with_lease(PointerMemory(3))
    memory.remember(memory.begin_read(), {"k": 1})
    memory._lease_until = time.monotonic() - 0.001
    assert memory.recall(["k"]) is None


def test_values_are_read_again_after_max_age():
    memory = with_lease(PointerMemory(3, max_age=0.05))
    memory.remember(memory.begin_read(), {"k": 1})
    assert memory.recall(["k"]) == {"k": 1}
    time.sleep(0.08)
    assert memory.recall(["k"]) is None


def test_the_least_recently_used_values_go_first_beyond_capacity():
    memory = with_lease(PointerMemory(3, capacity=2))
    memory.remember(memory.begin_read(), {"a": 1, "b": 2})
    memory.recall(["a"])
    memory.remember(memory.begin_read(), {"c": 3})
    assert memory.recall(["b"]) is None
    assert memory.recall(["a", "c"]) == {"a": 1, "c": 3}


def test_announce_does_nothing_when_leases_are_off(settings, monkeypatch):
    settings.VETTED = {**settings.VETTED, "POINTER_LEASE_SECONDS": 0}
    monkeypatch.setattr(pointer_memory, "redis_client", lambda: pytest.fail("asked Redis"))
    announce(["k"])
    assert pointer_memory.active_memory() is None


# --- with Redis: the listener, the lease, the acknowledgements ---------------------------------------

LEASE = 0.9


@pytest.fixture
def leases(settings):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL)")
    settings.VETTED = {**settings.VETTED, "POINTER_LEASE_SECONDS": LEASE}
    started: list[PointerMemory] = []

    def start() -> PointerMemory:
        memory = PointerMemory(LEASE)
        memory.start()
        started.append(memory)
        assert memory.wait_for_lease(5), "no lease within 5 s"
        return memory

    yield start
    for memory in started:
        memory.stop()


def registry() -> dict[str, float]:
    _channel, name, _acks = pointer_memory._names()
    return {
        member.decode(): ends
        for member, ends in pointer_memory.redis_client().zrange(name, 0, -1, withscores=True)
    }


@pytest.mark.redis
def test_the_listener_renews_its_lease_and_registers_when_it_ends(leases):
    memory = leases()
    time.sleep(LEASE * 2)  # longer than one lease: it was renewed
    assert memory.has_lease
    seconds, micros = pointer_memory.redis_client().time()
    assert registry()[memory.worker_id] > seconds + micros / 1e6


@pytest.mark.redis
def test_a_process_that_stops_leaves_the_registry_and_its_memory(leases):
    memory = leases()
    memory.remember(memory.begin_read(), {"k": 1})
    memory.stop()
    assert memory.worker_id not in registry()
    assert memory.recall(["k"]) is None and len(memory) == 0


@pytest.mark.redis
def test_announce_returns_once_every_process_has_forgotten_the_key(leases):
    first, second = leases(), leases()
    for memory in (first, second):
        memory.remember(memory.begin_read(), {"k": "old", "other": 1})

    started = time.monotonic()
    announce(["k"])

    assert time.monotonic() - started < LEASE / 2  # acknowledged, not waited out
    for memory in (first, second):
        assert memory.recall(["k"]) is None
        assert memory.recall(["other"]) == {"other": 1}  # only what changed is forgotten


@pytest.mark.redis
def test_a_lost_connection_ends_the_lease_and_empties_the_memory_until_it_is_back(leases):
    memory = leases()
    memory.remember(memory.begin_read(), {"k": 1})
    pointer_memory.redis_client().client_kill_filter(_type="pubsub")
    deadline = time.monotonic() + 5
    while len(memory) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert memory.recall(["k"]) is None
    assert memory.wait_for_lease(5)  # reconnected and registered again


@pytest.mark.redis
def test_after_the_registry_is_flushed_announce_still_waits_for_every_subscriber(leases):
    memory = leases()
    memory.remember(memory.begin_read(), {"k": 1})
    cache.clear()  # FLUSHDB: the registry is gone until the next renewal
    assert memory.worker_id not in registry()
    announce(["k"])
    assert memory.recall(["k"]) is None


# --- with Redis and a second OS process -----------------------------------------------------------


class OtherProcess:
    def __init__(self, lease: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.public.pointer_process", str(lease)],
            cwd=ROOT,
            env={**os.environ},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        hello = self.answer()
        assert hello["ready"], hello
        self.worker_id = hello["worker"]

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        assert line, "the other process exited"
        return json.loads(line)

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.answer()

    def close(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def other_process(leases):
    started: list[OtherProcess] = []

    def start() -> OtherProcess:
        started.append(OtherProcess(LEASE))
        return started[-1]

    yield start
    for process in started:
        process.close()


@pytest.mark.redis
def test_another_process_has_forgotten_the_key_when_announce_returns(other_process):
    other = other_process()
    other.ask("remember k old")
    assert other.ask("recall k") == {"value": "old"}

    started = time.monotonic()
    announce(["k"])

    assert time.monotonic() - started < LEASE / 2
    assert other.ask("recall k") == {"value": None}


@pytest.mark.redis
def test_a_process_that_cannot_answer_is_waited_out_for_at_most_its_lease(other_process):
    other = other_process()
    other.ask("remember k old")
    seconds, micros = pointer_memory.redis_client().time()
    lease_left = registry()[other.worker_id] - (seconds + micros / 1e6)
    other.process.send_signal(signal.SIGSTOP)  # alive, subscribed, and silent

    started = time.monotonic()
    announce(["k"])
    waited = time.monotonic() - started

    # Waited until its lease (as registered) ended, and not much longer.
    assert lease_left - 0.05 <= waited <= LEASE + 0.5
    other.process.send_signal(signal.SIGCONT)
    # Once running again, its lease has ended (or it has read the invalidation): it does not
    # answer with the old value.
    assert other.ask("recall k") == {"value": None}


@pytest.mark.redis
def test_a_lease_that_lapsed_restarts_from_an_empty_memory_when_renewed(leases):
    # A publisher may have stopped waiting for this process while its lease had lapsed, with the
    # invalidation still unread: the renewal must not bring old values back to life.
    leases()  # the registry and the settings, with a listener of its own
    memory = with_lease(PointerMemory(LEASE))
    memory.worker_id = "lapsed-test-process"
    memory.remember(memory.begin_read(), {"k": "old"})
    client, (_channel, name, _acks) = pointer_memory.redis_client(), pointer_memory._names()
    try:
        memory._renew(client, name, sent_at=time.monotonic())  # in time: kept (it is registered now)
        memory.remember(memory.begin_read(), {"k": "old"})
        memory._renew(client, name, sent_at=time.monotonic())
        assert memory.recall(["k"]) == {"k": "old"}

        memory._lease_until = time.monotonic() - 0.001  # lapsed, then renewed
        memory._renew(client, name, sent_at=time.monotonic())
        assert memory.has_lease
        assert memory.recall(["k"]) is None
    finally:
        client.zrem(name, memory.worker_id)


@pytest.mark.redis
def test_announce_reads_a_silent_process_lease_again_before_giving_up(leases):
    # A silent process renewed once after the publish (its PING was already on its way): the
    # publisher must wait for the new end, not the one it read first.
    import threading

    leases()
    client, (_channel, name, _acks) = pointer_memory.redis_client(), pointer_memory._names()

    def server_now() -> float:
        seconds, micros = client.time()
        return seconds + micros / 1e6

    client.zadd(name, {"renewing-process": server_now() + 0.3})
    renewed = threading.Timer(0.2, lambda: client.zadd(name, {"renewing-process": server_now() + 0.5}))
    try:
        renewed.start()
        started = time.monotonic()
        announce(["k"])
        waited = time.monotonic() - started
    finally:
        renewed.cancel()
        client.zrem(name, "renewing-process")
    assert 0.65 <= waited <= 1.2
