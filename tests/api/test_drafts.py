"""The working draft over HTTP: ETags, If-Match, and nothing lost or overwritten unseen."""

from __future__ import annotations

import pytest

from accounts.roles import EDITOR
from articles.models import ArticleVersion, Origin
from tests.api.helpers import client_for, draft_payload, error_of
from tests.factories import make_article, make_specialty, make_user, submit

A = "/api/v1"


@pytest.fixture
def editor(db):
    make_specialty("obstetrics")
    return make_user("ed", EDITOR)


@pytest.fixture
def draft(editor):
    return make_article(editor, slug="draft")


def version_of(article) -> ArticleVersion:
    return ArticleVersion.objects.get(article=article, number=1)


def test_get_gives_the_draft_and_an_etag_naming_its_revision(editor, draft):
    response = client_for(editor).get(f"{A}/articles/draft/draft/")
    assert response.status_code == 200
    version = version_of(draft)
    assert response["ETag"] == f'W/"{version.pk}-1"'
    assert response.json()["etag"] == response["ETag"]
    assert response.json()["title"] == version.title


def test_put_with_the_current_etag_saves_and_moves_the_etag_on(editor, draft):
    client = client_for(editor)
    etag = client.get(f"{A}/articles/draft/draft/")["ETag"]
    response = client.put(
        f"{A}/articles/draft/draft/",
        draft_payload(title="Iron in pregnancy"),
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    assert response.json()["revision"] == 2
    assert version_of(draft).title == "Iron in pregnancy"


def test_put_with_a_stale_etag_is_412_and_changes_nothing(editor, draft):
    client = client_for(editor)
    stale = client.get(f"{A}/articles/draft/draft/")["ETag"]
    first = client.put(
        f"{A}/articles/draft/draft/", draft_payload(title="First"), format="json", HTTP_IF_MATCH=stale
    )
    assert first.status_code == 200
    before = version_of(draft)

    second = client.put(
        f"{A}/articles/draft/draft/", draft_payload(title="Second"), format="json", HTTP_IF_MATCH=stale
    )
    assert second.status_code == 412
    assert error_of(second)["code"] == "stale_edit"
    after = version_of(draft)
    assert (after.title, after.revision, after.content_hash) == (
        "First",
        before.revision,
        before.content_hash,
    )


def test_a_stale_revision_in_the_body_is_412_too(editor, draft):
    client = client_for(editor)
    client.put(f"{A}/articles/draft/draft/", draft_payload(title="First", revision=1), format="json")
    stale = client.put(f"{A}/articles/draft/draft/", draft_payload(title="Second", revision=1), format="json")
    assert stale.status_code == 412
    assert error_of(stale)["code"] == "stale_edit"
    assert version_of(draft).title == "First"


def test_an_etag_of_another_version_does_not_match(editor, draft):
    response = client_for(editor).put(
        f"{A}/articles/draft/draft/", draft_payload(), format="json", HTTP_IF_MATCH='W/"999999-1"'
    )
    assert response.status_code == 412
    assert version_of(draft).revision == 1


def test_put_without_any_precondition_is_428(editor, draft):
    response = client_for(editor).put(
        f"{A}/articles/draft/draft/", draft_payload(title="Blind"), format="json"
    )
    assert response.status_code == 428
    assert error_of(response)["code"] == "precondition_required"
    assert version_of(draft).title != "Blind"


def test_content_errors_come_back_by_field_and_nothing_is_saved(editor, draft):
    bad = draft_payload(
        references=[{"number": 1, "kind": "guideline", "title": "T", "source": "S", "year": 1700}]
    )
    response = client_for(editor).put(f"{A}/articles/draft/draft/", bad, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400
    assert "references[0].year" in error_of(response)["fields"]
    assert version_of(draft).revision == 1


def test_a_submitted_article_has_no_draft_until_revised(editor, draft):
    submit(draft, editor)
    client = client_for(editor)
    missing = client.get(f"{A}/articles/draft/draft/")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "no_working_draft"
    frozen = client.put(f"{A}/articles/draft/draft/", draft_payload(), format="json", HTTP_IF_MATCH="*")
    assert frozen.status_code == 409
    assert error_of(frozen)["code"] == "version_frozen"


def test_provenance_is_kept_on_every_version_derived_from_a_machine_draft(editor):
    client = client_for(editor)
    created = client.post(
        f"{A}/articles/",
        draft_payload(slug="bot-draft", origin="machine", generator="draftbot 2.1"),
        format="json",
    )
    assert created.status_code == 201
    assert client.post(f"{A}/articles/bot-draft/submit/", format="json").status_code == 200
    client.post(f"{A}/articles/bot-draft/withdraw/", format="json")
    revised = client.post(f"{A}/articles/bot-draft/revise/", format="json")
    assert revised.status_code == 200, revised.content
    assert revised.json()["working_draft"] == 2

    draft = client.get(f"{A}/articles/bot-draft/draft/").json()
    assert (draft["number"], draft["origin"], draft["generator"]) == (2, Origin.MACHINE, "draftbot 2.1")
    versions = client.get(f"{A}/articles/bot-draft/versions/").json()["results"]
    assert [(v["number"], v["origin"], v["generator"]) for v in versions] == [
        (1, "machine", "draftbot 2.1"),
        (2, "machine", "draftbot 2.1"),
    ]


def test_a_machine_draft_must_name_its_generator(editor):
    response = client_for(editor).post(f"{A}/articles/", draft_payload(origin="machine"), format="json")
    assert response.status_code == 400
    assert "generator" in error_of(response)["fields"]
