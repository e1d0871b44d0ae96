"""Readers see only reviewed fields (issue 14, property 1): the specialty an article is filed
under is versioned content, reviewed and published with the text."""

from __future__ import annotations

import pytest

from articles.drafting import save_draft
from articles.models import Article
from reviews.workflow import Action, open_working_draft, perform
from tests.factories import make_specialty, submit, valid_content
from tests.public.public_setup import approve_and_publish, publish_article, reviewer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def ana(db):
    return reviewer("ana", display_name="Dr Ana Reyes")


@pytest.fixture
def published(editor, managing, ana):
    return publish_article(editor, managing, [ana], specialty=make_specialty("obstetrics"))


def what_readers_see(client, article) -> dict:
    page = client.get(f"/articles/{article.slug}/").content.decode()
    api = client.get(f"/api/v1/public/articles/{article.slug}/").json()
    listed = client.get("/api/v1/public/articles/").json()["results"]
    by_specialty = {
        slug: [a["slug"] for a in client.get(f"/api/v1/public/articles/?specialty={slug}").json()["results"]]
        for slug in ("obstetrics", "cardiology")
    }
    index = client.get("/articles/?specialty=cardiology").content.decode()
    return {
        "page names cardiology": "Cardiology" in page,
        "api": api["specialty"],
        "list": [(a["specialty_slug"]) for a in listed],
        "filter": by_specialty,
        "index lists it under cardiology": article.slug in index,
    }


def test_unreviewed_specialty_never_reaches_readers(client, editor, published):
    """The black-box defect: a new version's draft saved with another specialty changed the
    public page, the public API and the specialty filter at once, before any review."""
    make_specialty("cardiology")
    before = what_readers_see(client, published)
    assert before["api"] == "Obstetrics"

    draft = open_working_draft(published, editor)
    save_draft(
        published,
        valid_content(change_summary="Refiled."),
        expected_revision=draft.revision,
        actor=editor,
        specialty=make_specialty("cardiology"),
    )
    assert (
        Article.objects.values_list("specialty__slug", flat=True).get(pk=published.pk) == "cardiology"
    )  # the staff's working value
    assert what_readers_see(client, published) == before

    perform(published, Action.DISCARD, editor)
    assert (
        Article.objects.values_list("specialty__slug", flat=True).get(pk=published.pk) == "obstetrics"
    )  # back with its text
    assert what_readers_see(client, published) == before


def test_a_reviewed_specialty_change_is_published_with_its_version(client, editor, managing, ana, published):
    cardiology = make_specialty("cardiology")
    draft = open_working_draft(published, editor)
    save_draft(
        published,
        valid_content(change_summary="Refiled."),
        expected_revision=draft.revision,
        actor=editor,
        specialty=cardiology,
    )
    submit(published, editor)
    assert what_readers_see(client, published)["api"] == "Obstetrics"  # under review: not yet

    approve_and_publish(published, managing, [ana])
    after = what_readers_see(client, published)
    assert after["api"] == "Cardiology"
    assert after["filter"] == {"obstetrics": [], "cardiology": [published.slug]}
    assert after["index lists it under cardiology"]
