"""The inbox pages' tests use the editors and articles of the articles tests: their fixtures
are defined once, in tests/articles/conftest.py."""

from tests.articles.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    draft_article,
    editor,
    fresh_cache,
    managing,
    submitted_article,
)
