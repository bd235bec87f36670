"""Where a webhook may go: no server-side request forgery.

A partner types the URL, and our worker POSTs to it from inside our network: an address like
http://127.0.0.1:6379 or http://169.254.169.254/ (a cloud's metadata service) would turn the
worker into the partner's way in. So an endpoint must be https and every address its name
resolves to must be a public one; checked when it is saved and again at each delivery, which
then connects to the very address it checked, so a name re-pointed in between (DNS rebinding)
gains nothing. WEBHOOK_ALLOW_LOCAL (development and tests only) lifts both rules.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class Refused(Exception):
    """The URL or the address it resolves to may not be called; the message says why."""


def _port(parts) -> int:
    try:
        port = parts.port
    except ValueError:
        raise Refused("The URL's port is not a number from 1 to 65535.") from None
    return port or (443 if parts.scheme == "https" else 80)


def check_url(url: str) -> tuple[str, int]:
    """(host, port) of a URL a webhook may be sent to, or Refused saying why not."""
    parts = urlsplit(url.strip())
    allow_local = settings.WEBHOOK_ALLOW_LOCAL
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused("Give a full URL, like https://example.com/webhooks.")
    if parts.scheme != "https" and not allow_local:
        raise Refused("The URL must start with https://: deliveries carry customers' details.")
    if parts.username or parts.password:
        raise Refused("Leave the user name and password out of the URL; check the signature.")
    return parts.hostname, _port(parts)


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, private, link-local, shared (CGNAT), reserved and the
    # documentation ranges; multicast is never a web server.
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> str:
    """The address to connect to for `host`; Refused if it does not resolve or any address it
    resolves to is internal (one public and one private answer is a rebinding trick)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(f"{host} does not resolve to an address.") from None
    addresses = [answer[4][0] for answer in answers]
    if not addresses:
        raise Refused(f"{host} does not resolve to an address.")
    if not settings.WEBHOOK_ALLOW_LOCAL:
        for address in addresses:
            if _internal(address):
                raise Refused(f"{host} resolves to {address}, an internal address.")
    return addresses[0]


def check_endpoint(url: str) -> str:
    """The address a URL would be delivered to now; Refused saying why it may not be."""
    host, port = check_url(url)
    return resolve(host, port)
