"""Relationship queries are bounded: abusive operations are refused before Neo4j sees them,
nested fields cost a constant number of statements, and only risk keys may use them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.settings import Settings
from graph.bulk.demo import write_demo_book
from graph.bulk.ingest import GraphWriter
from graph.client import Graph
from models.errors import QueryTimeout
from models.records import ComplaintRow, PartyKind, complaint_id, party_id
from models.roles import Role
from tests.integration.conftest import KeyFactory, gql
from tests.integration.risk_schema import data_of, run_as_risk


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement sent through Graph.read while the test runs."""
    sent: list[str] = []
    original = Graph.read

    async def counting_read(self: Graph, cypher: Any, **params: Any) -> Any:
        sent.append(cypher)
        return await original(self, cypher, **params)

    monkeypatch.setattr(Graph, "read", counting_read)
    return sent


def _nested(levels: int) -> str:
    inner = "complaintNo"
    for _ in range(levels):
        inner = f"complaints(first: 1) {{ complainant {{ {inner} }} }}".replace(
            "complainant { complaintNo }", "complaintNo"
        )
    return f'{{ party(id: "customer:C8000100") {{ {inner} }} }}'


COSTLY = """query ($n: Int!) { searchParties(query: "wang", first: $n) {
  complaints(first: 50) { complainant { complaints(first: 50) { complaintNo } } } } }"""


async def test_abusive_queries_are_refused_before_neo4j(
    graph: Graph, settings: Settings, reads: list[str]
) -> None:
    costly = await run_as_risk(settings, graph, COSTLY, {"n": 100})
    assert costly.errors is not None
    assert costly.errors[0].extensions is not None
    assert costly.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
    assert "too costly" in costly.errors[0].message
    deep = await run_as_risk(settings, graph, _nested(12))
    assert deep.errors is not None
    assert "exceeds maximum operation depth" in deep.errors[0].message
    aliases = " ".join(f'a{i}: party(id: "x{i}") {{ id }}' for i in range(40))
    aliased = await run_as_risk(settings, graph, "{ " + aliases + " }")
    assert aliased.errors is not None
    assert "aliases" in aliased.errors[0].message.lower()
    tokens = await run_as_risk(settings, graph, "{ " + " ".join(["__typename"] * 2500) + " }")
    assert tokens.errors is not None
    assert reads == []
    # The same costly shape with a small page is allowed, and does reach Neo4j.
    small = await run_as_risk(settings, graph, COSTLY, {"n": 1})
    assert small.errors is None
    assert reads


async def test_cost_limit_over_http_names_its_code(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    response = await gql(client, key, COSTLY, {"n": 100})
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_renewal_key_cannot_read_the_network(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    query = '{ network(partyId: "customer:C8000001") { totalCount } }'
    renewal = (await gql(client, await make_key(Role.RENEWAL), query)).json()
    assert renewal["data"] is None
    assert renewal["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    risk = (await gql(client, await make_key(Role.RISK), query)).json()
    assert risk["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def _complaints_about_shop(count: int) -> list[ComplaintRow]:
    received = datetime(2026, 6, 1, tzinfo=UTC)
    return [
        {
            "id": complaint_id(f"QX{n:05d}"),
            "props": {
                "complaint_no": f"QX{n:05d}",
                "channel": "HOTLINE",
                "category": "SERVICE",
                "status": "OPEN",
                "received_at": received + timedelta(hours=n),
                "due_at": received + timedelta(days=15),
                "summary": "修理厂修了三次还没修好",
            },
            "complainant_id": party_id(PartyKind.CUSTOMER, f"C{n + 1:07d}"),
            "about_policy_ids": [],
            "about_claim_ids": [],
            "about_party_ids": [party_id(PartyKind.REPAIR_SHOP, "S9000001")],
        }
        for n in range(count)
    ]


PAGE = """query ($n: Int!) { party(id: "shop:S9000001") {
  complaints(first: $n) { complaintNo complainant { name phoneMasked } shops { name } } } }"""


async def test_nested_complaints_cost_a_constant_number_of_statements(
    graph: Graph, settings: Settings, reads: list[str]
) -> None:
    await write_demo_book(graph, 100, 7, settings.identity_key)
    await GraphWriter(graph).complaints(_complaints_about_shop(60))
    counts = {}
    for page_size in (2, 10, 50):
        reads.clear()
        data = data_of(await run_as_risk(settings, graph, PAGE, {"n": page_size}))
        complaints = data["party"]["complaints"]
        assert len(complaints) == page_size
        assert all(c["complainant"]["name"] for c in complaints)
        assert all(c["shops"] == [{"name": "鑫达汽修"}] for c in complaints)
        counts[page_size] = len(reads)
    # party, its complaints, their complainants, their shops: one statement each.
    assert counts == {2: 4, 10: 4, 50: 4}
    # Many parties, each with nested complaints: still one statement per level.
    query = """{ searchParties(query: "S9000001", first: 5) {
      complaints(first: 20) { complainant { name complaints(first: 3) { complaintNo } } } } }"""
    reads.clear()
    data_of(await run_as_risk(settings, graph, query))
    assert len(reads) == 4


async def test_a_read_past_the_timeout_is_a_clear_error(graph: Graph) -> None:
    impatient = Graph(graph.driver, graph.database, read_timeout_s=0.05)
    with pytest.raises(QueryTimeout) as raised:
        await impatient.read(
            "UNWIND range(1, 100000000) AS n WITH n WHERE n % 7 = 99 RETURN count(n) AS c"
        )
    assert raised.value.code == "QUERY_TIMEOUT"
    assert "0.05 s limit" in raised.value.message
