"""A checkpoint's signed text (C2SP tlog-checkpoint): how it is written and how it is read.

Apart from the log (``audit.log``, which needs Django to store and sign checkpoints) so that the
standalone verifier (``audit.verify_proof``) can read a checkpoint on a reader's machine with
nothing but the standard library. No Django imports.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass

from .merkle import Hash

TIMESTAMP_PREFIX = "Timestamp: "


@dataclass(frozen=True)
class CheckpointText:
    """The checkpoint's signed text (C2SP tlog-checkpoint), with Rekor's timestamp line."""

    origin: str
    size: int
    root: Hash
    timestamp_ns: int

    def text(self) -> str:
        root = base64.b64encode(self.root).decode()
        return f"{self.origin}\n{self.size}\n{root}\n{TIMESTAMP_PREFIX}{self.timestamp_ns}\n"

    @classmethod
    def parse(cls, text: str) -> CheckpointText:
        """Read a checkpoint's text (already opened with its key): ValueError if malformed."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise ValueError("a checkpoint has an origin, a size and a root hash, one per line")
        origin, size, root = lines[0], lines[1], lines[2]
        # isascii: str.isdigit also accepts digits of other scripts, which int() would then read.
        if not (size.isascii() and size.isdigit()) or (size != "0" and size.startswith("0")):
            raise ValueError(f"the checkpoint's size is not a number: {size!r}")
        try:
            digest = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise ValueError("the checkpoint's root hash is not base64") from None
        if len(digest) != 32:
            raise ValueError("the checkpoint's root hash is not 32 bytes")
        timestamp = 0
        for line in lines[3:-1]:
            value = line.removeprefix(TIMESTAMP_PREFIX)
            if value != line and value.isascii() and value.isdigit():
                timestamp = int(value)
        return cls(origin, int(size), digest, timestamp)

    @property
    def time(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.timestamp_ns / 1e9, tz=datetime.UTC)
