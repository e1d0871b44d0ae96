"""Signed notes as the C2SP spec and Go's reference implementation write them."""

from __future__ import annotations

import pytest

from core.signed_note import NoteError, generate_signer, open_note, read_signer, read_verifier, sign_note

# The example of golang.org/x/mod/sumdb/note (its package documentation and note_test.go): a key,
# a text and the note Go's implementation signs it into. Ed25519 signatures are deterministic, so
# ours must come out byte for byte the same.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n\u2014 PeterNeumann "
    + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_signing_go_s_example_gives_go_s_note_byte_for_byte():
    signer = read_signer(GO_SIGNER)
    assert signer.verifier.text == GO_VERIFIER
    assert sign_note(GO_TEXT, signer) == GO_NOTE


def test_go_s_note_opens_with_go_s_verifier_key():
    assert open_note(GO_NOTE, read_verifier(GO_VERIFIER)) == GO_TEXT


def test_a_changed_text_or_signature_is_refused_saying_so():
    verifier = read_verifier(GO_VERIFIER)
    with pytest.raises(NoteError, match="altered or forged"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), verifier)
    forged = GO_NOTE.replace("x08go/ZJ", "x08go/ZK")
    with pytest.raises(NoteError, match=r"altered or forged|no signature"):
        open_note(forged, verifier)


def test_a_note_signed_by_another_key_of_the_same_name_is_refused():
    impostor = generate_signer("PeterNeumann")
    with pytest.raises(NoteError, match="no signature by the key PeterNeumann"):
        open_note(sign_note(GO_TEXT, impostor), read_verifier(GO_VERIFIER))


def test_other_signatures_are_ignored_and_ours_still_found():
    witness = generate_signer("witness.example")
    cosigned = GO_NOTE + sign_note(GO_TEXT, witness).split("\n\n")[1]
    assert open_note(cosigned, read_verifier(GO_VERIFIER)) == GO_TEXT
    assert open_note(cosigned, witness.verifier) == GO_TEXT


@pytest.mark.parametrize(
    "key",
    [
        GO_VERIFIER.replace("c74f20a3", "c74f20a4"),  # wrong key id
        GO_VERIFIER[:-4],  # truncated key
        "PeterNeumann+c74f20a3",  # no key
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space in the name
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # unknown algorithm
    ],
)
def test_mangled_verifier_keys_are_refused(key):
    with pytest.raises(NoteError):
        read_verifier(key)


def test_a_generated_key_round_trips_through_its_text_forms():
    signer = generate_signer("vetted.example/review-log")
    again = read_signer(signer.text)
    assert again == signer
    note = sign_note("vetted.example/review-log\n3\nAAAA\n", again)
    assert open_note(note, read_verifier(signer.verifier.text)).startswith("vetted.example/review-log\n")


@pytest.mark.parametrize("text", ["no final newline", "two\n\nparagraphs\n"])
def test_text_that_cannot_be_a_note_is_refused(text):
    with pytest.raises(NoteError):
        sign_note(text, generate_signer("x"))
