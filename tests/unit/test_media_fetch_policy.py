"""Pure fetch policy: URL guard shapes, Retry-After, backoff and feed health transitions."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from graph.media.feeds import FeedRecord
from monitors.feeds.fetch import (
    FeedFetcher,
    FetchLimits,
    FetchOutcome,
    FetchResult,
    retry_after_seconds,
)
from monitors.feeds.health import MAX_BACKOFF, backoff, poll_record
from monitors.feeds.parse import ParsedFeed
from monitors.feeds.url_guard import BlockedUrl, check_url, check_url_shape, is_blocked_address

NOW = datetime(2024, 10, 18, 8, 0, tzinfo=UTC)
FEED = FeedRecord(id="feed:1", url="https://a.example.cn/rss", name="a", poll_interval_s=300)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://a.example.cn/rss",
        "javascript:alert(1)",
        "http://user:pw@a.example.cn/rss",
        "http://127.0.0.1/rss",
        "http://0.0.0.0/rss",
        "http://192.168.1.10/rss",
        "http://[fe80::1]/rss",
        "http://[::ffff:10.0.0.1]/rss",
        "http://224.0.0.1/rss",
        "http://metadata.internal/rss",
        "http://[::1/rss",
        "http://a.example.cn:99999/rss",
    ],
)
def test_url_shapes_that_are_refused(url: str) -> None:
    with pytest.raises(BlockedUrl):
        check_url_shape(url, allow_private=False)


def test_loopback_is_allowed_only_when_configured() -> None:
    assert check_url_shape("http://127.0.0.1:9/rss", allow_private=True) == "127.0.0.1"
    assert check_url_shape("https://news.example.cn/rss", allow_private=False) == "news.example.cn"


async def test_resolved_loopback_is_refused() -> None:
    with pytest.raises(BlockedUrl):
        await check_url("http://127.0.0.1:9/rss", allow_private=False)
    await check_url("http://127.0.0.1:9/rss", allow_private=True)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("120", NOW) == 120.0
    assert retry_after_seconds("Fri, 18 Oct 2024 08:10:00 GMT", NOW) == 600.0
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None


def test_backoff_doubles_and_is_capped() -> None:
    assert backoff(300, 1) == timedelta(seconds=600)
    assert backoff(300, 2) == timedelta(seconds=1200)
    assert backoff(300, 40) == MAX_BACKOFF


def _parsed(version: str = "rss20") -> ParsedFeed:
    return ParsedFeed(entries=[], bozo=False, bozo_reason=None, language=None, version=version)


def test_success_resets_failures_and_keeps_validators() -> None:
    failing = FeedRecord(**{**FEED.__dict__, "consecutive_failures": 2})
    ok = FetchResult(FetchOutcome.OK, FEED.url, etag='"e"', status_code=200)
    record = poll_record(failing, ok, _parsed(), NOW, 5)
    assert record.props["consecutive_failures"] == 0
    assert record.props["etag"] == '"e"'
    assert record.props["next_poll_at"] == NOW + timedelta(seconds=300)


def test_failures_back_off_honour_retry_after_and_disable_at_the_threshold() -> None:
    throttled = FetchResult(
        FetchOutcome.FAILED, FEED.url, status_code=429, error="HTTP 429", retry_after_s=3600
    )
    first = poll_record(FEED, throttled, None, NOW, 3)
    assert first.props["next_poll_at"] == NOW + timedelta(seconds=3600)
    assert "enabled" not in first.props
    third = poll_record(
        FeedRecord(**{**FEED.__dict__, "consecutive_failures": 2}),
        FetchResult(FetchOutcome.FAILED, FEED.url, error="HTTP 500"),
        None,
        NOW,
        3,
    )
    assert third.props["enabled"] is False
    assert third.props["disabled_reason"] == "3 consecutive failures, last: HTTP 500"


def test_a_document_that_is_no_feed_counts_as_a_failure() -> None:
    ok = FetchResult(FetchOutcome.OK, FEED.url, status_code=200)
    record = poll_record(FEED, ok, _parsed(version=""), NOW, 5)
    assert record.props["consecutive_failures"] == 1
    assert str(record.props["last_error"]).startswith("not a usable feed")
    empty_but_valid = poll_record(FEED, ok, _parsed(), NOW, 5)
    assert empty_but_valid.props["consecutive_failures"] == 0


async def test_every_redirect_hop_is_checked_against_the_url_guard() -> None:
    requested: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://127.0.0.1:8080/admin"})

    limits = FetchLimits(timeout_s=5, allow_private=False)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        result = await FeedFetcher(client, limits).fetch("http://93.184.216.34/feed.xml")
    assert result.outcome is FetchOutcome.FAILED
    assert (result.error or "").startswith("blocked:")
    assert requested == ["http://93.184.216.34/feed.xml"], "the internal hop is never requested"


async def test_bodies_over_the_cap_are_cut_off_while_streaming() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 4096

    def answer(request: httpx.Request) -> httpx.Response:
        # No Content-Length: the cap must hold while the body streams in.
        return httpx.Response(200, content=chunks())

    limits = FetchLimits(timeout_s=5, max_bytes=10_000, allow_private=True)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        result = await FeedFetcher(client, limits).fetch("http://127.0.0.1/feed.xml")
    assert result.error == "response over 10000 bytes"
    assert result.body == b""


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # cloud metadata in shared address space (100.64.0.0/10)
        "100.64.0.1",
        "169.254.169.254",
        "192.0.0.170",
        "198.18.0.1",
        "192.88.99.1",
        "255.255.255.255",
        "2002:a00:1::",  # 6to4 of 10.0.0.1
        "2002:5db8:d822::1",  # 6to4 of a public address: the prefix is blocked whole
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::1",  # local-use NAT64
        "::ffff:100.100.100.200",  # IPv4-mapped
        "::a00:1",  # IPv4-compatible
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "2400:cb00::200:5efe:a00:1",  # ISATAP carrying 10.0.0.1
        "fd00::1",
        "fec0::1",
        "fe80::1",
        "3fff::1",
        "5f00::1",
        "ff02::1",
    ],
)
def test_special_addresses_are_blocked(address: str) -> None:
    assert is_blocked_address(ipaddress.ip_address(address))
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(BlockedUrl):
        check_url_shape(f"http://{host}/rss", allow_private=False)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:4700::1111", "64:ff9b::5db8:d822", "2400:cb00::1"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_blocked_address(ipaddress.ip_address(address))
