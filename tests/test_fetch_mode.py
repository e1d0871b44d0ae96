"""The suite runs with lazy fetches blocked (tests/conftest.py). These prove the switch still
takes effect: it sets a module default of Django's, which a Django upgrade could move."""

import pytest
from django.core.exceptions import FieldFetchBlocked
from django.db import models

from accounts.roles import EDITOR
from articles.models import Article
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_in_raise_mode(request):
    if request.config.getoption("--fetch-mode") != "raise":
        pytest.skip("the session was started with another --fetch-mode")


@pytest.fixture
def article():
    return make_article(make_user("writer", EDITOR))


def test_a_relation_the_query_did_not_load_is_blocked(article):
    loaded = Article.objects.get(pk=article.pk)
    with pytest.raises(FieldFetchBlocked, match=r"Article\.owner"):
        loaded.owner  # noqa: B018


def test_a_deferred_field_is_blocked(article):
    loaded = Article.objects.only("pk").get(pk=article.pk)
    with pytest.raises(FieldFetchBlocked, match=r"Article\.title"):
        loaded.title  # noqa: B018


def test_objects_fetched_through_a_relation_keep_the_mode(article):
    version = Article.objects.select_related("owner").get(pk=article.pk).versions.get()
    with pytest.raises(FieldFetchBlocked, match=r"ArticleVersion\.author"):
        version.author  # noqa: B018


def test_joined_relations_and_the_declared_escape_are_not_blocked(article):
    assert Article.objects.select_related("owner").get(pk=article.pk).owner.username == "writer"
    assert Article.objects.fetch_mode(models.FETCH_ONE).get(pk=article.pk).owner.username == "writer"
