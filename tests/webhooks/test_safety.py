"""Which URLs and addresses webhooks may go to (production rules, the setting off)."""

from __future__ import annotations

import ipaddress

import pytest

from webhooks.safety import UnsafeTarget, refusal_for, vet


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("10.0.0.8", "in a private range"),
        ("172.16.5.4", "in a private range"),
        ("192.168.1.1", "in a private range"),
        ("fd12:3456::1", "in a private range"),
        ("169.254.169.254", "a cloud metadata service"),
        ("169.254.10.10", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("0.0.0.0", "the unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("100.64.0.1", "in a reserved range"),
        ("192.0.2.10", "in a private range"),  # documentation range
        ("93.184.215.14", None),
        ("2606:4700::6810:85e5", None),
    ],
)
def test_only_public_internet_addresses_pass(address, reason):
    assert refusal_for(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://93.184.215.14/hook", "must start with https://"),
        ("ftp://93.184.215.14/hook", "must start with https://"),
        ("https://user:pw@93.184.215.14/hook", "user name or password"),
        ("https:///hook", "no host name"),
        ("https://93.184.215.14:99999/", "not valid"),
        ("https://93.184.215.14/hook#frag", "#fragment"),
        ("https://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
        ("https://[::1]:8443/hook", "::1 is a loopback address"),
        ("https://169.254.169.254/latest/meta-data/", "a cloud metadata service"),
        ("https://localhost/hook", "is a loopback address"),
        ("https://no-such-host.invalid/hook", "could not be resolved"),
    ],
)
def test_unsafe_urls_are_refused_with_the_reason(url, says, settings):
    assert not settings.VETTED.get("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES")
    with pytest.raises(UnsafeTarget) as refused:
        vet(url)
    assert says in str(refused.value)


BAD_PORTS = ["0", "00", "65536", "99999", "abc", "-1", "+443", "4 43"]


@pytest.mark.parametrize("port", BAD_PORTS)
@pytest.mark.parametrize("allow_private", [False, True])
def test_a_port_that_is_not_1_to_65535_is_refused_naming_it(port, allow_private, settings):
    # Port 0 used to pass (and quietly become 443); the others were refused in urllib's words.
    settings.VETTED = {**settings.VETTED, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": allow_private}
    for host in ("93.184.215.14", "[2606:4700::6810:85e5]"):
        with pytest.raises(UnsafeTarget) as refused:
            vet(f"https://{host}:{port}/hook")
        assert (
            str(refused.value) == f"The URL's port {port!r} is not valid: a port is a number from 1 to 65535."
        )


@pytest.mark.parametrize(("port", "connects_to"), [("1", 1), ("8443", 8443), ("65535", 65535), ("", 443)])
def test_ports_1_to_65535_and_no_port_are_accepted(port, connects_to):
    assert (
        vet(f"https://93.184.215.14:{port}/hook" if port else "https://93.184.215.14/hook").port
        == connects_to
    )


def test_a_public_https_url_is_vetted_to_the_address_it_will_connect_to():
    target = vet("https://93.184.215.14:8443/hooks/vetted?client=7")
    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        "93.184.215.14",
        8443,
        "/hooks/vetted?client=7",
        "93.184.215.14",
    )


def test_the_test_setting_allows_loopback_and_plain_http(settings):
    settings.VETTED = {**settings.VETTED, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": True}
    assert vet("http://127.0.0.1:9000/x").address == "127.0.0.1"
