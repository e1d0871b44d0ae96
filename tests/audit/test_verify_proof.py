"""The standalone verifier, run as a reader runs it: a copy of its files in a bare subprocess
(no Django settings, no database, nothing else of the project), on a real verify.json."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from accounts.roles import EDITOR, MANAGING_EDITOR
from audit import verify_proof
from audit.checkpoints import CheckpointText
from audit.log import latest_checkpoint
from audit.trail import record as write_event
from core import log_key
from core.signed_note import generate_signer, open_note, sign_note
from tests.factories import make_user, seal_log
from tests.public.review_log_setup import ANA, BEN, publish_signed, verify_json

ROOT = Path(__file__).resolve().parents[2]
# Everything the verifier may need of the project; the subprocess sees nothing else of it.
STANDALONE_FILES = (
    "audit/__init__.py",
    "audit/merkle.py",
    "audit/entries.py",
    "audit/checkpoints.py",
    "audit/verify_proof.py",
    "core/__init__.py",
    "core/signed_note.py",
)

# The sealer takes only events of finished transactions (audit.log): these tests commit.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture(scope="module")
def standalone(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("verifier")
    for name in STANDALONE_FILES:
        (folder / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    return folder


@pytest.fixture
def fresh_cache():
    # The article's cached pointer must not outlive the test: the next one reuses its slug.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def record(client) -> dict:
    editor, managing = make_user("editor", EDITOR), make_user("managing", MANAGING_EDITOR)
    article = publish_signed(editor, managing, ANA, BEN)
    seal_log()
    return verify_json(client, article)


def run(folder: Path, record: dict, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    (folder / "proof.json").write_text(json.dumps(record), encoding="utf-8")
    # A bare environment: no DJANGO_SETTINGS_MODULE, no DATABASE_URL, no PYTHONPATH.
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "audit.verify_proof",
            "--key",
            key or log_key.verifier().text,
            *args,
            "proof.json",
        ],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_imports_no_django(standalone):
    probe = (
        "import sys, audit.verify_proof; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=standalone, env={"PATH": os.environ.get("PATH", "")},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_it_accepts_the_record_of_a_published_article(standalone, record):
    result = run(standalone, record)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Log {log_key.origin()}, key {log_key.verifier().text}"
    events = [line for line in lines if line.startswith("OK ")]
    assert len(events) == 3
    assert "approval signed by Dr Ana Reyes, MD, FACOG at" in events[0]
    assert "approval signed by Dr Ben Osei, MBChB at" in events[1]
    assert "version 1 published by managing at" in events[2]
    assert "reviewed by Dr Ana Reyes, Dr Ben Osei" in events[2]
    size = latest_checkpoint().size
    for event, item in zip(events, record["events"], strict=True):
        assert f"log entry {item['proof']['leaf_index']} of {size}" in event
    assert lines[-1].startswith("All 3 events verified")


def test_it_reads_the_key_from_a_file(standalone, record):
    (standalone / "key.txt").write_text(log_key.verifier().text + "\n")
    (standalone / "proof.json").write_text(json.dumps(record))
    result = subprocess.run(
        [sys.executable, "-m", "audit.verify_proof", "--key-file", "key.txt", "proof.json"],
        cwd=standalone, env={"PATH": os.environ.get("PATH", "")}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout


def _change_signer(record: dict) -> None:
    record["events"][0]["proof"]["entry"]["payload"]["signer_name"] = "Dr Someone Else"


def _prove_another_index(record: dict) -> None:
    approval, publication = record["events"][0]["proof"], record["events"][-1]["proof"]
    approval["leaf_index"] = publication["leaf_index"]


def _sign_with_another_key(record: dict) -> None:
    impostor = generate_signer(log_key.origin())  # the log's name, not its key
    for item in record["events"]:
        text = open_note(item["proof"]["checkpoint"], log_key.verifier())
        item["proof"]["checkpoint"] = sign_note(text, impostor)


def _claim_another_content_hash(record: dict) -> None:
    record["version"]["content_hash"] = "0" * 64


def _change_the_publication(record: dict) -> None:
    record["events"][-1]["proof"]["entry"]["payload"]["reviewed_by"] = ["Dr Ana Reyes"]


@pytest.mark.parametrize(
    ("tamper", "failure"),
    [
        (_change_signer, "the entry is not at position"),
        (_prove_another_index, "the entry is not at position"),
        (_sign_with_another_key, "the checkpoint is not signed by the log's key"),
        (_claim_another_content_hash, "not this version's '0000"),
        (_change_the_publication, "the entry is not at position"),
    ],
)
def test_it_rejects_a_changed_record_naming_what_failed(standalone, record, tamper, failure):
    changed = copy.deepcopy(record)
    tamper(changed)

    result = run(standalone, changed)

    assert result.returncode == verify_proof.EXIT_FAILED, result.stdout
    assert failure in result.stdout
    assert result.stdout.splitlines()[-1] == "Verification FAILED: see the lines marked FAILED."


def test_it_rejects_another_genuine_checkpoint_swapped_in(standalone, record):
    write_event("custom.note")  # one more entry, so the log signs a newer checkpoint
    seal_log()
    newer = latest_checkpoint()
    assert newer.size > record["events"][0]["proof"]["tree_size"]
    record["events"][0]["proof"]["checkpoint"] = newer.note

    result = run(standalone, record)

    assert result.returncode == verify_proof.EXIT_FAILED
    assert f"but its checkpoint signs one of {newer.size}" in result.stdout
    # The same proof with the newer size claimed leads to another root: the path was for the older tree.
    record["events"][0]["proof"]["tree_size"] = newer.size
    assert "the entry is not at position" in run(standalone, record).stdout


def test_a_checkpoint_of_another_log_is_refused_even_with_its_own_key(standalone, record):
    other = generate_signer("elsewhere.example/log")
    for item in record["events"]:
        text = open_note(item["proof"]["checkpoint"], log_key.verifier())
        body = CheckpointText.parse(text)
        renamed = CheckpointText("elsewhere.example/log", body.size, body.root, body.timestamp_ns)
        item["proof"]["checkpoint"] = sign_note(renamed.text(), other)

    result = run(standalone, record, key=other.verifier.text)

    assert result.returncode == verify_proof.EXIT_FAILED
    assert "the file is about the log" in result.stdout


def test_events_not_sealed_yet_are_neither_failed_nor_verified(standalone, record):
    record["events"][-1]["proof"] = None
    record["events"][-1]["status"] = "being_sealed"

    result = run(standalone, record)

    assert result.returncode == verify_proof.EXIT_NOT_SEALED, result.stdout
    assert "WAIT   publication: it is not sealed into the log yet" in result.stdout
    assert "fetch the JSON again in a few seconds" in result.stdout


def test_a_key_that_cannot_be_read_is_a_usage_error(standalone, record):
    result = run(standalone, record, key="not-a-key")

    assert result.returncode == verify_proof.EXIT_USAGE
    assert result.stdout.startswith("Cannot start:")
