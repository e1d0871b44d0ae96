"""Fixtures for the API tests: the people of every role, and clients that act as them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from tests import factories
from tests.api.helpers import World, build_world

FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters and the public read-side live in the cache: each test starts empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_checks(settings):
    """Signing and the token exchange check passwords; with the real hasher that is ~0.5 s each.

    The factory's shared hash is made first, with the project's real hasher, so tests
    elsewhere never receive an MD5 hash; the users here get theirs re-hashed (``fast_user``).
    """
    factories._password_hash()
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    # Building the world takes a couple of seconds of real workflow calls, so it is built once per
    # module inside a transaction that is rolled back at the end; each test runs in a savepoint of
    # it (the ``db`` fixture), so whatever a test changes is undone before the next one.
    factories._password_hash()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db) -> World:
    return _module_world
