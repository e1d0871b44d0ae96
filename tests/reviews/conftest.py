"""Fixtures for the reviewing tests: a submitted article, a managing editor, two board members."""

from __future__ import annotations

import pytest

from accounts.roles import EDITOR, MANAGING_EDITOR
from tests import factories
from tests.factories import make_article, make_specialty, make_user, submit
from tests.reviews.helpers import make_reviewer


@pytest.fixture(autouse=True)
def fast_password_checks(settings):
    """Every approval re-checks the password; with the real hasher that is ~0.5 s each.

    The shared factory caches one hash for all tests: it is made first, with the
    project's real hasher, so tests elsewhere never receive an MD5 hash.
    """
    factories._password_hash()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture
def specialty(db):
    return make_specialty("obstetrics")


@pytest.fixture
def editor(db):
    return make_user("editor", EDITOR)


@pytest.fixture
def managing(db):
    return make_user("managing", MANAGING_EDITOR)


@pytest.fixture
def reviewer(specialty):
    return make_reviewer("ana", specialty, display_name="Dr Ana Reyes", credentials="MD")


@pytest.fixture
def reviewer2(specialty):
    return make_reviewer("ben", specialty, display_name="Dr Ben Okafor", credentials="MD, FACOG")


@pytest.fixture
def article(editor, specialty):
    """A submitted article (version 1 frozen), no reviewer yet."""
    return submit(make_article(editor, specialty), editor)
