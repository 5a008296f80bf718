"""Which feed URLs may be fetched: http(s) only, and never internal addresses by default.

A feed URL is caller input, so fetching it must not become a way to reach the insurer's own
network (SSRF). Every hop of a redirect chain is checked again, after DNS resolution.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import anyio

from models.errors import InvalidInput

ALLOWED_SCHEMES = frozenset({"http", "https"})


class BlockedUrl(InvalidInput):
    """The URL may not be fetched: wrong scheme, or it points at an internal address."""

    code = "BLOCKED_URL"


def _blocked_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
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


def check_url_shape(url: str, *, allow_private: bool) -> str:
    """The URL's host after checking scheme and host syntax (no DNS); raises BlockedUrl."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises on a port that is not a number in range
    except ValueError as error:
        raise BlockedUrl(f"the feed URL is malformed: {error}") from error
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise BlockedUrl(f"only http and https feeds are allowed, not {parts.scheme or 'none'!r}")
    host = parts.hostname
    if not host:
        raise BlockedUrl("the feed URL has no host")
    if parts.username or parts.password:
        raise BlockedUrl("credentials in feed URLs are not allowed")
    if not allow_private:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise BlockedUrl(f"the feed host {host!r} is internal")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            return host
        if _blocked_address(literal):
            raise BlockedUrl(f"the feed address {host} is private or reserved")
    return host


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise BlockedUrl unless ``url`` is http(s) and every address it resolves to is public."""
    host = check_url_shape(url, allow_private=allow_private)
    if allow_private:
        return
    port = urlsplit(url.strip()).port or 443  # valid: check_url_shape parsed it
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise BlockedUrl(f"the feed host {host!r} does not resolve") from error
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if _blocked_address(address):
            raise BlockedUrl(f"the feed host {host!r} resolves to a private or reserved address")
