"""A real local HTTP server that records webhook deliveries, and can go down and come back.

Minimal HTTP/1.1 on asyncio streams (one request per connection), so tests and the latency
benchmark control exactly when the receiver is reachable.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class WebhookReceiver:
    """Records every POST; answers ``answer`` (a JSON body) with ``status``."""

    port: int = field(default_factory=free_port)
    status: int = 200
    answer: bytes = b'{"errcode":0,"errmsg":"ok"}'
    received: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def keys(self) -> list[str]:
        return [r.headers.get("x-riskwatch-idempotency-key", "") for r in self.received]

    async def wait_for(self, count: int, deadline_s: float = 10.0) -> None:
        """Wait (with a deadline) until ``count`` deliveries arrived."""
        async with asyncio.timeout(deadline_s):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.received.append(Received(path, headers, body, time.perf_counter()))
            self.arrived.set()
            reason = b"OK" if self.status < 400 else b"Error"
            writer.write(
                b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                b"Connection: close\r\n\r\n%s"
                % (self.status, reason, len(self.answer), self.answer)
            )
            await writer.drain()
        finally:
            writer.close()
