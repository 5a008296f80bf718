"""The demo book lands with its planted patterns, and writing it twice changes nothing."""

from __future__ import annotations

from graph.bulk.demo import write_demo_book
from graph.client import Graph
from models.demo_book import normalised_phone
from models.identity import IdentifierKind, keyed_hash

SECRET = b"integration-secret-0123456789"

COUNTS = """
MATCH (n) WITH count(n) AS nodes
MATCH ()-[r]->() RETURN nodes, count(r) AS rels
"""


async def test_planted_ring_shares_phone_and_account(graph: Graph) -> None:
    await write_demo_book(graph, 200, 7, SECRET)
    phone_key = keyed_hash(SECRET, IdentifierKind.PHONE, normalised_phone("139 2288 7766"))
    records = await graph.read(
        "MATCH (i:Identifier {kind: 'PHONE', key: $key})<-[:HAS_ID]-(c:Customer) "
        "OPTIONAL MATCH (c)-[:HAS_ID]->(acct:Identifier {kind: 'BANK_ACCOUNT'}) "
        "RETURN count(DISTINCT c) AS members, count(DISTINCT acct) AS accounts, "
        "collect(DISTINCT i.masked) AS masked",
        key=phone_key,
    )
    assert records[0]["members"] == 5
    assert records[0]["accounts"] == 1
    assert records[0]["masked"] == ["139****7766"]


async def test_raw_identifiers_are_not_stored(graph: Graph) -> None:
    await write_demo_book(graph, 50, 3, SECRET)
    dump = await graph.read("MATCH (n) RETURN collect(properties(n)) AS props")
    assert "13922887766" not in str(dump[0]["props"])


async def test_cluster_shop_and_serial_complainant(graph: Graph) -> None:
    await write_demo_book(graph, 100, 7, SECRET)
    shop = await graph.read(
        "MATCH (s:RepairShop {ref: 'S9000001'})<-[:REPAIRED_AT]-(:Claim)<-[:HAS_CLAIM]-(:Policy)"
        "<-[:HOLDS]-(c:Customer)-[:FILED]->(q:Complaint) RETURN count(DISTINCT c) AS n"
    )
    assert shop[0]["n"] == 8
    serial = await graph.read(
        "MATCH (c:Customer {customer_no: 'C8000100'})-[:FILED]->(q:Complaint) "
        "RETURN count(q) AS n, collect(q.channel) AS channels"
    )
    assert serial[0]["n"] == 5
    assert "REGULATOR" in serial[0]["channels"]


async def test_rewriting_the_book_creates_nothing_new(graph: Graph) -> None:
    await write_demo_book(graph, 60, 11, SECRET)
    first = (await graph.read(COUNTS))[0]
    await write_demo_book(graph, 60, 11, SECRET)
    second = (await graph.read(COUNTS))[0]
    assert (first["nodes"], first["rels"]) == (second["nodes"], second["rels"])
    assert first["nodes"] > 200
