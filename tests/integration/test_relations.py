"""The risk team's relationship queries on the demo book: rings, paths, rankings, networks,
search and complaint statistics."""

from __future__ import annotations

import anyio
import pytest

from api.runtime.rings import scheduled_ring_refresh
from api.settings import Settings
from graph.bulk.demo import write_demo_book
from graph.client import Graph
from graph.network.rings import refresh_rings
from models.identity import IdentifierKind, mask, normalise
from tests.integration.conftest import nodes
from tests.integration.risk_schema import data_of, run_as_risk

RING = {f"C800000{i}" for i in range(1, 6)}
RING_PHONE = mask(IdentifierKind.PHONE, normalise(IdentifierKind.PHONE, "139 2288 7766"))
RING_ACCOUNT = mask(
    IdentifierKind.BANK_ACCOUNT, normalise(IdentifierKind.BANK_ACCOUNT, "6222 0212 3456 7890 123")
)


@pytest.fixture
async def book(graph: Graph, settings: Settings) -> Graph:
    """The demo book (200 customers) with its rings refreshed."""
    await write_demo_book(graph, 200, 7, settings.identity_key)
    await refresh_rings(graph)
    return graph


RINGS = """
query ($after: String, $first: Int!) {
  rings(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id size score complaints flaggedClaims
      sharedIdentifiers { kind masked parties }
      scoreTerms { factor value points }
      members { ref } } }
  }
}
"""


async def test_planted_ring_is_the_top_ring_with_its_phone_and_account(
    book: Graph, settings: Settings
) -> None:
    rings = data_of(await run_as_risk(settings, book, RINGS, {"first": 5}))["rings"]
    top = nodes(rings)[0]
    assert {m["ref"] for m in top["members"]} == RING
    assert top["size"] == 5
    shared = {(i["kind"], i["masked"]) for i in top["sharedIdentifiers"]}
    assert shared == {("PHONE", RING_PHONE), ("BANK_ACCOUNT", RING_ACCOUNT)}
    assert "139****7766" in {i["masked"] for i in top["sharedIdentifiers"]}
    assert top["flaggedClaims"] == 1
    assert top["complaints"] == 1
    assert sum(t["points"] for t in top["scoreTerms"]) == pytest.approx(top["score"])
    scores = [ring["score"] for ring in nodes(rings)]
    assert scores == sorted(scores, reverse=True)


async def test_rings_page_with_a_cursor_and_refresh_replaces_rings(
    book: Graph, settings: Settings
) -> None:
    # A second group: two customers sharing an e-mail-like identifier added by hand.
    await book.write(
        "MATCH (a:Customer {ref: 'C0000001'}), (b:Customer {ref: 'C0000002'}) "
        "MERGE (i:Identifier {id: 'EMAIL:test'}) SET i.kind = 'EMAIL', i.key = 'test', "
        "i.masked = 'a***@example.com' MERGE (a)-[:HAS_ID]->(i) MERGE (b)-[:HAS_ID]->(i)"
    )
    await refresh_rings(book)
    first = data_of(await run_as_risk(settings, book, RINGS, {"first": 1}))["rings"]
    assert first["totalCount"] >= 2
    assert first["pageInfo"]["hasNextPage"] is True
    assert {m["ref"] for m in nodes(first)[0]["members"]} == RING
    variables = {"first": 10, "after": first["pageInfo"]["endCursor"]}
    rest = nodes(data_of(await run_as_risk(settings, book, RINGS, variables))["rings"])
    assert nodes(first)[0]["id"] not in {ring["id"] for ring in rest}
    assert {"C0000001", "C0000002"} in [{m["ref"] for m in ring["members"]} for ring in rest]
    # Refreshing again keeps the same rings (ids follow membership) and leaves no stale ones.
    await refresh_rings(book)
    count = await book.read("MATCH (r:Ring) RETURN count(r) AS n")
    assert count[0]["n"] == first["totalCount"]


async def test_rings_filter_by_identifier_kind_and_size(book: Graph, settings: Settings) -> None:
    query = """{ a: rings(identifierKinds: [BANK_ACCOUNT], minSize: 5) {
                   edges { node { size } } }
                 b: rings(minSize: 6) { totalCount } }"""
    data = data_of(await run_as_risk(settings, book, query))
    assert [ring["size"] for ring in nodes(data["a"])] == [5]
    assert data["b"]["totalCount"] == 0


PATH = """
query ($from: ID!, $to: ID!) {
  path(fromId: $from, toId: $to, maxHops: 6, first: 5) {
    length explanation explanationZh
    hops { relationship text textZh sentence via { kind masked identifierKind } }
  }
}
"""


async def test_path_between_ring_members_runs_through_a_shared_identifier(
    book: Graph, settings: Settings
) -> None:
    variables = {"from": "customer:C8000001", "to": "customer:C8000003"}
    paths = data_of(await run_as_risk(settings, book, PATH, variables))["path"]
    assert {p["length"] for p in paths} == {2}
    vias = {p["hops"][0]["via"]["masked"] for p in paths}
    assert vias == {RING_PHONE, RING_ACCOUNT}
    phone_path = next(p for p in paths if p["hops"][0]["via"]["masked"] == RING_PHONE)
    hop = phone_path["hops"][0]
    assert hop["relationship"] == "HAS_ID"
    assert hop["text"] == "shares phone 139****7766 with"
    assert hop["textZh"] == "与…共用电话 139****7766"
    assert "C8000001" in phone_path["explanation"]
    assert "shares phone 139****7766 with" in phone_path["explanation"]
    assert "C8000003" in phone_path["explanation"]
    assert "共用电话" in phone_path["explanationZh"]


async def test_path_explains_business_hops_and_missing_party_is_not_found(
    book: Graph, settings: Settings
) -> None:
    # A ring member's claim was repaired at S0000001: customer -> policy -> claim -> shop.
    variables = {"from": "customer:C8000001", "to": "shop:S0000001"}
    paths = data_of(await run_as_risk(settings, book, PATH, variables))["path"]
    assert paths[0]["length"] == 3
    texts = [hop["text"] for hop in paths[0]["hops"]]
    assert texts == ["holds", "has claim", "repaired at"]
    missing = await run_as_risk(
        settings, book, PATH, {"from": "customer:C8000001", "to": "customer:NOPE"}
    )
    assert missing.errors is not None
    assert missing.errors[0].message == "no party customer:NOPE"


async def test_cluster_shop_tops_the_repair_shop_ranking(book: Graph, settings: Settings) -> None:
    query = """{ riskRanking(kind: REPAIR_SHOP, first: 5) {
        ref volume complaints repeatComplaints flaggedClaims complaintRate
        repeatComplaintShare flaggedClaimShare ringShare ringLinked score explanation } }"""
    ranking = data_of(await run_as_risk(settings, book, query))["riskRanking"]
    top = ranking[0]
    assert top["ref"] == "S9000001"
    assert (top["volume"], top["complaints"], top["complaintRate"]) == (8, 8, 1.0)
    assert top["score"] > ranking[1]["score"]
    assert top["explanation"].endswith(f"= {top['score']:g}")
    ring_shop = next(entry for entry in ranking if entry["ref"] == "S0000001")
    assert ring_shop["flaggedClaims"] == 1
    assert ring_shop["ringLinked"] == 5
    assert ring_shop["ringShare"] > 0
    agents = data_of(
        await run_as_risk(settings, book, "{ riskRanking(kind: AGENT) { ref volume } }")
    )
    assert agents["riskRanking"]
    assert all(entry["volume"] >= 5 for entry in agents["riskRanking"])


NETWORK = """
query ($id: ID!, $first: Int!, $after: String, $kinds: [RelationshipKind!]) {
  network(partyId: $id, depth: 2, first: $first, after: $after, relationshipKinds: $kinds) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind level label masked } }
    relationships { kind source target }
    leftOut { nodes edges laterPages }
  }
}
"""


async def test_network_pages_and_counts_what_it_left_out(book: Graph, settings: Settings) -> None:
    variables = {"id": "shop:S9000001", "first": 5, "after": None, "kinds": None}
    first = data_of(await run_as_risk(settings, book, NETWORK, variables))["network"]
    assert len(first["edges"]) == 5
    assert nodes(first)[0] == {
        "id": "shop:S9000001",
        "kind": "REPAIR_SHOP",
        "level": 0,
        "label": "鑫达汽修 (S9000001)",
        "masked": None,
    }
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    assert first["leftOut"]["laterPages"] == first["totalCount"] - 5
    ids = {node["id"] for node in nodes(first)}
    assert all(e["source"] in ids or e["target"] in ids for e in first["relationships"])
    assert {"kind": "REPAIRED_AT", "source": "claim:L8000000110", "target": "shop:S9000001"} in (
        first["relationships"]
    )
    variables["after"] = first["pageInfo"]["endCursor"]
    variables["first"] = 500
    rest = data_of(await run_as_risk(settings, book, NETWORK, variables))["network"]
    assert len(rest["edges"]) == first["totalCount"] - 5
    assert ids.isdisjoint({node["id"] for node in nodes(rest)})
    assert max(node["level"] for node in nodes(rest)) == 2
    assert rest["pageInfo"] == {"hasNextPage": False, "endCursor": rest["edges"][-1]["cursor"]}
    # Caps: a fan-out of 3 per node and 6 nodes in all leave nodes and edges out, counted.
    variables.update(first=100, after=None)
    capped = await run_as_risk(
        settings, book, NETWORK, variables, network_fanout=3, network_max_nodes=6
    )
    network = data_of(capped)["network"]
    assert network["totalCount"] == 6
    assert network["leftOut"]["edges"] > 0
    assert network["leftOut"]["nodes"] > 0


async def test_network_follows_only_the_chosen_relationship_kinds(
    book: Graph, settings: Settings
) -> None:
    variables = {"id": "customer:C8000001", "first": 100, "after": None, "kinds": ["HAS_ID"]}
    network = data_of(await run_as_risk(settings, book, NETWORK, variables))["network"]
    kinds = {node["kind"] for node in nodes(network)}
    assert kinds == {"CUSTOMER", "IDENTIFIER"}
    customers = {n["id"] for n in nodes(network) if n["kind"] == "CUSTOMER"}
    assert customers == {f"customer:{ref}" for ref in RING}
    assert RING_PHONE in {n["masked"] for n in nodes(network)}
    assert {e["kind"] for e in network["relationships"]} == {"HAS_ID"}


SEARCH = """query ($q: String!) { searchParties(query: $q, first: 10) { id name kind } }"""


SEARCHES = [
    ("錢多多", {"customer:C8000100"}),
    ("qianduoduo", {"customer:C8000100"}),
    ("Qian Duoduo", {"customer:C8000100"}),
    ("c8000100", {"customer:C8000100"}),
    ("S9000001", {"shop:S9000001"}),
    ("鑫達汽修", {"shop:S9000001"}),
    ("+86 139-2288-7766", {f"customer:{ref}" for ref in RING}),
    ("6222-0212-3456-7890-123", {f"customer:{ref}" for ref in RING}),
]


async def test_search_by_name_pinyin_number_and_identifier(book: Graph, settings: Settings) -> None:
    for text, expected in SEARCHES:
        result = await run_as_risk(settings, book, SEARCH, {"q": text})
        found = data_of(result)["searchParties"]
        assert {party["id"] for party in found} >= expected, text
        assert found[0]["id"] in expected, text


async def test_search_by_kind_and_party_details(book: Graph, settings: Settings) -> None:
    query = """{ searchParties(query: "+86 139 2288 7766", kinds: [REPAIR_SHOP]) { id }
                 party(id: "customer:C8000001") { ref customerNo phoneMasked
                   identifiers { kind masked parties } rings { size } } }"""
    data = data_of(await run_as_risk(settings, book, query))
    assert data["searchParties"] == []
    party = data["party"]
    assert party["customerNo"] == "C8000001"
    assert party["phoneMasked"] == RING_PHONE
    assert {"kind": "PHONE", "masked": RING_PHONE, "parties": 5} in party["identifiers"]
    assert party["rings"] == [{"size": 5}]


async def test_complaint_stats_groupings(book: Graph, settings: Settings) -> None:
    total = (await book.read("MATCH (q:Complaint) RETURN count(q) AS n"))[0]["n"]
    query = """{
      channel: complaintStats(groupBy: CHANNEL) { key count }
      category: complaintStats(groupBy: CATEGORY) { key count }
      month: complaintStats(groupBy: MONTH) { key count }
      shop: complaintStats(groupBy: SHOP, from: "2026-10-01T00:00:00Z",
                           to: "2026-11-01T00:00:00Z") { key label count }
      agent: complaintStats(groupBy: AGENT) { key count }
    }"""
    data = data_of(await run_as_risk(settings, book, query))
    assert sum(b["count"] for b in data["channel"]) == total
    assert sum(b["count"] for b in data["category"]) == total
    assert sum(b["count"] for b in data["month"]) == total
    assert all(len(b["key"]) == 7 and b["key"][4] == "-" for b in data["month"])
    assert data["shop"][0] == {"key": "shop:S9000001", "label": "鑫达汽修", "count": 8}
    assert {"key": "REGULATOR", "count": 1} in data["channel"]
    assert data["agent"]
    assert data["agent"][0]["count"] >= data["agent"][-1]["count"]


async def test_scheduled_refresh_writes_rings(graph: Graph, settings: Settings) -> None:
    await write_demo_book(graph, 60, 7, settings.identity_key)
    fast = settings.model_copy(update={"ring_refresh_interval_s": 0.05})
    async with scheduled_ring_refresh(graph, fast):
        # Poll with a deadline: the first refresh runs one interval after start.
        with anyio.fail_after(30):
            for _ in range(100_000):
                if (await graph.read("MATCH (r:Ring) RETURN count(r) AS n"))[0]["n"]:
                    break
                await anyio.sleep(0.05)
    rings = await graph.read("MATCH (r:Ring)<-[:IN_RING]-(p) RETURN r.size AS size, count(p) AS n")
    assert [(r["size"], r["n"]) for r in rings] == [(5, 5)]
