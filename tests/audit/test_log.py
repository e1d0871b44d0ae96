"""The review log: the sealer's order and its rule about open transactions, the stored tree against
the reference tree, proofs, signed checkpoints and the old chain's place at the start."""

from __future__ import annotations

import base64
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import entries, log, merkle
from audit.log import CheckpointText, seal
from audit.models import AuditEvent, Checkpoint, LogLeaf, LogNode
from audit.tasks import seal_log as seal_task
from audit.trail import record
from audit.verify import verify
from core import log_key
from core.signed_note import open_note
from tests.factories import seal_log

pytestmark = pytest.mark.django_db


def write(n: int, **payload) -> list[AuditEvent]:
    return [record("test.concurrent", target_type="t", target_id=str(i), payload=payload) for i in range(n)]


def leaves_in_order() -> list[bytes]:
    return [bytes(h) for h in LogLeaf.objects.order_by("index").values_list("hash", flat=True)]


def test_a_seal_appends_every_event_in_order_and_signs_a_checkpoint_of_the_reference_root():
    events = write(5)
    done = seal_log()

    assert done.size == 5 and done.added == 5
    assert list(LogLeaf.objects.order_by("index").values_list("event_id", flat=True)) == [
        e.pk for e in events
    ]
    reference = merkle.MemoryTree([bytes.fromhex(e.leaf_hash) for e in events])
    checkpoint = Checkpoint.objects.get()
    assert bytes(checkpoint.root_hash) == reference.root()
    body = CheckpointText.parse(open_note(checkpoint.note, log_key.verifier()))
    assert (body.origin, body.size, body.root) == (log_key.origin(), 5, reference.root())
    assert body.time.year >= 2026


def test_a_seal_with_nothing_new_writes_no_checkpoint():
    write(2)
    seal_log()
    again = seal()
    assert again is not None and again.added == 0 and again.checkpoint is None
    assert Checkpoint.objects.count() == 1


def test_the_checkpoint_text_is_the_c2sp_checkpoint_with_rekor_s_timestamp_line():
    write(1)
    seal_log()
    text = open_note(Checkpoint.objects.get().note, log_key.verifier())
    origin, size, root, timestamp, end = text.split("\n")
    assert (origin, size, end) == (log_key.origin(), "1", "")
    assert base64.b64decode(root) == bytes(LogLeaf.objects.get().hash)
    assert timestamp.startswith("Timestamp: ") and timestamp[11:].isdigit()


@settings(max_examples=15, deadline=None)
@given(batches=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=6))
def test_the_stored_tree_gives_the_reference_tree_s_roots_and_proofs_at_every_size(batches):
    # One transaction per example (Hypothesis reruns the body inside the test's transaction).
    with transaction.atomic():
        sizes = []
        for batch in batches:
            write(batch)
            sizes.append(seal_log().size)
        reference = merkle.MemoryTree(leaves_in_order())
        assert sizes[-1] == len(reference.leaves)
        for size in sizes:
            root = log.root_at(size)
            assert root == reference.root(size)
            for index in {0, size // 2, size - 1}:
                proof = log.inclusion_proof(index, size)
                assert proof == reference.inclusion_proof(index, size)
                merkle.verify_inclusion(index, size, reference.leaves[index], proof, root)
            for old in sizes:
                if old <= size:
                    proof = log.consistency_proof(old, size)
                    assert proof == reference.consistency_proof(old, size)
                    merkle.verify_consistency(old, size, log.root_at(old), root, proof)
        # Only complete subtrees are stored, each once.
        final = sizes[-1]
        for level, index in LogNode.objects.values_list("level", "index"):
            assert (index + 1) << level <= final
        assert verify().ok
        transaction.set_rollback(True)


def test_a_proof_carries_the_entry_that_hashes_to_its_leaf_and_verifies_against_the_checkpoint():
    events = write(6, note="x")
    seal_log()
    proofs = log.prove([events[3]])
    proof = proofs[events[3].pk]
    checkpoint = CheckpointText.parse(open_note(proof.checkpoint, log_key.verifier()))
    leaf = entries.entry_leaf_hash(proof.entry)
    merkle.verify_inclusion(proof.leaf_index, proof.tree_size, leaf, proof.inclusion_proof, checkpoint.root)
    assert proof.entry["id"] == events[3].seq and proof.entry["payload"] == {"note": "x"}


def test_an_event_not_sealed_yet_has_no_proof():
    write(1)
    seal_log()
    later = write(1)[0]
    assert log.prove([later]) == {}


# --- the old hash chain goes first --------------------------------------------------------------


def write_old_chain(n: int) -> list[AuditEvent]:
    """Events as the old chain wrote them (before the log): linked, no leaf hash of their own."""
    previous, events = entries.GENESIS_HASH, []
    for seq in range(1, n + 1):
        event = AuditEvent(
            id=seq,
            seq=seq,
            created_at=timezone.now(),
            actor_label="system",
            action="custom.note",
            target_type="t",
            target_id=str(seq),
            payload={"n": seq},
            ip_address="192.0.2.1",
            user_agent="old",
            prev_hash=previous,
        )
        fields = {c: getattr(event, c) for c in entries.COLUMNS if c not in ("hash", "leaf_hash")}
        fields["hash"] = fields["leaf_hash"] = ""
        event.hash = entries.chain_hash(fields)
        event.save(force_insert=True)
        previous = event.hash
        events.append(event)
    with connection.cursor() as cursor:
        # What the upgrade's migration does: new numbers continue after the old chain's.
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [n])
    return events


def test_the_old_chain_is_sealed_first_in_chain_order_then_new_events():
    old = write_old_chain(4)
    new = write(3)
    seal_log()
    sealed = list(LogLeaf.objects.order_by("index").values_list("event_id", flat=True))
    assert sealed == [e.pk for e in old] + [e.pk for e in new]
    first = log.prove([old[0]])[old[0].pk].entry
    assert first["v"] == 1 and first["id"] == 1
    assert "192.0.2.1" not in str(first)  # its request is a digest, salted with the secret chain hash
    report = verify()
    assert report.ok, report.problem
    assert report.events == 4 and report.entries == 7


# --- the rule about open transactions (PostgreSQL) ----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sealer_never_seals_past_a_transaction_still_open():
    """A writer holds its transaction open across a seal: neither its event nor any event of a
    later transaction is sealed until it commits; then all are, the held one first."""
    wrote, release, finished = threading.Event(), threading.Event(), threading.Event()
    held: list[AuditEvent] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                held.append(record("test.concurrent", target_type="slow", target_id="1"))
                wrote.set()
                release.wait(timeout=30)
        finally:
            connection.close()
            finished.set()

    before = write(1)[0]  # committed before the slow writer starts: sealable
    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert wrote.wait(timeout=10)
    after = write(1)[0]  # committed while the slow writer is open: its transaction id is higher

    try:
        # Other transactions on the server (another test run) may hold the horizon back for a
        # moment; the event committed before the slow writer is sealed as soon as they end.
        deadline = time.monotonic() + 60
        while not LogLeaf.objects.filter(event=before).exists() and time.monotonic() < deadline:
            seal()
            time.sleep(0.05)
        sealed = set(LogLeaf.objects.values_list("event_id", flat=True))
        assert sealed == {before.pk}
        seal()
        assert set(LogLeaf.objects.values_list("event_id", flat=True)) == {before.pk}
    finally:
        release.set()
        thread.join(timeout=30)
    assert finished.is_set()

    seal_log()
    order = list(LogLeaf.objects.order_by("index").values_list("event_id", flat=True))
    assert order == [before.pk, held[0].pk, after.pk]
    assert verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_never_write_the_same_position():
    write(30)
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = seal()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    seal_log()
    assert list(LogLeaf.objects.order_by("index").values_list("index", flat=True)) == list(range(30))
    assert verify().ok


def test_the_beat_task_seals_and_returns_the_log_size():
    write(3)
    deadline = time.monotonic() + 60
    size = seal_task.apply().get()
    while size < 3 and time.monotonic() < deadline:  # another server transaction may hold it back
        time.sleep(0.05)
        size = seal_task.apply().get()
    assert size == 3 == LogLeaf.objects.count()
