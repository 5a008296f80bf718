"""The feed URL guard (issue 19, item 5): special-purpose address ranges are refused, the
address a fetch connects to is the one the guard resolved and checked (no second DNS lookup
to rebind), and the Host header stays the URL's."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from models.roles import Role
from monitors.feeds.fetch import FeedFetcher, FetchLimits, FetchOutcome, make_client
from tests.feed_server import FeedServer, Route
from tests.integration.conftest import KeyFactory, gql

ADD_FEED = """
mutation($url: String!) {
  addFeed(feed: {url: $url, name: "probe"}) {
    __typename
    ... on FeedRejected { code reason }
  }
}
"""

INTERNAL_URLS = [
    "http://100.100.100.200/latest/meta-data/",  # cloud metadata, shared address space
    "http://100.64.0.1/rss",
    "http://[2002:a00:1::]/rss",  # 6to4 carrying 10.0.0.1
    "http://[2002:6464:64c8::]/rss",  # 6to4 carrying 100.100.100.200
    "http://[64:ff9b::a9fe:a9fe]/rss",  # NAT64 carrying 169.254.169.254
    "http://[::ffff:6464:64c8]/rss",  # IPv4-mapped 100.100.100.200
    "http://[::a00:1]/rss",  # IPv4-compatible 10.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/rss",  # Teredo
    "http://198.18.0.1/rss",  # benchmarking
    "http://[fd00::1]/rss",
]


async def test_special_purpose_addresses_are_refused(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.PR)
    accepted = []
    for url in INTERNAL_URLS:
        body = (await gql(client, key, ADD_FEED, {"url": url})).json()
        result = body["data"]["addFeed"]
        if result["__typename"] != "FeedRejected" or result["code"] != "BLOCKED_URL":
            accepted.append(url)
    assert accepted == []


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as server:
        server.routes["/rss"] = Route(b'<rss version="2.0"><channel></channel></rss>')
        yield server


def _resolver(answers: list[str], calls: list[str]) -> Any:
    """A DNS stand-in: each call answers the next address (the last one repeats)."""

    async def getaddrinfo(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        calls.append(host)
        address = answers[min(len(calls), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    return getaddrinfo


async def test_the_fetch_connects_to_the_address_that_was_checked(
    feed_server: FeedServer,
) -> None:
    calls: list[str] = []
    limits = FetchLimits(timeout_s=5, allow_private=True)
    url = f"http://feeds.pinned.test:{feed_server.port}/rss"  # no such name in real DNS
    async with make_client(limits, resolver=_resolver(["127.0.0.1"], calls)) as http:
        result = await FeedFetcher(http, limits).fetch(url)
    assert result.outcome is FetchOutcome.OK, result.error
    assert calls == ["feeds.pinned.test"]  # resolved once, by the guard
    assert feed_server.hosts["/rss"] == f"feeds.pinned.test:{feed_server.port}"


async def test_a_name_resolving_inward_is_never_connected_to(feed_server: FeedServer) -> None:
    calls: list[str] = []
    limits = FetchLimits(timeout_s=5, allow_private=False)
    url = f"http://feeds.inward.test:{feed_server.port}/rss"
    async with make_client(limits, resolver=_resolver(["127.0.0.1"], calls)) as http:
        result = await FeedFetcher(http, limits).fetch(url)
    assert result.outcome is FetchOutcome.FAILED
    assert (result.error or "").startswith("blocked:")
    assert feed_server.hits["/rss"] == 0


async def test_rebinding_after_the_check_does_not_reach_inside(feed_server: FeedServer) -> None:
    # The first answer is public (and unreachable here), every later one is loopback: a
    # guard that checked one answer and connected by name would meet the loopback server.
    calls: list[str] = []
    limits = FetchLimits(timeout_s=3, allow_private=False)
    url = f"http://feeds.rebind.test:{feed_server.port}/rss"
    resolver = _resolver(["93.184.216.34", "127.0.0.1"], calls)
    async with make_client(limits, resolver=resolver) as http:
        result = await FeedFetcher(http, limits).fetch(url)
    assert result.outcome is FetchOutcome.FAILED
    assert feed_server.hits["/rss"] == 0
    assert len(calls) == 1


async def test_a_redirect_hop_connects_only_to_its_checked_address(
    feed_server: FeedServer,
) -> None:
    # The first hop is the app's own demo feed (connected to on loopback, as RISKWATCH_DEMO
    # allows); it redirects to a name of the attacker's, which must be resolved and checked
    # once, at connection time, like any first hop: whether the name resolves inward at once
    # or rebinds inward after the check, the loopback server never sees the hop.
    hop = f"http://feeds.hop.test:{feed_server.port}/rss"
    feed_server.routes["/demo/feeds/start.xml"] = Route(status=302, redirect_to=hop)
    limits = FetchLimits(
        timeout_s=3,
        allow_private=False,
        demo_feeds_url=f"http://127.0.0.1:{feed_server.port}/demo/feeds/",
    )
    for answers in (["127.0.0.1"], ["93.184.216.34", "127.0.0.1"]):
        calls: list[str] = []
        async with make_client(limits, resolver=_resolver(answers, calls)) as http:
            result = await FeedFetcher(http, limits).fetch(feed_server.url("/demo/feeds/start.xml"))
        assert result.outcome is FetchOutcome.FAILED, answers
        assert calls == ["feeds.hop.test"], answers
    assert feed_server.hits["/demo/feeds/start.xml"] == 2
    assert feed_server.hits["/rss"] == 0
