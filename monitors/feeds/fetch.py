"""Fetching a feed politely and defensively with httpx.

Conditional GET (ETag / Last-Modified), gzip (httpx decodes it), a timeout for the whole
request, a size cap enforced while streaming (so a huge or gzip-bomb body is cut off early),
redirects followed by hand with a bound and each hop re-checked by the URL guard (its shape
here, its resolved addresses when the connection is made: ``make_client``'s transport
connects only to addresses the guard checked), and 429/503 with ``Retry-After`` reported so
the caller can back off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import anyio
import httpcore
import httpx

from monitors.feeds.demo_allowance import within_demo_allowance
from monitors.feeds.url_guard import (
    BlockedUrl,
    GuardedNetworkBackend,
    Resolver,
    check_url_shape,
)

USER_AGENT = "riskwatch-media-monitor/0.1 (+feed polling; honours Retry-After)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_THROTTLED = frozenset({429, 503})


class FetchOutcome(StrEnum):
    """How a fetch ended."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"


@dataclass(frozen=True)
class FetchLimits:
    """Bounds on one fetch."""

    timeout_s: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_private: bool = False
    # The app's own demo feeds (RISKWATCH_DEMO=true only): see monitors.feeds.demo_allowance.
    demo_feeds_url: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """What a fetch returned: a body (OK), nothing new (NOT_MODIFIED), or an error (FAILED)."""

    outcome: FetchOutcome
    url: str
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    status_code: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    elapsed_s: float = 0.0


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class DocumentFetcher(Protocol):
    """What the pipeline fetches feeds with: :class:`FeedFetcher`, or the demo's corpus."""

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


class FeedFetcher:
    """Fetches feed documents through one shared ``httpx.AsyncClient``."""

    def __init__(self, client: httpx.AsyncClient, limits: FetchLimits) -> None:
        self.client = client
        self.limits = limits

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch ``url`` once (following bounded redirects); never raises for network errors."""
        started = time.perf_counter()
        try:
            with anyio.fail_after(self.limits.timeout_s):
                result = await self._follow(url, etag, last_modified)
        except TimeoutError:
            result = FetchResult(
                FetchOutcome.FAILED, url, error=f"timed out after {self.limits.timeout_s:g} s"
            )
        except BlockedUrl as error:
            result = FetchResult(FetchOutcome.FAILED, url, error=f"blocked: {error.message}")
        except httpx.HTTPError as error:
            result = FetchResult(
                FetchOutcome.FAILED, url, error=f"{type(error).__name__}: {error}"[:300]
            )
        return FetchResult(**{**result.__dict__, "elapsed_s": time.perf_counter() - started})

    async def _follow(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.limits.max_redirects + 1):
            if not within_demo_allowance(current, self.limits.demo_feeds_url):
                check_url_shape(current, allow_private=self.limits.allow_private)
            async with self.client.stream("GET", current, headers=headers) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                return await self._read(current, response)
        return FetchResult(
            FetchOutcome.FAILED,
            current,
            error=f"more than {self.limits.max_redirects} redirects",
        )

    async def _read(self, url: str, response: httpx.Response) -> FetchResult:
        status = response.status_code
        if status == 304:
            return FetchResult(
                FetchOutcome.NOT_MODIFIED,
                url,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                status_code=status,
            )
        if status != 200:
            retry = None
            if status in _THROTTLED:
                retry = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
            return FetchResult(
                FetchOutcome.FAILED,
                url,
                status_code=status,
                error=f"HTTP {status}",
                retry_after_s=retry,
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            return self._too_big(url, status)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.limits.max_bytes:
                return self._too_big(url, status)
            chunks.append(chunk)
        return FetchResult(
            FetchOutcome.OK,
            url,
            body=b"".join(chunks),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            status_code=status,
        )

    def _too_big(self, url: str, status: int) -> FetchResult:
        return FetchResult(
            FetchOutcome.FAILED,
            url,
            status_code=status,
            error=f"response over {self.limits.max_bytes} bytes",
        )


def _origin(url: str | None) -> tuple[str, int] | None:
    """The host and port of the app's own demo feeds, which the guard lets connections reach
    (the paths allowed there are checked per hop: monitors.feeds.demo_allowance)."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def guarded_transport(
    limits: FetchLimits, max_connections: int, resolver: Resolver = anyio.getaddrinfo
) -> httpx.AsyncHTTPTransport:
    """httpx's transport over :class:`GuardedNetworkBackend`: every connection goes to an
    address the URL guard resolved and checked, with TLS verified for the URL's host name."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx builds its connection pool without a way to pass the network backend: the pool
    # is rebuilt with the same options and the guarded backend (one connection pool, no
    # proxy: feeds are fetched directly).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=max_connections,
        max_keepalive_connections=min(20, max_connections),
        keepalive_expiry=5.0,
        network_backend=GuardedNetworkBackend(
            limits.allow_private, resolver, exempt=_origin(limits.demo_feeds_url)
        ),
    )
    return transport


def make_client(
    limits: FetchLimits, max_connections: int = 100, resolver: Resolver = anyio.getaddrinfo
) -> httpx.AsyncClient:
    """The client the monitor shares across feeds (redirects are followed by hand); its
    connections resolve names with ``resolver`` (tests give a fixed one)."""
    return httpx.AsyncClient(
        transport=guarded_transport(limits, max_connections, resolver),
        follow_redirects=False,
        timeout=httpx.Timeout(limits.timeout_s),
        trust_env=False,
    )
