"""Who is on the other end of a request: the one place the client's address is worked out.

Behind N reverse proxies that each append the address they saw to ``X-Forwarded-For``, the
client is the address written by the outermost of *our* proxies: the (N)th from the right of
``X-Forwarded-For`` + ``REMOTE_ADDR``. Everything to the left of it was sent by the client and
can be anything, so a limiter keyed on it could be dodged at will. With no trusted proxy
(``VETTED["TRUSTED_PROXIES"]`` = 0, the default) the header is ignored and ``REMOTE_ADDR`` is
the client.

The web login's limiter, the API's throttles and the audit trail's "from where" all read it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def trusted_proxies() -> int:
    return max(0, int(settings.VETTED.get("TRUSTED_PROXIES", 0)))


def _address(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, or None when there is no usable one."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    hops = trusted_proxies()
    if hops == 0:
        return remote
    forwarded = [part for part in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    chain = [*forwarded, request.META.get("REMOTE_ADDR") or ""]
    # Fewer entries than proxies: the leftmost was still written by one of ours (each appends).
    chosen = chain[-(hops + 1)] if len(chain) > hops else chain[0]
    # What a trusted proxy wrote is an address; anything else means a proxy is misconfigured,
    # and the connection's own address is the one thing nobody could have forged.
    return _address(chosen) or remote
