"""A small real HTTP/1.1 server on a loopback port, for feed tests and the feed benchmark.

It speaks just enough HTTP for feed polling and webhook deliveries: GET and POST (the body
is read), ``If-None-Match`` against a route's ETag, gzip, redirects, slow answers, answers
held until the test releases them, arbitrary statuses and headers. Each request is counted
per path when it arrives, so tests can assert who fetched what, and what is in flight.
"""

from __future__ import annotations

import asyncio
import gzip
from collections import Counter
from dataclasses import dataclass, field

from models.rss import RssItem, rss_document


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    gzip: bool = False
    redirect_to: str | None = None
    delay_s: float = 0.0
    # The answer waits until this is set: a request the test keeps in flight.
    hold: asyncio.Event | None = None


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class FeedServer:
    """``async with FeedServer() as server``: routes in ``server.routes``, counts in ``hits``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.conditional_hits: Counter[str] = Counter()
        self.hosts: dict[str, str] = {}  # path -> the Host header of its last request
        self._server: asyncio.Server | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> FeedServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=2048)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for route in self.routes.values():
            if route.hold is not None:
                route.hold.set()  # no handler is left waiting (the client may be gone)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _method, path, _version = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                await reader.readexactly(int(headers.get("content-length", "0")))
                await self._answer(path, headers, writer)
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, path: str, headers: dict[str, str], writer: asyncio.StreamWriter
    ) -> None:
        self.hits[path] += 1
        self.hosts[path] = headers.get("host", "")
        route = self.routes.get(path, Route(status=404, body=b"not found"))
        if route.hold is not None:
            await route.hold.wait()
        if route.delay_s:
            await asyncio.sleep(route.delay_s)
        status, body = route.status, route.body
        extra = dict(route.headers)
        if route.redirect_to is not None:
            extra["Location"] = route.redirect_to
        if route.etag is not None:
            extra["ETag"] = route.etag
            if "if-none-match" in headers:
                self.conditional_hits[path] += 1
                if headers["if-none-match"] == route.etag:
                    status, body = 304, b""
        if route.gzip and body and "gzip" in headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            extra["Content-Encoding"] = "gzip"
        head = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
            f"Content-Type: {route.content_type}",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{k}: {v}" for k, v in extra.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()


# Feed documents for tests are the same RSS the demo feeds serve.
Item = RssItem
__all__ = ["FeedServer", "Item", "Route", "rss_document"]
