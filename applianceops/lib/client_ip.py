"""The one place that decides which address a request came from."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    """`text` as one canonical address, an IPv4-mapped IPv6 address as the IPv4 it maps;
    None if it is no address.

    A dual-stack listener reports an IPv4 client as ::ffff:a.b.c.d. Read as IPv6, every such
    client would fall in the one ::ffff:0:0/64 and share a single rate limit.
    """
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with NUM_PROXIES = N the N-th from the right of
    X-Forwarded-For.

    Only the addresses our own proxies appended can be trusted: anything further left was sent
    by the client and can be forged to pick a fresh rate-limit bucket.
    """
    remote = _address(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request did not come through all of them, so the
        # leftmost address we have is the best we can trust.
        return (_address(forwarded[0]) if forwarded else None) or remote
    return _address(forwarded[-proxies]) or remote


def client_ip_bucket(request: HttpRequest) -> str:
    """The rate-limit key for a client: its IPv4 address, or its IPv6 /64 network.

    One IPv6 subscriber usually holds a whole /64, so per-address limits would be no limit.
    """
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
