"""A graphql-transport-ws client for tests: open an authenticated socket, run operations,
and read how the server closed it."""

from __future__ import annotations

import json
from typing import Any

import anyio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")


async def open_socket(url: str, key: str) -> ClientConnection:
    """A socket past ``connection_ack`` for ``key``."""
    socket = await connect(url, subprotocols=[PROTOCOL])
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    )
    with anyio.fail_after(10):
        assert json.loads(await socket.recv())["type"] == "connection_ack"
    return socket


def subscribe_message(op_id: str, query: str) -> dict[str, Any]:
    """A ``subscribe`` message (queries and mutations go over the socket the same way)."""
    return {"id": op_id, "type": "subscribe", "payload": {"query": query}}


async def operation(socket: ClientConnection, op_id: str, query: str) -> dict[str, Any]:
    """Run one operation; its first answer (``next`` or ``error``)."""
    await socket.send(json.dumps(subscribe_message(op_id, query)))
    with anyio.fail_after(10):
        while True:
            message: dict[str, Any] = json.loads(await socket.recv())
            if message.get("id") == op_id and message["type"] in ("next", "error"):
                return message


async def close_code_after(
    socket: ClientConnection,
    messages: list[dict[str, Any]] | list[str],
    into: list[Any] | None = None,
) -> int | None:
    """Send ``messages`` (dicts as JSON, strings as they are), then read (into ``into``)
    until the server closes the socket; its close code (None: closed without one)."""
    try:
        for message in messages:
            await socket.send(message if isinstance(message, str) else json.dumps(message))
        with anyio.fail_after(15):
            while True:
                received = json.loads(await socket.recv())
                if into is not None:
                    into.append(received)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
