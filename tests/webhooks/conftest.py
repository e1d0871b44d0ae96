"""Fixtures for the webhook tests: an integration client, its article, a managing editor,
an endpoint pointing at a real local receiver (loopback allowed by the test-only setting)."""

from __future__ import annotations

import pytest

from accounts.roles import EDITOR, INTEGRATION_CLIENT, MANAGING_EDITOR
from tests.factories import make_article, make_specialty, make_user
from webhooks import endpoints
from webhooks.models import EventKind

from .receiver import running_receiver


@pytest.fixture
def allow_local(settings):
    settings.VETTED = {**settings.VETTED, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": True}


@pytest.fixture
def specialty(db):
    return make_specialty("obstetrics")


@pytest.fixture
def bot(db):
    return make_user("pipeline", INTEGRATION_CLIENT)


@pytest.fixture
def managing(db):
    return make_user("maria", MANAGING_EDITOR)


@pytest.fixture
def editor(db):
    return make_user("eddie", EDITOR)


@pytest.fixture
def article(bot, specialty):
    """A draft the pipeline pushed in (it owns it)."""
    return make_article(bot, specialty, slug="iron-in-pregnancy")


@pytest.fixture
def receiver():
    yield from running_receiver()


@pytest.fixture
def endpoint(receiver, bot, managing, allow_local):
    endpoint, secret = endpoints.register(client=bot, url=receiver.url, kinds=EventKind.values, by=managing)
    receiver.secret = secret
    return endpoint
