"""The watchlist over GraphQL: rule runs, paging, evidence subgraphs with masked identifiers,
four-eyes review by API key, and the attention flag complaint-desk staff see."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.settings import Settings
from graph.client import Graph
from models.roles import Role
from models.watchlist import WatchlistReason, entry_id
from tests.integration.conftest import KeyFactory, gql, nodes
from tests.integration.watchlist_book import RULES_NOW, seed_demo

RUN = """
mutation Run($now: DateTime) {
  runWatchlistRules(now: $now) { added { reason count } refreshed { reason count } expired }
}
"""
PAGE = """
query Page($after: String) {
  watchlist(status: PROPOSED, first: 4, after: $after) {
    edges { cursor node { id partyId reason status } } pageInfo { endCursor hasNextPage }
  }
}
"""
ENTRY = """
query Entry($id: ID!) {
  watchlistEntry(id: $id) {
    id reason status summary proposedBy
    evidence { nodes { id label caption } edges { source type target } }
  }
}
"""
REVIEW = """
mutation Review($id: ID!, $decision: ReviewDecision!, $comment: String!) {
  reviewWatchlistEntry(id: $id, decision: $decision, comment: $comment) {
    status reviewedBy reviewComment
  }
}
"""
PROPOSE = """
mutation Propose($party: String!) {
  proposeWatchlistEntry(partyId: $party, comment: "abusive on the phone") { id status }
}
"""
FLAG = """query {
  attentionFlag(customerId: "C8000100", language: EN) { customerId maskedName flagged reasons }
}"""


@pytest.fixture
async def risk_key(graph: Graph, settings: Settings, make_key: KeyFactory) -> str:
    await seed_demo(graph, settings.identity_key)
    return await make_key(Role.RISK)


async def _data(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_run_page_and_read_evidence(client: httpx.AsyncClient, risk_key: str) -> None:
    run = await _data(await gql(client, risk_key, RUN, {"now": RULES_NOW.isoformat()}))
    added = {item["reason"]: item["count"] for item in run["runWatchlistRules"]["added"]}
    assert added == {
        "FRAUD_LINKED": 5,
        "REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL": 1,
        "REPAIR_SHOP_COMPLAINT_CLUSTER": 1,
        "REPEAT_COMPLAINANT": 1,
        "SHARED_IDENTIFIER_RING": 5,
    }
    seen: list[str] = []
    after = None
    while True:
        page = (await _data(await gql(client, risk_key, PAGE, {"after": after})))["watchlist"]
        seen += [entry["id"] for entry in nodes(page)]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 13

    wid = entry_id("customer:C8000003", WatchlistReason.SHARED_IDENTIFIER_RING)
    entry = (await _data(await gql(client, risk_key, ENTRY, {"id": wid})))["watchlistEntry"]
    assert entry["proposedBy"] == "rules:SHARED_IDENTIFIER_RING"
    labels = {node["label"] for node in entry["evidence"]["nodes"]}
    assert {"Customer", "Identifier", "Complaint", "Claim", "Policy"} <= labels
    captions = json.dumps(entry["evidence"], ensure_ascii=False)
    assert "PHONE 139****7766" in captions
    assert "13922887766" not in captions
    assert "6222021234567890123" not in captions
    phone = next(n["id"] for n in entry["evidence"]["nodes"] if "139****7766" in n["caption"])
    for member in range(1, 6):
        edge = {"source": f"customer:C800000{member}", "type": "HAS_ID", "target": phone}
        assert edge in entry["evidence"]["edges"]


async def test_four_eyes_over_the_api(
    client: httpx.AsyncClient, risk_key: str, make_key: KeyFactory, graph: Graph
) -> None:
    proposed = await _data(await gql(client, risk_key, PROPOSE, {"party": "C0000005"}))
    wid = proposed["proposeWatchlistEntry"]["id"]
    assert proposed["proposeWatchlistEntry"]["status"] == "PROPOSED"
    own = (
        await gql(client, risk_key, REVIEW, {"id": wid, "decision": "ACTIVATE", "comment": "ok"})
    ).json()
    assert own["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "four-eyes" in own["errors"][0]["message"]
    second = await make_key(Role.RISK)
    reviewed = await _data(
        await gql(client, second, REVIEW, {"id": wid, "decision": "DISMISS", "comment": "no"})
    )
    assert reviewed["reviewWatchlistEntry"] == {
        "status": "DISMISSED",
        "reviewedBy": "test-risk",
        "reviewComment": "no",
    }
    trail = await graph.read(
        "MATCH (a:AuditEvent {subject_id: $id}) RETURN a.action AS action ORDER BY a.at", id=wid
    )
    assert [r["action"] for r in trail] == ["watchlist.propose", "watchlist.review"]


async def test_attention_flag_is_plain_and_masked(
    client: httpx.AsyncClient, risk_key: str, make_key: KeyFactory
) -> None:
    await gql(client, risk_key, RUN, {"now": RULES_NOW.isoformat()})
    desk = await make_key(Role.COMPLAINTS)
    before = (await _data(await gql(client, desk, FLAG)))["attentionFlag"]
    assert before["flagged"] is False  # proposals are not shown until reviewed
    wid = entry_id("customer:C8000100", WatchlistReason.REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL)
    await gql(client, risk_key, REVIEW, {"id": wid, "decision": "ACTIVATE", "comment": "seen"})
    flag = (await _data(await gql(client, desk, FLAG)))["attentionFlag"]
    assert flag["customerId"] == "customer:C8000100"
    assert flag["maskedName"] == "钱**"
    assert flag["flagged"] is True
    assert len(flag["reasons"]) == 1
    assert "regulator" in flag["reasons"][0]
    assert "claim:" not in json.dumps(flag)
    for query in (
        "{ watchlist { edges { node { id } } } }",
        f'{{ watchlistEntry(id: "{wid}") {{ id }} }}',
    ):
        refused = (await gql(client, desk, query)).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    renewal = await make_key(Role.RENEWAL)
    assert (await gql(client, renewal, FLAG)).json()["errors"][0]["extensions"]["code"] == (
        "FORBIDDEN"
    )
