"""Integration fixtures: the real Neo4j that scripts/test started, and a live HTTP server.

Every test starts from an empty database (``graph`` wipes it), so tests never see each
other's data. The server runs uvicorn in a thread on a free loopback port, for the whole
session; tests talk to it over real HTTP and websockets.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from api.app import create_app
from api.settings import Settings, load_settings
from graph.access.apikeys import ApiKeyRepository
from graph.client import Graph, open_driver
from graph.migrations import migrate
from models.roles import Role
from tests.integration.webhook_receiver import free_port

pytestmark = pytest.mark.integration

_MIGRATED: list[bool] = []
WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings from the environment scripts/test prepared (the test Neo4j instance)."""
    try:
        settings = load_settings()
    except Exception as error:  # a missing test server is a setup error, said plainly
        pytest.exit(f"integration tests need the Neo4j that scripts/test starts: {error}", 2)
    if settings.environment != "test":  # every test wipes the database: never a real one
        pytest.exit(
            "integration tests empty the database they use: run them through scripts/test, "
            "or set RISKWATCH_ENVIRONMENT=test and point RISKWATCH_NEO4J_URI at a test server",
            2,
        )
    return settings


@pytest.fixture
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    """A connected, migrated, empty graph."""
    driver = open_driver(
        settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password.get_secret_value()
    )
    graph = Graph(driver, settings.neo4j_database, settings.neo4j_query_timeout_s)
    try:
        await graph.write_autocommit(WIPE)
        if not _MIGRATED:  # constraints survive the wipe: once per session is enough
            await migrate(graph)
            _MIGRATED.append(True)
        yield graph
    finally:
        await driver.close()


KeyFactory = Callable[[Role], Awaitable[str]]


@pytest.fixture
def make_key(graph: Graph) -> KeyFactory:
    """Creates an API key of a role in the test database and returns the secret."""

    async def create(role: Role) -> str:
        _, key = await ApiKeyRepository(graph).create(f"test-{role.value}", role, "tests")
        return key

    return create


@dataclass
class LiveServer:
    url: str
    server: uvicorn.Server

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/graphql"


def quiet_settings(settings: Settings) -> Settings:
    """The settings with the background loops off: they would change test data. Of the crisis
    loops only the alert broker runs (it feeds GraphQL subscriptions); tests drive the crisis
    workers themselves, with moved clocks."""
    return settings.model_copy(
        update={
            "complaint_sweep_interval_s": 0,
            "delivery": settings.delivery.model_copy(update={"interval_s": 0}),
            "crisis": settings.crisis.model_copy(
                update={
                    "event_dispatch_interval_s": 0,
                    "escalation_interval_s": 0,
                    "detect_interval_s": 0,
                }
            ),
        }
    )


@contextmanager
def serve_in_thread(settings: Settings, port: int | None = None) -> Iterator[LiveServer]:
    """Run riskwatch under uvicorn in a thread on a loopback port (a free one unless given)
    until the block ends; the background loops are off (:func:`quiet_settings`)."""
    port = port or free_port()
    config = uvicorn.Config(
        create_app(quiet_settings(settings)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = 30.0
    waited = 0.0
    while not server.started:
        if not thread.is_alive() or waited > deadline:
            pytest.fail("the test server did not start")
        threading.Event().wait(0.05)
        waited += 0.05
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", server=server)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


# What the shared test server expects on /metrics (RISKWATCH_METRICS_TOKEN).
METRICS_TOKEN = "test-metrics-token-0123456789"
METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """riskwatch served by uvicorn on a free loopback port for the whole test session."""
    # Every test calls from 127.0.0.1, and many present unknown or revoked keys on purpose:
    # the per-address limit on failed authentications has its own server in its test.
    shared = settings.model_copy(
        update={"auth_failure_limit_per_minute": 0, "metrics_token": SecretStr(METRICS_TOKEN)}
    )
    with serve_in_thread(shared) as server:
        yield server


@pytest.fixture
async def client(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the live server."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        yield http


async def gql(
    http: httpx.AsyncClient,
    key: str | None,
    query: str,
    variables: Mapping[str, object] | None = None,
) -> httpx.Response:
    """POST a GraphQL operation with an optional bearer key."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of one page of a connection (``edges { node }``), in order."""
    return [edge["node"] for edge in connection["edges"]]
