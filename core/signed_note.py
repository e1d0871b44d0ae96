"""Ed25519 signed notes in the C2SP ``signed-note`` format (https://c2sp.org/signed-note).

The review log's checkpoints are published as signed notes so that the tools the transparency
world already has (Go's ``golang.org/x/mod/sumdb/note``, ``litetlog``, witnesses) can read and
check them, and so that a reader can check one with nothing but our public key:

- the note is its text (one or more lines, each ending in a newline) and, after a blank line, one
  signature line per signer: ``— <key name> <base64(key id ‖ signature)>``;
- the key id is the first four bytes of SHA-256(key name ‖ ``\\n`` ‖ 0x01 ‖ public key), 0x01
  marking Ed25519;
- keys are written as Go writes them: ``<name>+<key id hex>+<base64(0x01 ‖ public key)>`` for the
  verifier key, ``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 ‖ seed)>`` for the signing key.

Written here rather than taken from a package because no maintained Python implementation of
the format exists; the cryptography is the ``cryptography`` package's. No Django: the standalone
verifier (``audit/verify_proof.py``) runs this on a reader's machine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space
MAX_NOTE_BYTES = 1_000_000


class NoteError(ValueError):
    """A key or note that cannot be read, or a signature that does not verify; says which."""


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"A key name must be non-empty, without spaces or '+': {name!r}.")


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def text(self) -> str:
        """The verifier key as published: what a reader pastes into a verifier."""
        encoded = base64.b64encode(ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verifies(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    seed: bytes

    @property
    def verifier(self) -> Verifier:
        public = (
            Ed25519PrivateKey.from_private_bytes(self.seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        return Verifier(self.name, public)

    @property
    def text(self) -> str:
        encoded = base64.b64encode(ED25519 + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{encoded}"

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def generate_signer(name: str) -> Signer:
    _check_name(name)
    seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return Signer(name, seed)


def _parse_key(text: str, *, private: bool) -> tuple[str, bytes]:
    # The base64 key itself may hold a '+': split only as many times as there are fields.
    parts = text.strip().split("+", 4 if private else 2)
    if private:
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("A signing key reads PRIVATE+KEY+<name>+<key id>+<key>.")
        parts = parts[2:]
    elif len(parts) != 3:
        raise NoteError("A verifier key reads <name>+<key id>+<key>.")
    name, id_hex, encoded = parts
    _check_name(name)
    try:
        raw = base64.b64decode(encoded, validate=True)
        expected_id = bytes.fromhex(id_hex)
    except (binascii.Error, ValueError):
        raise NoteError("The key is not valid base64 and hex.") from None
    if len(raw) != 33 or raw[:1] != ED25519:
        raise NoteError("Only Ed25519 keys (33 bytes, starting 0x01) are supported.")
    key = raw[1:]
    public = Signer(name, key).verifier.public_key if private else key
    if key_id(name, public) != expected_id:
        raise NoteError("The key id does not match the key.")
    return name, key


def read_signer(text: str) -> Signer:
    return Signer(*_parse_key(text, private=True))


def read_verifier(text: str) -> Verifier:
    return Verifier(*_parse_key(text, private=False))


def sign_note(text: str, signer: Signer) -> str:
    """The note: ``text`` (which must end in a newline), a blank line and the signature line."""
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("A note's text ends with a newline and has no blank line.")
    signature = signer.sign(text.encode())
    encoded = base64.b64encode(signer.verifier.key_id + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{signer.name} {encoded}\n"


def open_note(note: str, verifier: Verifier) -> str:
    """The text of ``note`` if ``verifier``'s key signed it; :class:`NoteError` otherwise.

    Signatures by other keys are allowed (witnesses may co-sign) and ignored.
    """
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError("The note is too large.")
    text, separator, signatures = note.rpartition("\n\n")
    if not separator or not signatures.endswith("\n"):
        raise NoteError("The note has no signature block (a blank line, then signature lines).")
    text += "\n"
    found_key = False
    for line in signatures[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"Not a signature line: {line[:60]!r}.")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError(f"The signature by {name} is not base64.") from None
        if name != verifier.name or raw[:4] != verifier.key_id:
            continue
        found_key = True
        if len(raw) == 4 + 64 and verifier.verifies(text.encode(), raw[4:]):
            return text
    if found_key:
        raise NoteError(
            f"The signature by {verifier.name} does not match the note: it was altered or forged."
        )
    raise NoteError(f"The note carries no signature by the key {verifier.name}.")
