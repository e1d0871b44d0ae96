"""What the review log holds for each audit event: its entry, and the entry's leaf hash.

An entry is the event as canonical JSON (keys sorted, no spaces, UTF-8), so anyone can recompute
its hash from the JSON a proof carries. Two shapes:

- **v2**, every event written since the log: its own fields, nothing about any other event (that
  is what lets writers append without waiting for each other);
- **v1**, the events of the hash chain that came before the log: the same fields plus the chain
  position (``seq``), so the first checkpoint commits to the whole old chain as it was.

Where a request came from (IP address, browser) is on the trail but not for the public: an entry
carries only ``request``, the SHA-256 of a per-event secret salt and those two values, so a proof
can be published without them and the trail still commits to them. (Events of the old chain have
no salt of their own; their chain hash, which is never published, serves as one.)

No Django imports: the standalone verifier hashes entries with this module.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .merkle import Hash, leaf_hash

# The columns an entry is made from, in the order ``values_list`` returns them to the sealer and
# the verifier (they read these, not whole model instances, to hash a million rows quickly).
COLUMNS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "article_id",
    "state_before",
    "state_after",
    "payload",
    "ip_address",
    "user_agent",
    "request_salt",
    "prev_hash",
    "hash",
    "leaf_hash",
)

GENESIS_HASH = "0" * 64


# One encoder for every call: ``json.dumps`` with these options builds a new one each time, which
# is a good part of the cost of hashing an entry (the verifier hashes a million of them).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: object) -> bytes:
    return _CANONICAL.encode(value).encode("utf-8")


def _timestamp(value: datetime.datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def chain_hash(row: Mapping[str, Any]) -> str:
    """The old chain's hash of an event (v1): all its fields and the hash of the one before."""
    fields = {
        "seq": row["seq"],
        "created_at": _timestamp(row["created_at"]),
        "actor_id": row["actor_id"],
        "actor_label": row["actor_label"],
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "article_id": row["article_id"],
        "state_before": row["state_before"],
        "state_after": row["state_after"],
        "payload": row["payload"],
        "ip_address": row["ip_address"],
        "user_agent": row["user_agent"],
        "prev_hash": row["prev_hash"],
    }
    return hashlib.sha256(canonical(fields)).hexdigest()


def is_chained(row: Mapping[str, Any]) -> bool:
    """Written by the old hash chain (v1), before the log."""
    return bool(row["prev_hash"])


def request_digest(salt: str, ip_address: str | None, user_agent: str) -> str:
    return hashlib.sha256(salt.encode() + b"\n" + canonical([ip_address, user_agent])).hexdigest()


def entry(row: Mapping[str, Any]) -> dict[str, Any]:
    """The event as the log holds it: what a proof shows and its leaf hash covers."""
    chained = is_chained(row)
    salt = row["hash"] if chained else row["request_salt"]
    fields: dict[str, Any] = {
        "v": 1 if chained else 2,
        "id": row["seq"],
        "created_at": _timestamp(row["created_at"]),
        "actor_id": row["actor_id"],
        "actor_label": row["actor_label"],
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "article_id": row["article_id"],
        "state_before": row["state_before"],
        "state_after": row["state_after"],
        "payload": row["payload"],
        "request": request_digest(salt, row["ip_address"], row["user_agent"]),
    }
    return fields


def entry_leaf_hash(fields: Mapping[str, Any]) -> Hash:
    """RFC 6962's leaf hash of an entry: SHA-256(0x00 ‖ canonical JSON)."""
    return leaf_hash(canonical(fields))


def leaf_hash_of(row: Mapping[str, Any]) -> Hash:
    return entry_leaf_hash(entry(row))
