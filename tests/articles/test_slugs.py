"""Article slugs: never a word the site's routes use where a slug goes, and an automatic one
never fails a create, even when two creates with the same title race."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from articles import drafting
from articles.drafting import RESERVED_SLUGS, DraftContent, create_article
from articles.models import Article
from audit.models import AuditEvent
from audit.verify import verify as verify_trail
from core.errors import ContentInvalid
from tests.factories import make_specialty

SLUG = "<slug:slug>"


def _routes(resolver: URLResolver, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every path()-route of the URLconf as its segments (regex routes have no literal segments to read)."""
    routes: list[tuple[str, ...]] = []
    for entry in resolver.url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        segments = prefix + tuple(part for part in str(entry.pattern).split("/") if part)
        if isinstance(entry, URLResolver):
            routes.extend(_routes(entry, segments))
        elif isinstance(entry, URLPattern):
            routes.append(segments)
    return routes


def literal_words_in_slug_positions() -> dict[str, list[str]]:
    """Literal segments that sit where some route has an article slug, and the routes they come from."""
    routes = _routes(get_resolver())
    found: dict[str, list[str]] = {}
    for route in routes:
        for position, segment in enumerate(route):
            if segment != SLUG:
                continue
            for other in routes:
                if len(other) > position and other[:position] == route[:position]:
                    word = other[position]
                    if "<" not in word:
                        found.setdefault(word, []).append("/".join(other) + "/")
    return found


def test_the_routes_have_literal_words_where_slugs_go():
    # The walk itself finds what it is meant to (otherwise the next test would pass on nothing).
    found = literal_words_in_slug_positions()
    assert "desk/articles/new/" in found["new"]
    assert "api/v1/articles/batch/" in found["batch"]


def test_every_such_word_is_a_reserved_slug():
    found = literal_words_in_slug_positions()
    unreserved = {word: where for word, where in found.items() if word not in RESERVED_SLUGS}
    assert unreserved == {}, "Add these to articles.drafting.RESERVED_SLUGS (or move the routes)"


@pytest.mark.parametrize("slug", ["new", "batch", "Batch", "NEW"])
def test_a_chosen_reserved_slug_is_refused_and_nothing_is_stored(editor, slug):
    with pytest.raises(ContentInvalid) as refused:
        create_article(
            owner=editor, specialty=make_specialty(), content=DraftContent(title="A title"), slug=slug
        )

    assert f"The slug {slug!r} is reserved" in refused.value.message
    assert list(refused.value.fields) == ["slug"]
    assert not Article.objects.exists()
    assert not AuditEvent.objects.filter(action="article.created").exists()


@pytest.mark.parametrize(("title", "slug"), [("New", "new-2"), ("Batch", "batch-2"), ("  new!  ", "new-2")])
def test_an_automatic_slug_skips_reserved_words(editor, title, slug):
    article = create_article(owner=editor, specialty=make_specialty(), content=DraftContent(title=title))
    assert article.slug == slug


def test_an_automatic_slug_takes_the_next_free_one(editor):
    specialty = make_specialty()
    slugs = [
        create_article(
            owner=editor, specialty=specialty, content=DraftContent(title="Iron in pregnancy")
        ).slug
        for _ in range(3)
    ]
    assert slugs == ["iron-in-pregnancy", "iron-in-pregnancy-2", "iron-in-pregnancy-3"]


def test_an_article_made_on_the_desk_from_a_reserved_title_opens_at_its_own_address(client, editor):
    client.force_login(editor)
    response = client.post(
        "/desk/articles/new/", {"title": "New", "specialty": make_specialty().pk, "summary": ""}
    )
    article = Article.objects.get()
    assert response.status_code == 302 and article.slug == "new-2"
    assert client.get(f"/desk/articles/{article.slug}/").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_creates_with_the_same_title_at_once_both_succeed(editor, monkeypatch):
    """Each thread works out the same free slug before either inserts (the barrier makes sure of
    it): the second insert meets the first's row and must take the next slug, not fail."""
    specialty = make_specialty()
    barrier = threading.Barrier(2)
    waited = threading.local()
    real_unique_slug = drafting.unique_slug

    def unique_slug_then_wait(title: str) -> str:
        slug = real_unique_slug(title)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait(timeout=10)
        return slug

    monkeypatch.setattr(drafting, "unique_slug", unique_slug_then_wait)
    created: list[str] = []
    errors: list[BaseException] = []

    def create():
        try:
            article = create_article(
                owner=editor, specialty=specialty, content=DraftContent(title="Same title")
            )
            created.append(article.slug)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(created) == ["same-title", "same-title-2"]
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["same-title", "same-title-2"]
    assert AuditEvent.objects.filter(action="article.created").count() == 2
    assert verify_trail().ok
