"""The review log: an append-only Merkle tree (RFC 6962) over the audit trail, sealed and signed.

Writers never touch the tree: each event is written with its own leaf hash (``audit.trail``).
The sealer, one at a time, appends committed events to the tree in a fixed order, stores every
complete subtree's hash (``LogNode``), and signs a checkpoint of the new size and root. Proofs are
then read from the stored nodes: at most two per level, one query.

**The order, and why the sealer never seals past an event that may still commit.** An event's
place in the log is decided by ``(xact, seq)``: the id of the transaction that wrote it, then its
number. On PostgreSQL every writer is in a transaction with an id, and the snapshot of the
sealer's query knows ``xmin``, the oldest transaction id still running: every transaction below
it has finished, so every event it wrote is visible now or never will be. The sealer takes only
events with ``xact < xmin``, in ``(xact, seq)`` order. Any event that commits later was written
by a transaction at or above that ``xmin``, so it sorts after everything sealed: the sealed log
is always a prefix of the order, no event is ever skipped, and no position is ever reused.
(Ordering by ``seq`` alone would not do: numbers are drawn when the row is written, and a
transaction that drew 41 may commit after one that drew 42.) SQLite runs one writing
transaction at a time and the sealer is one of them, so everything it sees is committed and
numbers are drawn in commit order: there ``xact`` is 0 and the order is ``seq``.

Events of the old hash chain have ``xact`` 0 too, so they come first, in chain order.

Exactly one sealer runs at a time: on PostgreSQL under a transaction-level advisory lock (a
second one returns at once), on SQLite under the write lock every transaction takes.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core import log_key
from core.signed_note import sign_note

from . import entries, merkle
from .checkpoints import CheckpointText
from .merkle import Hash
from .models import AuditEvent, Checkpoint, LogLeaf, LogNode

log = logging.getLogger(__name__)

# Any constant unlikely to be used by another advisory lock in the same database.
SEALER_LOCK_KEY = 0x7665_7474_6564_6C67  # "vettedlg"
BATCH = 5000


class LogError(RuntimeError):
    """The log cannot be extended as asked: says what does not fit."""


# --- the tree's shape --------------------------------------------------------------------------


def perfect_ranges(start: int, end: int) -> Iterator[tuple[int, int]]:
    """The complete subtrees (level, index) whose hashes make up the hash of leaves [start, end).

    RFC 6962 splits a range at the largest power of two below its size, so a range that is not
    itself a complete subtree breaks into complete ones (only the tree's right edge is ragged).
    """
    size = end - start
    if size <= 0:
        return
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        yield level, start >> level
        return
    k = merkle.split_point(size)
    yield from perfect_ranges(start, start + k)
    yield from perfect_ranges(start + k, end)


def frontier_ranges(size: int) -> list[tuple[int, int]]:
    """The complete subtrees covering leaves [0, size), largest first (one per bit of ``size``)."""
    ranges = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            ranges.append((level, start >> level))
            start += 1 << level
    return ranges


def fold(frontier: Sequence[Hash]) -> Hash:
    """The root hash from the frontier's subtree hashes (largest first)."""
    if not frontier:
        return merkle.EMPTY_ROOT
    root = frontier[-1]
    for left in reversed(frontier[:-1]):
        root = merkle.node_hash(left, root)
    return root


class Appender:
    """Adds leaves to a tree known only by its frontier; collects the subtrees each completes."""

    def __init__(self, size: int, frontier: Sequence[Hash]) -> None:
        self.size = size
        # (level, hash) of each frontier subtree, largest first.
        self.stack: list[tuple[int, Hash]] = [
            (level, h) for (level, _), h in zip(frontier_ranges(size), frontier, strict=True)
        ]
        self.completed: list[tuple[int, int, Hash]] = []  # (level, index, hash), level >= 1

    def append(self, leaf: Hash) -> None:
        position = self.size
        self.size += 1
        self.stack.append((0, leaf))
        while len(self.stack) >= 2 and self.stack[-1][0] == self.stack[-2][0]:
            (level, right), (_, left) = self.stack.pop(), self.stack.pop()
            merged = merkle.node_hash(left, right)
            self.stack.append((level + 1, merged))
            self.completed.append((level + 1, position >> (level + 1), merged))

    def root(self) -> Hash:
        return fold([h for _, h in self.stack])


# --- reading the stored tree ---------------------------------------------------------------------


def stored_hashes(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Hash]:
    """The stored hashes of these complete subtrees (level 0: leaves), in two queries at most."""
    wanted = set(keys)
    leaves = [index for level, index in wanted if level == 0]
    nodes = [(level, index) for level, index in wanted if level > 0]
    found: dict[tuple[int, int], Hash] = {}
    if leaves:
        for index, digest in LogLeaf.objects.filter(index__in=leaves).values_list("index", "hash"):
            found[0, index] = bytes(digest)
    if nodes:
        for level, index, digest in LogNode.objects.filter(pk__in=nodes).values_list(
            "level", "index", "hash"
        ):
            found[level, index] = bytes(digest)
    missing = wanted - found.keys()
    if missing:
        level, index = min(missing)
        raise LogError(f"the stored tree lacks the subtree at level {level}, index {index}")
    return found


class StoredTree:
    """``subtree_hash`` for ``audit.merkle``'s proofs, from the stored nodes.

    A proof asks for O(log n) ranges; :meth:`prefetch` reads every complete subtree they need
    in one round trip before the proof is computed.
    """

    def __init__(self) -> None:
        self.known: dict[tuple[int, int], Hash] = {}

    def prefetch(self, ranges: Iterable[tuple[int, int]]) -> None:
        keys = {key for start, end in ranges for key in perfect_ranges(start, end)} - self.known.keys()
        if keys:
            self.known.update(stored_hashes(keys))

    def subtree_hash(self, start: int, end: int) -> Hash:
        return fold([self.known[key] for key in perfect_ranges(start, end)])


class _RangeRecorder:
    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []

    def __call__(self, start: int, end: int) -> Hash:
        self.ranges.append((start, end))
        return merkle.EMPTY_ROOT


def inclusion_proof(index: int, size: int) -> list[Hash]:
    recorder = _RangeRecorder()
    merkle.inclusion_proof(index, size, recorder)
    tree = StoredTree()
    tree.prefetch(recorder.ranges)
    return merkle.inclusion_proof(index, size, tree.subtree_hash)


def consistency_proof(old_size: int, new_size: int) -> list[Hash]:
    recorder = _RangeRecorder()
    merkle.consistency_proof(old_size, new_size, recorder)
    tree = StoredTree()
    tree.prefetch(recorder.ranges)
    return merkle.consistency_proof(old_size, new_size, tree.subtree_hash)


def frontier_hashes(size: int) -> list[Hash]:
    ranges = frontier_ranges(size)
    found = stored_hashes(ranges)
    return [found[key] for key in ranges]


def root_at(size: int) -> Hash:
    return fold(frontier_hashes(size))


# --- checkpoints --------------------------------------------------------------------------------


def _write_checkpoint(size: int, root: Hash) -> Checkpoint:
    now = timezone.now()
    body = CheckpointText(log_key.origin(), size, root, int(now.timestamp() * 1_000_000) * 1000)
    return Checkpoint.objects.create(
        size=size, root_hash=root, created_at=now, note=sign_note(body.text(), log_key.signer())
    )


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def checkpoint_at(size: int) -> Checkpoint | None:
    """The checkpoint signed when the log held ``size`` entries, if one was."""
    return Checkpoint.objects.filter(size=size).first()


# --- sealing ------------------------------------------------------------------------------------


def _take_sealer_lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: this transaction already holds the database's only write lock
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEALER_LOCK_KEY])
        (taken,) = cursor.fetchone()
    return bool(taken)


# The first transaction id that may still be running. A sealer whose own transaction wrote events
# (a command or a test doing both in one transaction) may seal those too, but only while it is
# itself the oldest transaction running: then nothing can still commit before it, and its events
# commit or roll back together with their leaves.
HORIZON_SQL = """
    CASE WHEN pg_current_xact_id_if_assigned() = pg_snapshot_xmin(pg_current_snapshot())
         THEN pg_snapshot_xmin(pg_current_snapshot())::text::bigint + 1
         ELSE pg_snapshot_xmin(pg_current_snapshot())::text::bigint END
"""


def settled_events() -> QuerySet[AuditEvent]:
    """Events whose transactions have all finished: safe to seal (see the module's docstring).

    The horizon is read by the same statement as the events, so from the same snapshot. It is
    the whole server's: a long transaction in another database on it holds sealing back too
    (the seal lag shows it; PostgreSQL gives no per-database horizon to a query).
    """
    events = AuditEvent.objects.all()
    if connection.vendor == "postgresql":
        events = events.filter(xact__lt=RawSQL(HORIZON_SQL, []))
    return events


def after(key: tuple[int, int] | None) -> Q:
    """Events after this (xact, seq) in the log's order."""
    if key is None:
        return Q()
    xact, seq = key
    return Q(xact__gt=xact) | Q(xact=xact, seq__gt=seq)


def last_sealed() -> tuple[int, tuple[int, int] | None]:
    """The log's size and the (xact, seq) of its last entry."""
    last = LogLeaf.objects.order_by("-index").values_list("index", "event__xact", "event__seq").first()
    if last is None:
        return 0, None
    index, xact, seq = last
    return index + 1, (xact, seq)


@dataclass(frozen=True)
class Seal:
    size: int
    added: int
    checkpoint: Checkpoint | None


def seal(*, max_entries: int | None = None) -> Seal | None:
    """Append every settled event not yet in the log, then sign a checkpoint of the new tree.

    Returns None when another sealer holds the lock. Writes no checkpoint when nothing was
    added (the last one still stands). An event whose fields no longer match the leaf hash it
    was written with stops the seal (``LogError``): the log never commits to a changed event.
    """
    with transaction.atomic():
        if not _take_sealer_lock():
            return None
        size, key = last_sealed()
        appender = Appender(size, frontier_hashes(size))
        leaves: list[LogLeaf] = []
        while max_entries is None or len(leaves) < max_entries:
            limit = BATCH if max_entries is None else min(BATCH, max_entries - len(leaves))
            rows = list(
                settled_events()
                .filter(after(key))
                .order_by("xact", "seq")
                .values("id", "xact", *entries.COLUMNS)[:limit]
            )
            for row in rows:
                leaf = entries.leaf_hash_of(row)
                if not entries.is_chained(row) and row["leaf_hash"] != leaf.hex():
                    raise LogError(
                        f"event #{row['seq']} no longer matches the leaf hash it was written with; "
                        "it was changed after it was written and is not sealed"
                    )
                leaves.append(LogLeaf(index=appender.size, event_id=row["id"], hash=leaf))
                appender.append(leaf)
            if len(rows) < limit:
                break
            key = (rows[-1]["xact"], rows[-1]["seq"])
        if not leaves:
            return Seal(size, 0, None)
        LogLeaf.objects.bulk_create(leaves, batch_size=BATCH)
        LogNode.objects.bulk_create(
            (LogNode(level=level, index=index, hash=h) for level, index, h in appender.completed),
            batch_size=BATCH,
        )
        checkpoint = _write_checkpoint(appender.size, appender.root())
    log.info("Sealed %d audit event(s) into the review log: %d entries.", len(leaves), appender.size)
    return Seal(appender.size, len(leaves), checkpoint)


def seal_all(*, per_checkpoint: int = 100_000) -> Iterator[Seal]:
    """Seal until nothing settled is left, one checkpoint per ``per_checkpoint`` entries."""
    while True:
        done = seal(max_entries=per_checkpoint)
        if done is None:
            raise LogError("another sealer is running; try again when it has finished")
        if done.added:
            yield done
        if done.added < per_checkpoint:
            return


# --- proving an event ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    """What a reader needs to check one event is in the log: its entry, position and path."""

    entry: dict[str, Any]
    leaf_index: int
    tree_size: int
    inclusion_proof: list[Hash]
    checkpoint: str

    def as_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "inclusion_proof": [base64.b64encode(h).decode() for h in self.inclusion_proof],
            "checkpoint": self.checkpoint,
        }


def prove(events: Sequence[AuditEvent]) -> dict[int, Proof]:
    """Proofs, against the latest checkpoint, for those of ``events`` already sealed (by id)."""
    checkpoint = latest_checkpoint()
    if checkpoint is None or not events:
        return {}
    rows = LogLeaf.objects.filter(event__in=[e.pk for e in events], index__lt=checkpoint.size).values(
        "index", "event_id", *(f"event__{c}" for c in entries.COLUMNS)
    )
    proofs = {}
    for row in rows:
        fields = {c: row[f"event__{c}"] for c in entries.COLUMNS}
        proofs[row["event_id"]] = Proof(
            entry=entries.entry(fields),
            leaf_index=row["index"],
            tree_size=checkpoint.size,
            inclusion_proof=inclusion_proof(row["index"], checkpoint.size),
            checkpoint=checkpoint.note,
        )
    return proofs
