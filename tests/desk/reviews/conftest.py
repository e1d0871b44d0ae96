"""The review pages' tests use the reviewing tests' people and article (and their fast password
checks): the fixtures are defined once, in tests/reviews/conftest.py."""

from tests.reviews.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    article,
    editor,
    fast_password_checks,
    managing,
    reviewer,
    reviewer2,
    specialty,
)
