"""Liveness, readiness against the real Neo4j, and Prometheus metrics."""

from __future__ import annotations

import httpx

from api.settings import Settings
from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import METRICS_AUTH, KeyFactory, gql, serve_in_thread


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_neo4j(client: httpx.AsyncClient, graph: Graph) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["neo4j"] == "ok"


async def test_metrics_count_requests(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    metrics = (await client.get("/metrics", headers=METRICS_AUTH)).text
    assert 'riskwatch_http_requests_total{path="/healthz",status="200"}' in metrics


async def test_migrations_create_unique_constraints(graph: Graph) -> None:
    records = await graph.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    names = set(records[0]["names"])
    assert {"customer_id", "policy_id", "claim_id", "complaint_id", "apikey_hash"} <= names


async def test_oversized_body_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b"x" * 2_000_000,
        headers={"Authorization": "Bearer x", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


async def test_introspection_can_be_disabled(settings: Settings, make_key: KeyFactory) -> None:
    key = await make_key(Role.ADMIN)
    closed = settings.model_copy(update={"graphql_introspection": False})
    with serve_in_thread(closed) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            refused = await gql(http, key, "{ __schema { types { name } } }")
            assert "introspection" in refused.json()["errors"][0]["message"].lower()
            assert (await gql(http, key, "{ viewer { role } }")).json()["data"]["viewer"][
                "role"
            ] == "ADMIN"


async def test_alias_floods_are_refused_before_execution(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.ADMIN)
    deep = "{ viewer { name } " + "".join(f"a{i}: viewer {{ name }} " for i in range(40)) + "}"
    body = (await gql(client, key, deep)).json()
    assert body["data"] is None
    assert "aliases" in body["errors"][0]["message"].lower()
