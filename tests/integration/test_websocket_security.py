"""An open websocket gets the checks HTTP gets (issue 19, item 3): the key is checked again
for every operation and every event, a revoked key closes the socket with 4403, operations
take the key's rate limit, and a message over the request limit closes the socket (1009)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from api.settings import Settings
from graph.access.apikeys import ApiKeyRepository
from graph.client import Graph
from graph.crisis.alerts import AlertRepository
from models.crisis import AlertDraft, AlertKind, Severity
from models.crisis_plan import parse_plan
from models.roles import Role
from monitors.clock import utc_now
from monitors.crisis.plans import DEFAULT_PLAN_FILE
from tests.integration.conftest import KeyFactory, LiveServer, gql, serve_in_thread
from tests.integration.crisis_fixtures import MovableClock
from tests.integration.ws_client import (
    close_code_after,
    open_socket,
    operation,
    subscribe_message,
)

VIEWER = "{ viewer { name role } }"


async def _close_code(socket: ClientConnection, op_id: str, query: str) -> int | None:
    """Run one operation; the close code if the server closed the socket instead."""
    try:
        await operation(socket, op_id, query)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    return None


async def test_a_key_revoked_elsewhere_closes_the_open_socket(
    live_server: LiveServer, graph: Graph, settings: Settings
) -> None:
    key_id, key = await ApiKeyRepository(graph).create("socket", Role.PR, "tests")
    socket = await open_socket(live_server.ws_url, key)
    try:
        answer = await operation(socket, "1", VIEWER)
        assert answer["payload"]["data"]["viewer"]["role"] == "PR"
        # Revoked straight in Neo4j, as `riskwatch apikey revoke` or another server would.
        await ApiKeyRepository(graph).revoke(key_id, "tests")
        revoked_at = time.monotonic()
        n = 1
        while (code := await _close_code(socket, str(n := n + 1), VIEWER)) is None:
            assert time.monotonic() - revoked_at < settings.auth_cache_s + 3.0, "still open"
        assert code == 4403
    finally:
        await socket.close()


async def _revoke_here(client: httpx.AsyncClient, make_key: KeyFactory, key_id: str) -> None:
    """Revoke through this server's revokeApiKey (its key cache forgets the key at once)."""
    admin = await make_key(Role.ADMIN)
    revoke = "mutation($r: String!) { revokeApiKey(ref: $r) }"
    assert (await gql(client, admin, revoke, {"r": key_id})).status_code == 200


async def test_a_key_revoked_through_this_server_closes_the_socket_at_once(
    live_server: LiveServer, client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    key_id, key = await ApiKeyRepository(graph).create("socket-here", Role.RISK, "tests")
    socket = await open_socket(live_server.ws_url, key)
    try:
        assert (await operation(socket, "1", VIEWER))["type"] == "next"
        await _revoke_here(client, make_key, key_id)
        assert await _close_code(socket, "2", VIEWER) == 4403
    finally:
        await socket.close()


async def test_a_revoked_key_gets_no_more_events(
    live_server: LiveServer, client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    key_id, key = await ApiKeyRepository(graph).create("subscriber", Role.PR, "tests")
    socket = await open_socket(live_server.ws_url, key)
    subscribe = "subscription { alertRaised(minSeverity: WATCH) { id subjectId } }"
    await socket.send(json.dumps(subscribe_message("s", subscribe)))
    await _revoke_here(client, make_key, key_id)
    clock = MovableClock(utc_now())  # the broker feeds alerts raised at the real time
    await AlertRepository(graph).raise_alert(
        AlertDraft("subject:after-revocation", None, AlertKind.SPIKE, Severity.WATCH, {}),
        parse_plan(DEFAULT_PLAN_FILE.read_text(encoding="utf-8")),
        clock.now,
        timedelta(hours=1),
    )
    received: list[dict[str, Any]] = []
    assert await close_code_after(socket, [], into=received) == 4403
    assert [m for m in received if m["type"] == "next"] == []


async def test_operations_over_a_socket_take_the_rate_limit(
    settings: Settings, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    with serve_in_thread(
        settings.model_copy(update={"rate_limit_per_minute": 1, "rate_limit_burst": 3})
    ) as server:
        socket = await open_socket(server.ws_url, key)
        answers = [await operation(socket, str(n), VIEWER) for n in range(5)]
        assert [a["type"] for a in answers] == ["next", "next", "next", "error", "error"]
        error = answers[3]["payload"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfter"] >= 1
        # The socket stays open; HTTP shares the same budget.
        async with httpx.AsyncClient(base_url=server.url) as http:
            assert (await gql(http, key, VIEWER)).status_code == 429
        await socket.close()


async def test_a_message_over_the_request_limit_closes_the_socket(
    live_server: LiveServer, settings: Settings, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    socket = await open_socket(live_server.ws_url, key)
    padding = " " * (settings.max_request_bytes + 1)
    huge = json.dumps({"id": "big", "type": "subscribe", "payload": {"query": VIEWER + padding}})
    assert await close_code_after(socket, [huge]) == 1009
    # Other sockets are unaffected.
    fresh = await open_socket(live_server.ws_url, key)
    try:
        assert (await operation(fresh, "1", VIEWER))["type"] == "next"
    finally:
        await fresh.close()
