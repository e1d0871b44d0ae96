""" "Verify this review" and the review log's public addresses: the article's record with its
proofs (page and JSON), the checkpoints and the key (the verifier itself:
tests/audit/test_verify_proof.py)."""

from __future__ import annotations

import base64
import html
import re

import pytest

from articles.models import ArticleState
from audit import merkle
from audit.checkpoints import CheckpointText
from audit.entries import entry_leaf_hash
from audit.log import latest_checkpoint
from audit.models import AuditEvent
from core import log_key
from core.signed_note import open_note, read_verifier
from tests.factories import make_article, seal_log, submit
from tests.public.public_setup import publish_article, reviewer
from tests.public.review_log_setup import ANA, BEN, publish_signed, verify_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
# On PostgreSQL the sealer takes only events of finished transactions (audit.log), never the
# test's own: tests that seal commit what they write.
seals = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(editor, managing):
    return publish_signed(editor, managing, ANA, BEN)


@pytest.fixture
def sealed(published):
    seal_log()
    return published


def page_text(response) -> str:
    """The page as a reader reads it: no tags, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- the article's record ----------------------------------------------------------------------


def test_the_article_page_links_to_verify_this_review(client, published):
    body = client.get(f"/articles/{published.slug}/").content.decode()
    assert f'<a href="/articles/{published.slug}/verify/">Verify this review</a>' in body


@seals
def test_verify_json_holds_each_approval_and_the_publication_with_its_proof(client, sealed):
    record = verify_json(client, sealed)
    version = sealed.published_version

    assert record["version"]["number"] == 1
    assert record["version"]["content_hash"] == version.content_hash
    assert record["log"]["origin"] == log_key.origin()
    assert record["log"]["public_key"] == log_key.verifier().text
    assert record["complete"] is True
    assert [(e["kind"], e.get("signer_name")) for e in record["events"]] == [
        ("approval", "Dr Ana Reyes"),
        ("approval", "Dr Ben Osei"),
        ("publication", None),
    ]
    checkpoint = latest_checkpoint()
    for item in record["events"]:
        proof = item["proof"]
        event = AuditEvent.objects.get(pk=item["event_id"])
        assert item["status"] == "sealed"
        assert proof["entry"]["id"] == event.pk and proof["entry"]["action"] == event.action
        assert proof["tree_size"] == checkpoint.size and proof["checkpoint"] == checkpoint.note
        # The proof holds against the signed root without any help from the server.
        merkle.verify_inclusion(
            proof["leaf_index"],
            proof["tree_size"],
            entry_leaf_hash(proof["entry"]),
            [base64.b64decode(h) for h in proof["inclusion_proof"]],
            bytes(checkpoint.root_hash),
        )
    approvals = [e["proof"]["entry"]["payload"] for e in record["events"][:2]]
    assert {a["signed_content_hash"] for a in approvals} == {version.content_hash}
    publication = record["events"][2]["proof"]["entry"]
    assert publication["action"] == "article.publish"
    assert publication["payload"]["version"] == 1
    assert publication["payload"]["reviewed_by"] == ["Dr Ana Reyes", "Dr Ben Osei"]


@seals
def test_the_page_tells_a_reader_who_signed_what_and_how_to_check_it(client, sealed):
    response = client.get(f"/articles/{sealed.slug}/verify/")
    body, text = response.content.decode(), page_text(response)
    checkpoint = latest_checkpoint()

    assert response.status_code == 200
    assert "Approval signed by Dr Ana Reyes, MD, FACOG on" in text
    assert "Approval signed by Dr Ben Osei, MBChB on" in text
    assert "Publication of version 1 by managing on" in text
    assert f"The text of this version has the content hash {sealed.published_version.content_hash}" in text
    assert f"of {checkpoint.size} entries" in text
    assert html.unescape(body).count(checkpoint.note) == 1
    assert log_key.verifier().text in body
    assert f'href="/articles/{sealed.slug}/verify.json"' in body
    assert "python -m audit.verify_proof --key-file log-key.txt proof.json" in text
    assert "being sealed" not in text
    assert "max-age=10" in response["Cache-Control"]


def test_events_not_sealed_yet_show_as_being_sealed_and_are_not_cached(client, published):
    record = verify_json(client, published)
    page = client.get(f"/articles/{published.slug}/verify/")

    assert record["complete"] is False
    assert [(e["status"], e["proof"]) for e in record["events"]] == [("being_sealed", None)] * 3
    assert all(isinstance(e["event_id"], int) for e in record["events"])
    text = page_text(page)
    assert "still being sealed" in text and "Reload this page in a few seconds" in text
    assert text.count("Being sealed into the log") == 3
    assert "no-cache" in page["Cache-Control"]


@seals
def test_an_approval_written_without_a_log_entry_says_so(client, editor, managing):
    # The shortcut signs approvals directly, without the signing path's audit event.
    article = publish_article(editor, managing, [reviewer("cleo", display_name="Dr Cleo Ma")])
    seal_log()

    record = verify_json(client, article)
    assert [(e["kind"], e["status"]) for e in record["events"]] == [
        ("approval", "not_in_log"),
        ("publication", "sealed"),
    ]
    assert record["complete"] is False
    assert "Not in the log" in page_text(client.get(f"/articles/{article.slug}/verify/"))


@pytest.mark.parametrize("suffix", ["verify/", "verify.json"])
def test_unknown_and_unpublished_articles_are_404_like_the_article_page(client, editor, suffix):
    submitted = submit(make_article(editor), editor)
    assert submitted.state == ArticleState.SUBMITTED

    assert client.get(f"/articles/{submitted.slug}/{suffix}").status_code == 404
    assert client.get(f"/articles/no-such-article/{suffix}").status_code == 404


# --- checkpoints and the key -------------------------------------------------------------------


def test_without_a_checkpoint_the_latest_is_a_readable_404(client, db):
    response = client.get("/review-log/checkpoint")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no signed checkpoint yet" in response.content.decode()


@seals
def test_the_latest_checkpoint_is_the_signed_note_briefly_cached(client, sealed):
    response = client.get("/review-log/checkpoint")
    checkpoint = latest_checkpoint()

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == checkpoint.note
    assert response["Cache-Control"] == "public, max-age=10"


@seals
def test_a_checkpoint_by_size_is_immutable_and_an_unknown_size_404(client, sealed):
    size = latest_checkpoint().size
    response = client.get(f"/review-log/checkpoints/{size}")

    assert response.status_code == 200
    assert response.content.decode() == latest_checkpoint().note
    assert "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    missing = client.get(f"/review-log/checkpoints/{size + 1}")
    assert missing.status_code == 404
    assert "no checkpoint at" in missing.content.decode()


@seals
def test_the_key_on_the_policy_page_and_the_well_known_url_verifies_the_checkpoint(client, sealed):
    well_known = client.get("/.well-known/vetted-log-key")
    policy = client.get("/editorial-policy/").content.decode()
    shown = re.search(r'<code id="log-key">([^<]+)</code>', policy)

    assert well_known.status_code == 200 and well_known["Content-Type"] == "text/plain; charset=utf-8"
    assert shown is not None
    assert html.unescape(shown.group(1)) == well_known.content.decode().strip()
    assert "How to check our reviews" in policy and log_key.origin() in policy
    assert 'href="/review-log/checkpoint"' in policy and 'href="/.well-known/vetted-log-key"' in policy
    verifier = read_verifier(well_known.content.decode())
    note = client.get("/review-log/checkpoint").content.decode()
    body = CheckpointText.parse(open_note(note, verifier))
    assert body.origin == verifier.name == log_key.origin()
    assert body.size == latest_checkpoint().size
