"""Refusing HTTP destinations inside the network (SSRF): only http(s) to public addresses.

A URL's host is resolved and every address it resolves to must be public: private,
loopback, link-local, multicast, reserved and unspecified addresses (and IPv4 ones mapped
into IPv6) are refused unless the administrator allows them
(`[exports] allow_private_addresses = true`). The check runs when a destination is added,
tested, and before every request; redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from segmint.exports.base import DestinationError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_url_shape(url: str) -> str:
    """An absolute http(s) URL with a host, without credentials; else a DestinationError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationError(f"{url!r} is not an http(s) URL with a host")
    if parts.username or parts.password:
        raise DestinationError("put credentials in the destination's secret, not in its URL")
    return url


def internal(address: Address) -> bool:
    """Whether an address is one a server-side request must not reach by default."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationError(f"cannot resolve {host!r}: {exc}") from None
    found: list[Address] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone
        found.append(ipaddress.ip_address(text))
    return found


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse a URL that is malformed or whose host resolves to an internal address."""
    parts = urlsplit(check_url_shape(url))
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if allow_private:
        return
    for address in resolve(host, port):
        if internal(address):
            raise DestinationError(
                f"{host} resolves to {address}, a private, loopback or link-local address; "
                "an administrator can allow such addresses with "
                "[exports] allow_private_addresses = true"
            )
