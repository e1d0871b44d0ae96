"""The public endpoints answer with what readers see: the published version only."""

from __future__ import annotations

from rest_framework.test import APIClient

from articles.drafting import SectionInput, save_draft
from articles.models import Article, Audience
from reviews.workflow import Action, open_working_draft, perform
from tests.api.helpers import error_of
from tests.factories import valid_content

A = "/api/v1/public/articles"


def test_only_published_articles_are_listed(world):
    listed = APIClient().get(f"{A}/").json()
    assert [a["slug"] for a in listed["results"]] == ["published"]
    for slug in ("draft", "under-review", "approved"):
        response = APIClient().get(f"{A}/{slug}/")
        assert response.status_code == 404, slug
        error_of(response)


def test_a_newer_version_in_review_is_not_what_readers_get(world):
    editor = world.users["editor"]
    article = world.published
    draft = open_working_draft(article, editor)
    content = valid_content(
        title="A rewritten title", change_summary="Rewritten.", summary=draft.summary,
        sections=[SectionInput(Audience.PATIENT, "What it is", "New unreviewed words [1] [2].")],
    )  # fmt: skip
    save_draft(article, content, expected_revision=draft.revision, actor=editor)
    perform(article, Action.SUBMIT, editor)

    body = APIClient().get(f"{A}/published/").json()
    assert body["version"] == 1
    assert body["title"] != "A rewritten title"
    assert "unreviewed" not in body["body_html"]
    assert [r["name"] for r in body["reviewers"]] == ["Dr Other"]


def test_an_archived_article_is_gone_from_the_public_endpoints(world):
    perform(world.published, Action.ARCHIVE, world.users["managing"], reason="Outdated.")
    assert APIClient().get(f"{A}/published/").status_code == 404
    assert APIClient().get(f"{A}/").json()["count"] == 0


def test_an_audience_the_article_lacks_falls_back_and_says_so(world):
    body = APIClient().get(f"{A}/published/?audience=professional").json()
    assert body["audience"] == "patient"
    assert body["audience_unavailable"] is True
    assert body["audiences"] == ["patient"]


def test_the_list_filters_as_the_public_pages_do(world):
    client = APIClient()
    assert client.get(f"{A}/?audience=professional").json()["count"] == 0
    assert client.get(f"{A}/?specialty=obstetrics&q=cervical").json()["count"] == 1
    assert client.get(f"{A}/?q=zebra").json()["count"] == 0
    assert Article.objects.filter(published_version__isnull=False).count() == 1
