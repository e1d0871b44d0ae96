"""The client's address: X-Forwarded-For is believed only as far as our own proxies wrote it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.client_address import client_address


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def proxies(settings):
    def trust(hops: int) -> None:
        settings.VETTED = {**settings.VETTED, "TRUSTED_PROXIES": hops}

    return trust


def test_with_no_trusted_proxy_the_header_is_ignored(proxies):
    proxies(0)
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_the_default_trusts_no_proxy(settings):
    assert settings.VETTED["TRUSTED_PROXIES"] == 0
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("hops", "forwarded", "client"),
    [
        # One proxy (REMOTE_ADDR 10.0.0.1) appended what it saw; anything left of it is the client's word.
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4,5.6.7.8 ,203.0.113.9", "203.0.113.9"),
        # Two proxies: the outer one wrote the client, the inner one wrote the outer one.
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        # Fewer entries than proxies: the leftmost was still written by one of ours.
        (3, "203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "2001:db8::5", "2001:db8::5"),
        # No header behind a trusted proxy, or a proxy writing something that is not an address.
        (1, None, "10.0.0.1"),
        (1, "1.2.3.4, not-an-address", "10.0.0.1"),
    ],
)
def test_behind_trusted_proxies_the_address_they_wrote_is_the_client(proxies, hops, forwarded, client):
    proxies(hops)
    assert client_address(request_from("10.0.0.1", forwarded)) == client


def test_no_usable_address_is_none(proxies):
    proxies(0)
    assert client_address(request_from("")) is None
