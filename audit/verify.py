"""Checking the audit trail and its review log: in full, or from the last verified checkpoint.

The full check re-reads everything: the old hash chain link by link, every entry's leaf hash
from the event's fields, the order of the log, every stored subtree, and every checkpoint's root
and signature. The incremental check starts from the tree verified last time (its root, held
against that size's signed checkpoint), proves each newer checkpoint consistent with it, and
re-hashes only the entries added since. Both name the first entry, node or checkpoint that does
not fit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import log_key
from core.signed_note import NoteError, Verifier, open_note

from . import entries, merkle
from .checkpoints import CheckpointText
from .log import (
    Appender,
    LogError,
    after,
    consistency_proof,
    frontier_hashes,
)
from .models import AuditChainHead, AuditEvent, Checkpoint, LogLeaf, LogNode, VerifiedTree

CHUNK = 5000


@dataclass
class Report:
    """What was checked, and the first thing that did not fit (``problem`` empty: all fine)."""

    events: int = 0
    entries: int = 0
    checkpoints: int = 0
    unsealed: int = 0
    since: int = 0  # the log size the check started from (0: the first entry)
    problem: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def checked(self) -> int:
        """Events checked: those in the log (old chain events included) and those not sealed yet."""
        return self.entries + self.unsealed


class Broken(Exception):
    """The first thing found not to fit: stops the check."""


def _event_name(row: dict[str, Any]) -> str:
    return f"event #{row['seq']} (id {row['id']}, {row['action']})"


# --- the old hash chain -------------------------------------------------------------------------


def check_old_chain(report: Report) -> None:
    """The events written before the log: each links to the one before and matches its hash.

    The chain head, read first, catches events removed from the chain's end.
    """
    head = AuditChainHead.objects.filter(pk=1).values("last_seq", "last_hash").first()
    head_seq, head_hash = (head["last_seq"], head["last_hash"]) if head else (0, "")
    expected_prev, expected_seq = entries.GENESIS_HASH, 1
    rows = (
        AuditEvent.objects.filter(prev_hash__isnull=False)
        .order_by("seq")
        .values("id", *entries.COLUMNS)
        .iterator(chunk_size=CHUNK)
    )
    for row in rows:
        name = _event_name(row)
        if row["seq"] != expected_seq:
            raise Broken(f"{name}: expected chain position {expected_seq}, found {row['seq']}")
        if row["prev_hash"] != expected_prev:
            raise Broken(f"{name}: its link to the previous event does not match")
        if entries.chain_hash(row) != row["hash"]:
            raise Broken(f"{name}: its content does not match its chain hash")
        if row["seq"] == head_seq and row["hash"] != head_hash:
            raise Broken(f"{name}: it is not the event the chain head recorded at this position")
        expected_prev, expected_seq = row["hash"], expected_seq + 1
        report.events += 1
    if expected_seq - 1 < head_seq:
        raise Broken(
            f"the old chain head records {head_seq} events but the chain ends at {expected_seq - 1}; "
            "later ones are missing"
        )


# --- the log ------------------------------------------------------------------------------------


def _checkpoints(since: int, verifier: Verifier) -> Iterator[tuple[Checkpoint, CheckpointText]]:
    for checkpoint in Checkpoint.objects.filter(size__gt=since).order_by("size"):
        name = f"the checkpoint at size {checkpoint.size}"
        try:
            body = CheckpointText.parse(open_note(checkpoint.note, verifier))
        except (NoteError, ValueError) as error:
            raise Broken(f"{name}: {error}") from None
        if body.size != checkpoint.size or body.root != bytes(checkpoint.root_hash):
            raise Broken(f"{name}: its signed text states another size or root than its row")
        yield checkpoint, body


def _leaf_rows(since: int) -> Iterator[dict[str, Any]]:
    names = (*entries.COLUMNS, "id", "xact")
    rows = (
        LogLeaf.objects.filter(index__gte=since)
        .order_by("index")
        .values_list("index", "hash", *(f"event__{name}" for name in names))
        .iterator(chunk_size=CHUNK)
    )
    for index, digest, *fields in rows:
        event = dict(zip(names, fields, strict=True))
        event["index"], event["leaf"] = index, bytes(digest)
        yield event


def _check_nodes(completed: list[tuple[int, int, bytes]]) -> None:
    """The stored subtrees match the ones recomputed from the entries.

    Read by index range, level by level: the subtrees completed by consecutive entries are
    consecutive at each level, and a range scan of the primary key reads thousands of them in
    the time a list of (level, index) pairs takes to plan.
    """
    by_level: dict[int, dict[int, bytes]] = defaultdict(dict)
    for level, index, digest in completed:
        by_level[level][index] = digest
    for level, recomputed in sorted(by_level.items()):
        stored = dict(
            LogNode.objects.filter(
                level=level, index__gte=min(recomputed), index__lte=max(recomputed)
            ).values_list("index", "hash")
        )
        for index, digest in sorted(recomputed.items()):
            found = stored.get(index)
            first, last = index << level, ((index + 1) << level) - 1
            if found is None:
                raise Broken(f"the stored tree lacks the subtree over entries {first} to {last}")
            if bytes(found) != digest:
                raise Broken(
                    f"the stored subtree over entries {first} to {last} does not match those entries"
                )


def _check_nothing_beyond(size: int) -> None:
    """No stored subtree lies past the last entry (a tree truncated below its nodes).

    One primary-key probe per level: the same condition as one query OR-ed over the levels reads
    the whole table (0.8 s at 1.5 M entries), which would be most of an incremental check.
    """
    top = size.bit_length()
    # Lowest level first, as reading the table in key order would find them.
    beyond = [LogNode.objects.filter(level=level, index__gte=size >> level) for level in range(1, top + 1)]
    beyond.append(LogNode.objects.filter(level__gt=top))
    for nodes in beyond:
        extra = nodes.values_list("level", flat=True).first()
        if extra is not None:
            raise Broken(f"the stored tree has a subtree (level {extra}) beyond its last entry")


def check_log(report: Report, *, since: int, since_root: bytes | None) -> tuple[int, bytes]:
    """Re-hash the entries from ``since`` on and hold them against the stored tree and checkpoints.

    Returns the size and root of the last checkpoint checked.
    """
    verifier = log_key.verifier()
    try:
        appender = Appender(since, frontier_hashes(since))
    except LogError as error:
        raise Broken(f"the tree verified at size {since}: {error}") from None
    if since_root is not None and appender.root() != since_root:
        raise Broken(f"the stored tree at size {since} is not the one verified then (its root differs)")
    checkpoints = _checkpoints(since, verifier)
    pending = next(checkpoints, None)
    previous_key: tuple[int, int] | None = None
    last_size, last_root = since, appender.root()
    if since:
        last = LogLeaf.objects.filter(index=since - 1).values_list("event__xact", "event__seq").first()
        previous_key = tuple(last) if last else None  # type: ignore[assignment]
    for row in _leaf_rows(since):
        name = f"entry {row['index']} ({_event_name(row)})"
        if row["index"] != appender.size:
            raise Broken(f"entry {appender.size} is missing from the log (the next one is {row['index']})")
        key = (row["xact"], row["seq"])
        if previous_key is not None and key <= previous_key:
            raise Broken(
                f"{name}: it is out of the log's order (it should come before the entry ahead of it)"
            )
        previous_key = key
        leaf = entries.leaf_hash_of(row)
        if leaf != row["leaf"]:
            raise Broken(f"{name}: the event no longer matches its entry in the log")
        if not entries.is_chained(row) and row["leaf_hash"] != leaf.hex():
            raise Broken(f"{name}: the event no longer matches the leaf hash it was written with")
        appender.append(leaf)
        report.entries += 1
        if len(appender.completed) >= CHUNK:
            _check_nodes(appender.completed)
            appender.completed.clear()
        while pending is not None and pending[0].size == appender.size:
            if appender.root() != pending[1].root:
                raise Broken(
                    f"the checkpoint at size {appender.size}: its root is not the root of the entries"
                )
            last_size, last_root = appender.size, appender.root()
            report.checkpoints += 1
            pending = next(checkpoints, None)
    _check_nodes(appender.completed)
    if pending is not None:
        raise Broken(
            f"the checkpoint at size {pending[0].size}: the log holds only {appender.size} entries; "
            "entries it covered are missing"
        )
    if appender.size > last_size:
        raise Broken(
            f"entries {last_size} to {appender.size - 1} are in the log but no signed checkpoint covers them"
        )
    _check_nothing_beyond(appender.size)
    if since and last_size > since and since_root is not None:
        # The incremental check's anchor: each newer checkpoint extends the tree verified before.
        proof = consistency_proof(since, last_size)
        try:
            merkle.verify_consistency(since, last_size, since_root, last_root, proof)
        except merkle.ProofError as error:
            raise Broken(
                f"the checkpoint at size {last_size} does not extend the one verified before: {error}"
            ) from None
    return last_size, last_root


def _key_of(index: int) -> tuple[int, int] | None:
    if index < 0:
        return None
    found = LogLeaf.objects.filter(index=index).values_list("event__xact", "event__seq").first()
    return (found[0], found[1]) if found else None


def check_events(report: Report, *, since: int, sealed: int) -> None:
    """No event is missing from the log among those sealed since ``since``, and each event not
    sealed yet still matches the leaf hash it was written with."""
    first_key, last_key = _key_of(since - 1), _key_of(sealed - 1)
    if last_key is not None:
        in_range = AuditEvent.objects.filter(after(first_key)).exclude(after(last_key))
        if in_range.count() != sealed - since:
            skipped = (
                in_range.filter(leaf__isnull=True).order_by("xact", "seq").values("id", *entries.COLUMNS)
            )
            first = skipped.first()
            what = _event_name(first) if first else "an event"
            raise Broken(f"{what}: it is missing from the log, which holds later events")
    rows = AuditEvent.objects.filter(after(last_key)).order_by("xact", "seq").values("id", *entries.COLUMNS)
    for row in rows.iterator(chunk_size=CHUNK):
        if not entries.is_chained(row) and entries.leaf_hash_of(row).hex() != row["leaf_hash"]:
            raise Broken(f"{_event_name(row)}: it no longer matches the leaf hash it was written with")
        report.unsealed += 1


def verify(*, full: bool = True, remember: bool = False) -> Report:
    """Check the trail and the log; with ``remember``, record the tree checked for next time."""
    report = Report()
    start_size, start_root = 0, None
    if not full:
        anchor = VerifiedTree.objects.order_by("-size", "-pk").first()
        if anchor is not None:
            start_size, start_root = anchor.size, bytes(anchor.root_hash)
            report.notes.append(f"continuing from the tree verified at {anchor.size} entries")
    report.since = start_size
    try:
        # Read in one transaction: each query's rows then stream from the server as they are
        # checked. Outside one, chunked reads declare WITH HOLD cursors, which copy the whole
        # result before the first row comes back (most of a full check's time at 1.5 M events).
        # Reading writes nothing, so the transaction holds no sealer back (audit.log).
        with transaction.atomic():
            if full:
                check_old_chain(report)
            size, root = check_log(report, since=start_size, since_root=start_root)
            check_events(report, since=start_size, sealed=start_size + report.entries)
    except Broken as broken:
        report.problem = str(broken)
        return report
    if remember and size > start_size:
        VerifiedTree.objects.create(size=size, root_hash=root, verified_at=timezone.now(), full=full)
    return report
