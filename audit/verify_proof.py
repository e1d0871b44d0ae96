"""Check a "Verify this review" proof on your own machine, trusting nothing but the log's key.

Usage::

    python -m audit.verify_proof --key '<name>+<key id>+<key>' proof.json
    python -m audit.verify_proof --key-file vetted-log-key.txt proof.json   # or '-' for stdin

``proof.json`` is what ``/articles/<slug>/verify.json`` answers; the key is the one published at
``/.well-known/vetted-log-key`` and on the editorial policy page. For each event the file lists
(each signed approval of the published version, then its publication) this checks that:

1. the checkpoint is signed by that key, and names the log the key belongs to;
2. the entry, hashed as the log hashes it, is at the stated position of the tree the checkpoint
   signs (RFC 9162 inclusion proof): the log holds exactly this entry, unchanged;
3. the entry says what the file claims: an approval of this version's content hash, the
   publication of this version with that content hash, by the people named.

Exit status: 0 when every event verifies, 1 when a check fails (the output names it), 3 when
nothing failed but some events are not sealed into the log yet (fetch the JSON again in a few
seconds), 2 for a usage error.

Only the standard library, ``cryptography`` and four modules of this project that import no
Django (``audit.merkle``, ``audit.entries``, ``audit.checkpoints``, ``core.signed_note``): the
file can be copied with them and run anywhere. ``tests/audit/test_verify_proof.py`` runs it
in a bare subprocess to keep it so.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from audit import merkle
from audit.checkpoints import CheckpointText
from audit.entries import entry_leaf_hash
from core.signed_note import NoteError, Verifier, open_note, read_verifier

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_SEALED = 0, 1, 2, 3

ACTIONS = {"approval": "review.signed", "publication": "article.publish"}


class Failed(ValueError):
    """One check that did not hold, saying which."""


@dataclass
class EventResult:
    kind: str
    summary: str
    problem: str = ""
    sealed: bool = True

    @property
    def ok(self) -> bool:
        return self.sealed and not self.problem


@dataclass
class Result:
    """The outcome: one line per event, and the problems that concern the file as a whole."""

    events: list[EventResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.events) and all(e.ok for e in self.events)

    @property
    def exit_code(self) -> int:
        if self.problems or any(e.problem for e in self.events):
            return EXIT_FAILED
        return EXIT_OK if self.ok else EXIT_NOT_SEALED


def _short(digest: str) -> str:
    return f"{digest[:12]}…" if len(digest) > 12 else digest


def _field(mapping: Mapping[str, Any], name: str, kind: type, where: str) -> Any:
    value = mapping.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Failed(f"{where} has no valid {name!r}")
    return value


def open_checkpoint(note: str, verifier: Verifier) -> CheckpointText:
    """The checkpoint's text, if ``verifier``'s key signed it and it names that key's log."""
    try:
        body = CheckpointText.parse(open_note(note, verifier))
    except NoteError as error:
        raise Failed(f"the checkpoint is not signed by the log's key: {error}") from None
    except ValueError as error:
        raise Failed(f"the signed checkpoint cannot be read: {error}") from None
    if body.origin != verifier.name:
        raise Failed(f"the checkpoint is of the log {body.origin!r}, not of {verifier.name!r} (the key's)")
    return body


def check_inclusion(proof: Mapping[str, Any], verifier: Verifier) -> tuple[dict[str, Any], CheckpointText]:
    """Steps 1 and 2: the entry is at its position in the tree a checkpoint signed by the key."""
    entry = _field(proof, "entry", dict, "the proof")
    index = _field(proof, "leaf_index", int, "the proof")
    size = _field(proof, "tree_size", int, "the proof")
    note = _field(proof, "checkpoint", str, "the proof")
    path = _field(proof, "inclusion_proof", list, "the proof")
    try:
        hashes = [base64.b64decode(h, validate=True) for h in path]
    except (binascii.Error, TypeError, ValueError):
        raise Failed("the inclusion proof is not a list of base64 hashes") from None
    checkpoint = open_checkpoint(note, verifier)
    if checkpoint.size != size:
        raise Failed(
            f"the proof is for a tree of {size} entries but its checkpoint signs one of {checkpoint.size}"
        )
    try:
        merkle.verify_inclusion(index, size, entry_leaf_hash(entry), hashes, checkpoint.root)
    except merkle.ProofError as error:
        raise Failed(
            f"the entry is not at position {index} of the signed tree ({error}): "
            "the entry, its position or the proof was changed"
        ) from None
    return entry, checkpoint


def check_claims(
    kind: str, item: Mapping[str, Any], entry: Mapping[str, Any], version: Mapping[str, Any]
) -> str:
    """Step 3: the entry is the event the file says it is. Returns a sentence describing it."""
    action = ACTIONS.get(kind)
    if action is None:
        raise Failed(f"unknown kind of event {kind!r}")
    if entry.get("action") != action:
        raise Failed(f"the entry is a {entry.get('action')!r} event, not a {action!r} one")
    if item.get("event_id") is not None and item.get("event_id") != entry.get("id"):
        raise Failed(f"the file names event {item.get('event_id')} but the entry is event {entry.get('id')}")
    payload = entry.get("payload")
    if not isinstance(payload, dict):
        raise Failed("the entry has no payload")
    number, content_hash = version["number"], version["content_hash"]
    if payload.get("version") != number:
        raise Failed(f"the entry is about version {payload.get('version')}, not version {number}")
    when = entry.get("created_at", "?")
    if kind == "approval":
        if payload.get("decision") != "approve":
            raise Failed(f"the entry records the decision {payload.get('decision')!r}, not an approval")
        if payload.get("signed_content_hash") != content_hash:
            raise Failed(
                f"the approval signed the content hash {payload.get('signed_content_hash')!r}, "
                f"not this version's {content_hash!r}"
            )
        signer = payload.get("signer_name", "?")
        if "signer_name" in item and item["signer_name"] != signer:
            raise Failed(f"the file names the signer {item['signer_name']!r}; the entry {signer!r}")
        credentials = payload.get("signer_credentials")
        who = f"{signer}, {credentials}" if credentials else signer
        signed_at = payload.get("signed_at", when)
        return f"approval signed by {who} at {signed_at}: content hash {_short(content_hash)}"
    if payload.get("content_hash") != content_hash:
        raise Failed(
            f"the publication is of the content hash {payload.get('content_hash')!r}, "
            f"not this version's {content_hash!r}"
        )
    reviewed_by = payload.get("reviewed_by") or []
    names = ", ".join(str(n) for n in reviewed_by) or "nobody"
    return (
        f"version {number} published by {entry.get('actor_label', '?')} at {when}, "
        f"content hash {_short(content_hash)}, reviewed by {names}"
    )


def _check_publication_names(
    result: Result, approvals: Sequence[Mapping[str, Any]], publication: Mapping[str, Any] | None
) -> None:
    """Every approval the publication names is among the verified approvals, and enough of them."""
    if publication is None:
        return
    payload = publication.get("payload") or {}
    signers = [a.get("payload", {}).get("signer_name") for a in approvals]
    for name in payload.get("reviewed_by") or []:
        if name not in signers:
            result.problems.append(
                f"the publication names {name!r} as a reviewer, but no verified approval is theirs"
            )
    required = payload.get("approvals_required")
    if isinstance(required, int) and len(approvals) < required:
        result.problems.append(
            f"the publication required {required} approval(s); the file proves {len(approvals)}"
        )


def verify_bundle(bundle: Mapping[str, Any], verifier: Verifier) -> Result:
    """Check every event of a ``verify.json`` answer against the log's key."""
    result = Result()
    try:
        version = _field(bundle, "version", dict, "the file")
        _field(version, "number", int, "the file's version")
        _field(version, "content_hash", str, "the file's version")
        items = _field(bundle, "events", list, "the file")
    except Failed as error:
        result.problems.append(str(error))
        return result
    stated = (bundle.get("log") or {}).get("origin")
    if stated is not None and stated != verifier.name:
        result.problems.append(f"the file is about the log {stated!r}, but the key is of {verifier.name!r}")
    if (bundle.get("log") or {}).get("public_key") not in (None, verifier.text):
        result.notes.append("the file names another public key than yours; only yours was used")
    approvals: list[Mapping[str, Any]] = []
    publication: Mapping[str, Any] | None = None
    article_ids = set()
    kinds = []
    for item in items:
        kind = str(item.get("kind", "?")) if isinstance(item, dict) else "?"
        kinds.append(kind)
        label = kind
        if kind == "approval" and isinstance(item, dict) and item.get("signer_name"):
            label = f"approval by {item['signer_name']}"
        if not isinstance(item, dict) or item.get("proof") is None:
            status = item.get("status") if isinstance(item, dict) else None
            why = "it is not in the log" if status == "not_in_log" else "it is not sealed into the log yet"
            result.events.append(EventResult(kind, f"{label}: {why}", sealed=False))
            continue
        try:
            entry, checkpoint = check_inclusion(item["proof"], verifier)
            summary = check_claims(kind, item, entry, version)
        except Failed as error:
            result.events.append(EventResult(kind, label, problem=str(error)))
            continue
        position = f"log entry {item['proof']['leaf_index']} of {checkpoint.size}"
        signed = checkpoint.time.strftime("%Y-%m-%d %H:%M:%S UTC") if checkpoint.timestamp_ns else "?"
        result.events.append(EventResult(kind, f"{summary}; {position} (checkpoint signed {signed})"))
        article_ids.add(entry.get("article_id"))
        if kind == "approval":
            approvals.append(entry)
        else:
            publication = entry
    if "approval" not in kinds:
        result.problems.append("the file lists no approval")
    if kinds.count("publication") != 1:
        result.problems.append("the file must list exactly one publication")
    if len(article_ids) > 1:
        result.problems.append("the entries are about different articles")
    _check_publication_names(result, approvals, publication)
    return result


def report(result: Result, bundle: Mapping[str, Any], verifier: Verifier, out: TextIO) -> None:
    version = bundle.get("version") or {}
    article = bundle.get("article") or {}
    title = f'"{article["title"]}" ' if isinstance(article, dict) and article.get("title") else ""
    out.write(f"Log {verifier.name}, key {verifier.text}\n")
    out.write(
        f"Article {title}version {version.get('number', '?')}, "
        f"content hash {version.get('content_hash', '?')}\n\n"
    )
    for event in result.events:
        mark = "OK     " if event.ok else ("FAILED " if event.problem else "WAIT   ")
        out.write(f"{mark}{event.summary}\n")
        if event.problem:
            out.write(f"       {event.problem}\n")
    for note in result.notes:
        out.write(f"NOTE   {note}\n")
    for problem in result.problems:
        out.write(f"FAILED {problem}\n")
    out.write("\n")
    if result.exit_code == EXIT_OK:
        out.write(
            f"All {len(result.events)} events verified: each is in the log, unchanged, "
            "under a checkpoint signed by the key.\n"
        )
    elif result.exit_code == EXIT_NOT_SEALED:
        out.write(
            "Nothing failed, but some events are not sealed yet: fetch the JSON again in a few seconds.\n"
        )
    else:
        out.write("Verification FAILED: see the lines marked FAILED.\n")


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m audit.verify_proof", description=__doc__.split("\n\n")[0]
    )
    keys = parser.add_mutually_exclusive_group(required=True)
    keys.add_argument("--key", help="the log's public key: <name>+<key id>+<key>")
    keys.add_argument("--key-file", type=Path, help="a file holding the key")
    parser.add_argument("proof", help="the verify.json file ('-': read standard input)")
    args = parser.parse_args(argv)
    try:
        key_text = args.key if args.key is not None else args.key_file.read_text()
        verifier = read_verifier(key_text)
        text = sys.stdin.read() if args.proof == "-" else Path(args.proof).read_text(encoding="utf-8")
        bundle = json.loads(text)
    except (OSError, NoteError, json.JSONDecodeError) as error:
        out.write(f"Cannot start: {error}\n")
        return EXIT_USAGE
    if not isinstance(bundle, dict):
        out.write("Cannot start: the file is not a verify.json answer (a JSON object).\n")
        return EXIT_USAGE
    result = verify_bundle(bundle, verifier)
    report(result, bundle, verifier, out)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
