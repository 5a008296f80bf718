"""The claims queue: pending claims with their age and handler (an import column), filtered
and paged, and each handler's load by age bucket, for claims staff and management."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.bulk.importer import Importer, ImportSource, SourceFormat
from graph.client import Graph
from graph.complaints.feedback import FrontlineFeedbackRepository
from graph.watchlist.entries import WatchlistRepository
from models.feedback import FeedbackKind
from models.import_format import RecordType
from models.roles import Role
from models.watchlist import WatchlistReason
from tests.integration.conftest import KeyFactory, gql

SECRET = b"integration-secret-0123456789"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
PARTIES_AND_POLICIES = [
    "customers.csv",
    "agents.csv",
    "brokers.jsonl",
    "dealers.csv",
    "adjusters.jsonl",
    "repair_shops.jsonl",
    "policies.csv",
]
PAGE = """
query Page($filter: PendingClaimFilterInput, $first: Int!, $after: String) {
  pendingClaims(filter: $filter, first: $first, after: $after) {
    edges { node { claimNo ageDays handler policyNo product holderCustomerNo holderMaskedName
                   holderMaskedPhone repairShop grievances complaints holderFlagged } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
LOAD = """
{ pendingClaimsByHandler { handler pending oldestDays averageDays byAge { label count } } }
"""
# claim, policy (holder), status, age in days, handler
CLAIMS = [
    ("K1", "P2026001", "PENDING", 100, "E1"),
    ("K2", "P2026002", "PENDING", 40, "E1"),
    ("K3", "P2026003", "PENDING", 10, "E2"),
    ("K4", "P2026004", "PENDING", 2, ""),
    ("K5", "P2026005", "PAID", 50, "E2"),
    ("K6", "P2026006", "PENDING", 35, ""),
]


def _claims_csv(now: datetime) -> str:
    lines = ["claim_no,policy_no,status,reported_at,settled_at,amount,shop_code,handler"]
    for claim, policy, status, days, handler in CLAIMS:
        reported = now - timedelta(days=days, hours=1)
        settled = (reported + timedelta(hours=1)).isoformat() if status == "PAID" else ""
        lines.append(
            f"{claim},{policy},{status},{reported.isoformat()},{settled},1000,S9001,{handler}"
        )
    lines.append(f"K7,P2026007,PENDING,{now.isoformat()},,1,,{'E' * 65}")  # handler too long
    return "\n".join(lines) + "\n"


@pytest.fixture
async def queue(graph: Graph) -> Graph:
    now = datetime.now(UTC)
    sources = [ImportSource.from_path(FIXTURES / name) for name in PARTIES_AND_POLICIES]
    sources.append(
        ImportSource.from_text("queue.csv", _claims_csv(now), SourceFormat.CSV, RecordType.CLAIM)
    )
    report = await Importer(graph, SECRET).run(sources)
    assert [str(r) for r in report.rejected] == ["queue.csv:8: handler: longer than 64 characters"]
    assert report.imported[RecordType.CLAIM] == 6
    await FrontlineFeedbackRepository(graph).submit(
        kind=FeedbackKind.GRIEVANCE,
        text="客户催问理赔进度",
        customer_nos=[],
        policy_nos=[],
        claim_nos=["K2"],
        actor="counter",
        role="frontline",
        now=now,
    )
    watch = WatchlistRepository(graph)
    entry = await watch.propose(
        "customer:C1001", WatchlistReason.MANUAL, "abusive", "alice", "key-a", now, 365
    )
    await watch.review(entry.id, True, "confirmed", "bob", "key-b")
    return graph


async def _page(client: httpx.AsyncClient, key: str, **variables: Any) -> dict[str, Any]:
    body = (await gql(client, key, PAGE, {"first": 10, **variables})).json()
    assert "errors" not in body, body
    page: dict[str, Any] = body["data"]["pendingClaims"]
    return page


def _numbers(page: dict[str, Any]) -> list[str]:
    return [e["node"]["claimNo"] for e in page["edges"]]


async def test_pending_claims_oldest_first_with_age_handler_and_risk(
    client: httpx.AsyncClient, queue: Graph, make_key: KeyFactory
) -> None:
    claims = await make_key(Role.CLAIMS)
    first = await _page(client, claims, first=2)
    assert _numbers(first) == ["K1", "K2"]
    assert first["pageInfo"]["hasNextPage"]
    rest = await _page(client, claims, first=10, after=first["pageInfo"]["endCursor"])
    assert _numbers(rest) == ["K6", "K3", "K4"]
    assert not rest["pageInfo"]["hasNextPage"]
    k1, k2 = (e["node"] for e in first["edges"])
    assert (k1["ageDays"], k1["handler"], k1["policyNo"], k1["product"]) == (
        100,
        "E1",
        "P2026001",
        "车损险",
    )
    assert (k1["holderCustomerNo"], k1["holderFlagged"], k1["repairShop"]) == (
        "C1001",
        True,
        "S9001",
    )
    assert k1["holderMaskedName"].endswith("*")
    assert "*" in (k1["holderMaskedPhone"] or "*")
    assert (k2["grievances"], k2["holderFlagged"]) == (1, False)
    assert rest["edges"][0]["node"]["handler"] is None


async def test_filters_by_handler_age_and_assignment(
    client: httpx.AsyncClient, queue: Graph, make_key: KeyFactory
) -> None:
    claims = await make_key(Role.CLAIMS)
    assert _numbers(await _page(client, claims, filter={"handler": "E1"})) == ["K1", "K2"]
    assert _numbers(await _page(client, claims, filter={"unassigned": True})) == ["K6", "K4"]
    aged = await _page(client, claims, filter={"minAgeDays": 30, "maxAgeDays": 60})
    assert _numbers(aged) == ["K2", "K6"]
    bad = (
        await gql(client, claims, PAGE, {"first": 5, "filter": {"minAgeDays": 9, "maxAgeDays": 1}})
    ).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_each_handlers_load_by_age_for_claims_and_management(
    client: httpx.AsyncClient, queue: Graph, make_key: KeyFactory
) -> None:
    management = await make_key(Role.MANAGEMENT)
    body = (await gql(client, management, LOAD)).json()
    assert "errors" not in body, body
    loads = {row["handler"]: row for row in body["data"]["pendingClaimsByHandler"]}
    assert set(loads) == {"E1", "E2", None}
    e1 = loads["E1"]
    assert (e1["pending"], e1["oldestDays"], e1["averageDays"]) == (2, 100, 70.0)
    assert {b["label"]: b["count"] for b in e1["byAge"]} == {
        "0-6": 0,
        "7-29": 0,
        "30-89": 1,
        "90+": 1,
    }
    assert loads[None]["pending"] == 2
    assert loads["E2"]["pending"] == 1
    refused = (await gql(client, management, PAGE, {"first": 5})).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
