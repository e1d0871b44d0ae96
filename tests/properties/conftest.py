"""Fixtures of the property tests."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def fast_hashers(settings):
    """Every approval re-checks a password: hash with MD5 here (the factory's shared hash is made
    first, with the project's real hasher, so tests elsewhere never receive an MD5 hash)."""
    factories._password_hash()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
