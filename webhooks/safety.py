"""Where a webhook may go: https, public internet addresses only, checked when sent.

The host is resolved at send time and the connection is made to the address
that was checked (no second lookup that DNS could answer differently), so a
name that later points at 127.0.0.1, 10.x or the cloud metadata service never
reaches the internal network. Redirects are never followed.

The standard library's ``http.client`` is used rather than ``requests``: it
follows no redirects by itself, reads only what it is asked to, and pinning the
checked address takes one overridden ``connect``.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

from outbox.channels import Undeliverable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services, named in the refusal so the reason is plain.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}


class UnsafeTarget(Undeliverable):
    """A URL webhooks must not be sent to. Permanent: retrying cannot make it safe."""


def private_addresses_allowed() -> bool:
    """Tests and local development only: loopback and private addresses, and plain http."""
    return bool(settings.VETTED.get("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False))


def refusal_for(address: IPAddress) -> str | None:
    """Why an address is not a public internet address, or None if it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata service"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "in a private range"
    if address.is_reserved or not address.is_global:
        return "in a reserved range"
    return None


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked IP address to connect to


MAX_PORT = 65535


def _port(parts: SplitResult) -> int | None:
    """The URL's port, None when it names none; ``UnsafeTarget`` when it is not a usable port.

    ``urlsplit`` accepts port 0 (which we would have quietly replaced by the default port) and
    words its own refusals for programmers; this names the port as typed and what is allowed.
    """
    host_and_port = parts.netloc.rpartition("@")[2]
    if host_and_port.startswith("["):  # [IPv6]:port
        typed = host_and_port.partition("]")[2].removeprefix(":")
    else:
        typed = host_and_port.partition(":")[2]
    try:
        port = parts.port
    except ValueError:
        port = 0  # not a number, or out of range: refused below like 0
    if port is None:
        return None
    if not 1 <= port <= MAX_PORT:
        raise UnsafeTarget(f"The URL's port {typed!r} is not valid: a port is a number from 1 to {MAX_PORT}.")
    return port


def _parse(url: str) -> tuple[str, str, int, str]:
    allow_http = private_addresses_allowed()
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise UnsafeTarget(f"The URL is not valid: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise UnsafeTarget("The URL must start with https:// (webhooks are only sent over TLS).")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("The URL must not carry a user name or password; the signature authenticates us.")
    if not parts.hostname:
        raise UnsafeTarget("The URL has no host name.")
    if parts.fragment:
        raise UnsafeTarget("The URL must not have a #fragment (it is never sent to the server).")
    port = _port(parts)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port if port is not None else (443 if scheme == "https" else 80), path


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"The host name {host!r} could not be resolved ({exc}).") from None
    addresses: list[IPAddress] = []
    for info in infos:
        # Drop an IPv6 scope (fe80::1%eth0): the address itself is what is judged.
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeTarget(f"The host name {host!r} has no address.")
    return addresses


def vet(url: str) -> Target:
    """Check a URL and resolve it now; raises ``UnsafeTarget`` with the reason.

    Every address the name resolves to must be public: a name answering with
    one public and one private address is refused, not tried on the good one.
    """
    scheme, host, port, path = _parse(url)
    addresses = _resolve(host, port)
    if not private_addresses_allowed():
        for address in addresses:
            reason = refusal_for(address)
            if reason is not None:
                shown = host if str(address) == host else f"{host} ({address})"
                raise UnsafeTarget(
                    f"The address {shown} is {reason}: webhooks are only sent to public internet addresses."
                )
    return Target(scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, while the socket goes to the vetted address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    start: bytes  # the first bytes of the body, never more


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float, keep_bytes: int) -> Answer:
    """POST ``body`` to the vetted target; reads at most ``keep_bytes`` of the answer."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        start = response.read(keep_bytes) if keep_bytes else b""
        return Answer(response.status, start)
    finally:
        connection.close()
