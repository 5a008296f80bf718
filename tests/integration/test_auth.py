"""Every GraphQL operation needs a key with a role; unknown and revoked keys get 401."""

from __future__ import annotations

import time

import httpx

from api.settings import Settings
from graph.access.apikeys import ApiKeyRepository
from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory, gql, nodes

VIEWER = "{ viewer { name role } }"


async def test_request_without_key_is_401_with_graphql_error(client: httpx.AsyncClient) -> None:
    response = await gql(client, None, VIEWER)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_unknown_key_is_401(client: httpx.AsyncClient, graph: Graph) -> None:
    response = await gql(client, "rw_deadbeef_not-a-real-key", VIEWER)
    assert response.status_code == 401
    assert "unknown or revoked" in response.json()["errors"][0]["message"]


async def test_valid_key_answers_with_its_role(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RENEWAL)
    response = await gql(client, key, VIEWER)
    assert response.status_code == 200
    assert response.json()["data"]["viewer"] == {"name": "test-renewal", "role": "RENEWAL"}


async def test_key_revoked_elsewhere_is_401_within_the_cache_time(
    client: httpx.AsyncClient, graph: Graph, settings: Settings
) -> None:
    keys = ApiKeyRepository(graph)
    key_id, key = await keys.create("short-lived", Role.PR, "tests")
    assert (await gql(client, key, VIEWER)).status_code == 200  # now remembered by the server
    # Revoked straight in Neo4j, as `riskwatch apikey revoke` or another server would.
    assert await keys.revoke(key_id, "tests") == [key_id]
    revoked_at = time.monotonic()
    while (await gql(client, key, VIEWER)).status_code != 401:
        assert time.monotonic() - revoked_at < settings.auth_cache_s + 2.0, "still accepted"
    assert (await gql(client, key, VIEWER)).status_code == 401


async def test_key_revoked_through_this_server_is_401_at_once(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    admin = await make_key(Role.ADMIN)
    key_id, key = await ApiKeyRepository(graph).create("revoked-here", Role.RISK, "tests")
    assert (await gql(client, key, VIEWER)).status_code == 200  # now remembered by the server
    revoked = await gql(
        client, admin, "mutation($r: String!) { revokeApiKey(ref: $r) }", {"r": key_id}
    )
    assert revoked.json()["data"]["revokeApiKey"] == [key_id]
    assert (await gql(client, key, VIEWER)).status_code == 401


async def test_keys_are_stored_hashed(graph: Graph) -> None:
    _, key = await ApiKeyRepository(graph).create("hashed", Role.RISK, "tests")
    records = await graph.read("MATCH (k:ApiKey) RETURN properties(k) AS props")
    stored = str(records[0]["props"])
    assert key not in stored
    secret = key.split("_", 2)[2]  # after rw_<prefix>_; the token may itself hold "_"
    assert secret not in stored


async def test_non_admin_cannot_manage_keys(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    response = await gql(client, key, "{ apiKeys { name } }")
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert response.json()["data"] is None


async def test_admin_creates_key_and_audit_event(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    admin = await make_key(Role.ADMIN)
    created = await gql(
        client, admin, 'mutation { createApiKey(name: "renewals", role: RENEWAL) { id key } }'
    )
    new_key = created.json()["data"]["createApiKey"]["key"]
    assert (await gql(client, new_key, VIEWER)).json()["data"]["viewer"]["role"] == "RENEWAL"
    audit = await graph.read(
        "MATCH (a:AuditEvent {action: 'apikey.create'}) RETURN a.after AS after, a.actor AS actor"
    )
    assert any("renewals" in record["after"] for record in audit)


async def test_graphiql_page_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_admin_reads_audit_trail_of_key_changes(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    admin = await make_key(Role.ADMIN)
    key_id, _ = await ApiKeyRepository(graph).create("audited", Role.PR, "alice")
    await ApiKeyRepository(graph).revoke(key_id, "bob")
    body = (
        await gql(
            client,
            admin,
            "query($s: String) { auditEvents(subjectId: $s) { edges { node { actor action } } } }",
            {"s": key_id},
        )
    ).json()
    assert nodes(body["data"]["auditEvents"]) == [
        {"actor": "bob", "action": "apikey.revoke"},
        {"actor": "alice", "action": "apikey.create"},
    ]
    risk = await make_key(Role.RISK)
    refused = (await gql(client, risk, "{ auditEvents { edges { node { id } } } }")).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
