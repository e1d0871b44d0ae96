import pytest

from accounts.roles import EDITOR, MANAGING_EDITOR
from tests.factories import make_user


@pytest.fixture
def editor(db):
    return make_user("editor", EDITOR)


@pytest.fixture
def managing(db):
    return make_user("managing", MANAGING_EDITOR)


@pytest.fixture
def fresh_cache():
    """An empty cache: test databases reuse primary keys, so cached pages of one test's
    articles must not meet the next test's (a real database never reuses them)."""
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()
