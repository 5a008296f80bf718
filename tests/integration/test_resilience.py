"""Rate limits per key, and a Neo4j outage answered with 503 and recovered from unaided."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from api.settings import Settings
from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory, LiveServer, gql, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]


async def test_rate_limit_answers_429_with_retry_after(
    settings: Settings, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    limited = settings.model_copy(update={"rate_limit_per_minute": 6, "rate_limit_burst": 2})
    with serve_in_thread(limited) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            statuses = [(await gql(http, key, "{ viewer { role } }")).status_code for _ in range(3)]
            assert statuses == [200, 200, 429]
            refused = await gql(http, key, "{ viewer { role } }")
            assert refused.headers["retry-after"] == "10"
            assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def _neo4j(action: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "neo4j"), action], check=True, env=os.environ.copy())


async def _poll_status(
    http: httpx.AsyncClient, key: str, want: int, deadline_s: float
) -> httpx.Response:
    deadline = time.monotonic() + deadline_s
    while True:
        response = await gql(http, key, "{ viewer { role } }")
        if response.status_code == want or time.monotonic() > deadline:
            return response


async def test_neo4j_outage_is_503_then_recovers(
    live_server: LiveServer, client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    key = await make_key(Role.PR)
    assert (await gql(client, key, "{ viewer { role } }")).status_code == 200
    _neo4j("stop")
    try:
        down = await _poll_status(client, key, 503, 30)
        assert down.status_code == 503
        assert down.headers["retry-after"]
        assert "unavailable" in down.json()["errors"][0]["message"]
        assert (await client.get("/readyz")).status_code == 503
    finally:
        _neo4j("start")
    back = await _poll_status(client, key, 200, 120)
    assert back.status_code == 200
    assert back.json()["data"]["viewer"]["role"] == "PR"
