"""The editor's desk tests use the same people and articles as the articles tests: their
fixtures are defined once, in tests/articles/conftest.py."""

from tests.articles.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    draft_article,
    editor,
    fresh_cache,
    managing,
    submitted_article,
)
