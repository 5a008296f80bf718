"""Which feed URLs may be fetched: http(s) only, and never internal addresses by default.

A feed URL is caller input, so fetching it must not become a way to reach the insurer's own
network or a cloud metadata service (SSRF). Two layers:

- :func:`check_url_shape` refuses wrong schemes, credentials in URLs, internal names and
  internal address literals, before anything is sent (also at every redirect hop);
- :class:`GuardedNetworkBackend` sits under httpx: it resolves a host once, refuses it if any
  address is internal, and connects to an address it checked (the name is never resolved
  again between the check and the connection, so DNS rebinding has no window). TLS still
  verifies and sends SNI for the host name, and the Host header is the URL's. Every
  connection goes through it, so every redirect hop is checked after resolution too.

Blocked: every range that is not globally routable (RFC 6890 special-purpose registries:
private, shared address space 100.64.0.0/10 where cloud metadata lives, loopback,
link-local, documentation, benchmarking, reserved, multicast, broadcast, ULA, site-local,
discard, ORCHID, Teredo, 6to4 relays) and any IPv6 address that carries an IPv4 address
(IPv4-mapped, IPv4-compatible, NAT64, 6to4, ISATAP) whose IPv4 address is blocked; 6to4
(2002::/16) and the local-use NAT64 prefix are blocked whole.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore

from models.errors import InvalidInput

ALLOWED_SCHEMES = frozenset({"http", "https"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# anyio.getaddrinfo's shape: (host, port, type=...) -> [(family, type, proto, name, sockaddr)]
Resolver = Callable[..., Awaitable[list[tuple[Any, ...]]]]

_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        # IPv4 (RFC 6890 and successors)
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (carrier NAT; cloud metadata 100.100.100.200)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local (cloud metadata 169.254.169.254)
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.31.196.0/24",  # AS112
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "192.175.48.0/24",  # AS112 direct delegation
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        # IPv6
        "::/96",  # unspecified, loopback and IPv4-compatible addresses
        "::ffff:0:0/96",  # IPv4-mapped (its IPv4 address is checked as well)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments: Teredo, ORCHID, benchmarking...
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4: tunnels to any IPv4 address, private ones included
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")


class BlockedUrl(InvalidInput):
    """The URL may not be fetched: wrong scheme, or it points at an internal address."""

    code = "BLOCKED_URL"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, ISATAP)."""
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _MAPPED or address in _NAT64 or int(address) >> 32 == 0:
        return low32
    if address.sixtofour is not None:
        return address.sixtofour
    if (int(address) >> 32) & 0xFDFFFFFF == 0x00005EFE:  # ISATAP interface identifier
        return low32
    return None


def is_blocked_address(address: IPAddress) -> bool:
    """Whether a feed may not be fetched from ``address``."""
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Address(int(address))  # without a scope id
        embedded = _embedded_ipv4(address)
        if embedded is not None and is_blocked_address(embedded):
            return True
    return (
        any(address in network for network in _BLOCKED_NETWORKS)
        or not address.is_global
        or address.is_multicast
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


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
        literal = _literal(host)
        if literal is not None and is_blocked_address(literal):
            raise BlockedUrl(f"the feed address {host} is private or reserved")
    return host


async def resolve_checked(
    host: str, port: int, *, allow_private: bool, resolver: Resolver = anyio.getaddrinfo
) -> list[str]:
    """The addresses ``host`` resolves to, once; BlockedUrl if it does not resolve or if
    any of them is internal (unless ``allow_private``)."""
    literal = _literal(host)
    if literal is not None:
        found: Iterable[str] = [str(literal)]
    else:
        try:
            infos = await resolver(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise BlockedUrl(f"the feed host {host!r} does not resolve") from error
        found = dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos)
    addresses = list(found)
    if not addresses:
        raise BlockedUrl(f"the feed host {host!r} does not resolve")
    if not allow_private and any(is_blocked_address(ipaddress.ip_address(a)) for a in addresses):
        raise BlockedUrl(f"the feed host {host!r} resolves to a private or reserved address")
    return addresses


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise BlockedUrl unless ``url`` is http(s) and every address it resolves to is public
    (a check ahead of time; fetching re-checks at connection time)."""
    host = check_url_shape(url, allow_private=allow_private)
    port = urlsplit(url.strip()).port or 443  # valid: check_url_shape parsed it
    await resolve_checked(host, port, allow_private=allow_private)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses :func:`resolve_checked`
    allowed, and never to Unix sockets. ``exempt`` is one (host, port) connected to without
    the check: the app's own demo feeds (RISKWATCH_DEMO only), whose URLs are held to the
    demo documents before any connection (``monitors.feeds.demo_allowance``)."""

    def __init__(
        self,
        allow_private: bool,
        resolver: Resolver = anyio.getaddrinfo,
        exempt: tuple[str, int] | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.exempt = exempt
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first checked address of ``host`` that answers."""
        addresses = await resolve_checked(
            host,
            port,
            allow_private=self.allow_private or (host, port) == self.exempt,
            resolver=self.resolver,
        )
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never: feeds are fetched over TCP."""
        raise BlockedUrl("feeds are not fetched over Unix sockets")

    async def sleep(self, seconds: float) -> None:
        """As httpcore's own backend."""
        await self._inner.sleep(seconds)
