"""Tampering with the trail or its log is caught, naming what broke: a changed, removed or reordered
event, a truncated tree, a swapped or forged checkpoint, a rewritten subtree. The full check and
the incremental one (which starts from the last verified tree)."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import entries
from audit.log import CheckpointText, LogError
from audit.models import AuditEvent, Checkpoint, LogLeaf, LogNode, VerifiedTree
from audit.trail import record
from audit.verify import verify
from core import log_key
from core.signed_note import generate_signer, open_note, sign_note
from tests.factories import seal_log

pytestmark = pytest.mark.django_db

TABLES = ("audit_auditevent", "audit_logleaf", "audit_lognode", "audit_checkpoint")


def tamper(sql: str, params: list | None = None) -> None:
    """Run SQL behind the models' back; on PostgreSQL with the append-only triggers switched off
    for the statement (an attacker with the database owner's rights could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            cursor.execute(sql, params or [])
        finally:
            if connection.vendor == "postgresql":
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.fixture
def sealed() -> list[AuditEvent]:
    """Twelve events in the log, in two checkpoints (8, then 12)."""
    events = [record("custom.note", target_type="t", target_id=str(i), payload={"i": i}) for i in range(8)]
    seal_log()
    events += [
        record("custom.note", target_type="t", target_id=str(i), payload={"i": i}) for i in range(8, 12)
    ]
    seal_log()
    assert verify().ok
    return events


def problem() -> str:
    report = verify()
    assert not report.ok, "the tampering went unnoticed"
    return report.problem


def test_a_changed_payload_of_a_sealed_event_is_named(sealed):
    target = sealed[5]
    tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"i": 99}', target.pk])
    assert problem().startswith(f"entry 5 (event #{target.seq}")
    assert "no longer matches its entry in the log" in problem()


def test_a_changed_payload_with_its_leaf_hash_rewritten_too_is_caught_by_the_tree(sealed):
    target = sealed[2]
    tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"i": 99}', target.pk])
    row = AuditEvent.objects.filter(pk=target.pk).values(*entries.COLUMNS).get()
    forged = entries.leaf_hash_of(row)
    tamper("UPDATE audit_auditevent SET leaf_hash = %s WHERE id = %s", [forged.hex(), target.pk])
    tamper('UPDATE audit_logleaf SET hash = %s WHERE "index" = 2', [forged])
    # The first checkpoint over entry 2 no longer fits the entries.
    assert problem() == "the checkpoint at size 8: its root is not the root of the entries"


def test_a_removed_event_is_named_by_its_position(sealed):
    tamper('DELETE FROM audit_logleaf WHERE "index" = 4')
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [sealed[4].pk])
    assert problem() == "entry 4 is missing from the log (the next one is 5)"


def test_two_reordered_entries_are_caught(sealed):
    first, second = sealed[6], sealed[7]
    leaf6, leaf7 = (bytes(LogLeaf.objects.get(index=i).hash) for i in (6, 7))
    # Swap which event each position holds, and their hashes with them.
    tamper('DELETE FROM audit_logleaf WHERE "index" IN (6, 7)')
    tamper(
        'INSERT INTO audit_logleaf ("index", event_id, hash) VALUES (6, %s, %s), (7, %s, %s)',
        [second.pk, leaf7, first.pk, leaf6],
    )
    assert "entry 7" in problem() and "out of the log's order" in problem()


def test_a_truncated_tree_is_caught_by_the_checkpoint_that_covered_it(sealed):
    tamper('DELETE FROM audit_logleaf WHERE "index" >= 10')
    assert problem().startswith("the checkpoint at size 12: the log holds only 10 entries")


def test_a_swapped_checkpoint_is_caught(sealed):
    notes = dict(Checkpoint.objects.values_list("size", "note"))
    tamper("UPDATE audit_checkpoint SET note = %s WHERE size = 12", [notes[8]])
    assert problem() == "the checkpoint at size 12: its signed text states another size or root than its row"


def test_a_checkpoint_signed_by_another_key_is_caught(sealed):
    checkpoint = Checkpoint.objects.get(size=12)
    text = open_note(checkpoint.note, log_key.verifier())
    forged = sign_note(text, generate_signer(log_key.origin()))
    tamper("UPDATE audit_checkpoint SET note = %s WHERE size = 12", [forged])
    assert problem().startswith("the checkpoint at size 12: The note carries no signature by the key")


def test_a_checkpoint_whose_text_was_edited_after_signing_is_caught(sealed):
    checkpoint = Checkpoint.objects.get(size=12)
    body = CheckpointText.parse(open_note(checkpoint.note, log_key.verifier()))
    other_root = base64.b64encode(bytes(32)).decode()
    edited = checkpoint.note.replace(base64.b64encode(body.root).decode(), other_root)
    tamper("UPDATE audit_checkpoint SET note = %s, root_hash = %s WHERE size = 12", [edited, bytes(32)])
    assert "altered or forged" in problem()


def test_a_rewritten_subtree_is_caught(sealed):
    tamper('UPDATE audit_lognode SET hash = %s WHERE level = 2 AND "index" = 1', [bytes(32)])
    assert problem() == "the stored subtree over entries 4 to 7 does not match those entries"


def test_a_subtree_beyond_the_last_entry_is_caught(sealed):
    tamper('INSERT INTO audit_lognode (level, "index", hash) VALUES (2, 5, %s)', [bytes(32)])
    assert problem() == "the stored tree has a subtree (level 2) beyond its last entry"


def test_an_event_slipped_in_among_the_sealed_ones_is_named(sealed):
    # A row placed before the last sealed event in the log's order, but never sealed.
    tamper(
        "INSERT INTO audit_auditevent (id, seq, xact, created_at, actor_label, action, target_type, "
        "target_id, state_before, state_after, payload, user_agent, request_salt, leaf_hash) "
        "SELECT id + 1000, 0, 0, created_at, actor_label, action, target_type, target_id, state_before, "
        "state_after, payload, user_agent, request_salt, leaf_hash FROM audit_auditevent WHERE id = %s",
        [sealed[0].pk],
    )
    assert problem().startswith(f"event #0 (id {sealed[0].pk + 1000}")
    assert problem().endswith("it is missing from the log, which holds later events")


def test_the_sealer_refuses_to_seal_an_event_changed_before_it_was_sealed(db):
    event = record("custom.note", target_type="t", target_id="1", payload={"i": 1})
    tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"i": 2}', event.pk])
    with pytest.raises(LogError, match=f"event #{event.seq} no longer matches the leaf hash"):
        seal_log()
    assert not LogLeaf.objects.exists()


# --- incremental --------------------------------------------------------------------------------


def _command(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def test_the_incremental_check_rehashes_only_what_was_added_since_the_last_verified_tree(sealed):
    assert "12 log entries" in _command()
    assert VerifiedTree.objects.get().size == 12
    for i in range(5):
        record("custom.note", target_type="t", target_id=str(i))
    seal_log()

    output = _command("--incremental")
    assert "continuing from the tree verified at 12 entries" in output
    assert "5 log entries, 1 checkpoints" in output
    assert VerifiedTree.objects.order_by("-size").first().size == 17


def test_the_incremental_check_refuses_a_stored_tree_that_is_not_the_one_verified(sealed):
    _command()
    record("custom.note", target_type="t", target_id="x")
    seal_log()
    # The frontier at 12 is the subtree over 0-7 and the one over 8-11.
    tamper('UPDATE audit_lognode SET hash = %s WHERE level = 2 AND "index" = 2', [bytes(32)])
    with pytest.raises(CommandError, match="the stored tree at size 12 is not the one verified then"):
        _command("--incremental")


def test_old_tampering_needs_the_full_check(sealed):
    _command()
    tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"i": 99}', sealed[1].pk])
    record("custom.note", target_type="t", target_id="x")
    seal_log()
    # The incremental check re-hashes only the new entry, by design; the full one finds the old change.
    assert "1 log entries" in _command("--incremental")
    with pytest.raises(CommandError, match="entry 1 "):
        _command()


def test_a_new_checkpoint_that_rewrites_history_fails_the_incremental_consistency_check(sealed):
    _command()
    # Rewrite entry 0's hash everywhere it counts and re-sign: a publisher rewriting history.
    record("custom.note", target_type="t", target_id="x")
    seal_log()
    assert Checkpoint.objects.filter(size=13).exists()
    tamper('UPDATE audit_lognode SET hash = %s WHERE level = 3 AND "index" = 0', [bytes(32)])
    with pytest.raises(CommandError, match=r"the stored tree at size 12|does not extend"):
        _command("--incremental")
    assert LogNode.objects.filter(level=3, index=0).exists()
