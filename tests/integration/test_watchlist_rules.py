"""The watchlist rules on the demo book: the planted patterns are proposed with the right
reason codes and evidence; runs are idempotent; dismissals stick until evidence changes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import anyio
import pytest

from api.runtime.watchlist import scheduled_watchlist_rules
from api.settings import Settings
from graph.bulk.ingest import GraphWriter
from graph.client import Graph
from graph.watchlist.entries import WatchlistRepository
from models.errors import InvalidInput, PermissionDenied
from models.reason_texts import Language, reason_text
from models.watchlist import WatchlistReason, WatchlistStatus, entry_id
from tests.integration.watchlist_book import RULES_NOW, run_rules, seed_demo

RING = [f"customer:C800000{i}" for i in range(1, 6)]
SERIAL = "customer:C8000100"
SHOP = "shop:S9000001"


@pytest.fixture
async def demo(graph: Graph, settings: Settings) -> Graph:
    await seed_demo(graph, settings.identity_key)
    return graph


async def _entries(graph: Graph) -> dict[tuple[str, str], object]:
    page = await WatchlistRepository(graph).page(None, None, first=500, after=None)
    assert not page.has_next
    return {(e.party_id, e.reason.value): e for e in page.items}


async def test_planted_patterns_are_proposed_with_reasons_and_evidence(demo: Graph) -> None:
    report = await run_rules(demo)
    page = await WatchlistRepository(demo).page(None, None, first=500, after=None)
    found = {(e.party_id, e.reason) for e in page.items}
    for party in RING:
        assert (party, WatchlistReason.SHARED_IDENTIFIER_RING) in found
        assert (party, WatchlistReason.FRAUD_LINKED) in found
    assert (SERIAL, WatchlistReason.REPEAT_COMPLAINANT) in found
    assert (SERIAL, WatchlistReason.REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL) in found
    assert (SHOP, WatchlistReason.REPAIR_SHOP_COMPLAINT_CLUSTER) in found
    assert all(e.status is WatchlistStatus.PROPOSED for e in page.items)
    # Ordinary customers are not swept up: only the planted parties are listed.
    assert {party for party, _ in found} == {*RING, SERIAL, SHOP}
    assert sum(report.added.values()) == len(found)

    repo = WatchlistRepository(demo)
    ring = await repo.get(entry_id(RING[2], WatchlistReason.SHARED_IDENTIFIER_RING))
    assert set(RING) <= set(ring.evidence_nodes)
    assert "complaint:Q800000002" in ring.evidence_nodes
    assert "claim:L800000001" in ring.evidence_nodes
    assert {e.type for e in ring.evidence_edges} >= {"HAS_ID", "FILED", "HAS_CLAIM"}
    nodes = await repo.evidence(ring)
    captions = {n.label: n.caption for n in nodes if n.label == "Identifier"}
    assert "139****7766" in " ".join(n.caption for n in nodes)
    assert "13922887766" not in str(captions)

    serial = await repo.get(entry_id(SERIAL, WatchlistReason.REPEAT_COMPLAINANT))
    assert sum(1 for n in serial.evidence_nodes if n.startswith("complaint:")) == 5
    escalation = await repo.get(
        entry_id(SERIAL, WatchlistReason.REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL)
    )
    assert {"complaint:Q800000105", "claim:L800000100"} <= set(escalation.evidence_nodes)
    shop = await repo.get(entry_id(SHOP, WatchlistReason.REPAIR_SHOP_COMPLAINT_CLUSTER))
    complainants = {n for n in shop.evidence_nodes if n.startswith("customer:")}
    assert complainants == {f"customer:C80000{10 + i}" for i in range(1, 9)}
    hop = await repo.get(entry_id(RING[3], WatchlistReason.FRAUD_LINKED))
    assert "claim:L800000001" in hop.evidence_nodes
    assert RING[0] in hop.evidence_nodes


async def test_a_rerun_refreshes_and_adds_nothing(demo: Graph) -> None:
    first = await run_rules(demo)
    audits = await demo.read("MATCH (a:AuditEvent) RETURN count(a) AS n")
    second = await run_rules(demo)
    assert second.added == {}
    assert second.refreshed == first.added
    assert second.expired == 0
    again = await demo.read("MATCH (a:AuditEvent) RETURN count(a) AS n")
    assert again[0]["n"] == audits[0]["n"]  # refreshing is not a change worth auditing
    count = await demo.read("MATCH (w:WatchlistEntry) RETURN count(w) AS n")
    assert count[0]["n"] == sum(first.added.values())


async def test_entries_expire_when_their_rule_stops_firing(demo: Graph) -> None:
    await run_rules(demo)
    later = await run_rules(demo, RULES_NOW + timedelta(days=800))
    # The complaint rules look back a year; the identifier rules still fire.
    assert later.expired == 3
    assert later.refreshed == {"FRAUD_LINKED": 5, "SHARED_IDENTIFIER_RING": 5}
    serial = await WatchlistRepository(demo).get(
        entry_id(SERIAL, WatchlistReason.REPEAT_COMPLAINANT)
    )
    assert serial.status is WatchlistStatus.EXPIRED
    audits = await demo.read(
        "MATCH (a:AuditEvent {action: 'watchlist.expire'}) RETURN count(a) AS n"
    )
    assert audits[0]["n"] == 3


async def test_dismissed_stays_dismissed_until_new_evidence(demo: Graph) -> None:
    await run_rules(demo)
    repo = WatchlistRepository(demo)
    wid = entry_id(SERIAL, WatchlistReason.REPEAT_COMPLAINANT)
    await repo.review(wid, False, "complaints were justified", "reviewer", "key-2")
    rerun = await run_rules(demo)
    assert rerun.kept_dismissed == {"REPEAT_COMPLAINANT": 1}
    assert (await repo.get(wid)).status is WatchlistStatus.DISMISSED

    complaint = {
        "id": "complaint:Q800000199",
        "props": {
            "complaint_no": "Q800000199",
            "channel": "HOTLINE",
            "category": "CLAIMS",
            "received_at": datetime(2026, 11, 10, tzinfo=UTC),
            "status": "OPEN",
            "summary": "又来投诉",
        },
        "complainant_id": SERIAL,
        "about_policy_ids": [],
        "about_claim_ids": [],
        "about_party_ids": [],
    }
    await GraphWriter(demo).complaints([complaint])  # type: ignore[list-item]
    renewed = await run_rules(demo)
    assert renewed.added == {"REPEAT_COMPLAINANT": 1}
    entry = await repo.get(wid)
    assert entry.status is WatchlistStatus.PROPOSED
    assert "complaint:Q800000199" in entry.evidence_nodes
    assert entry.reviewed_by is None
    trail = await demo.read(
        "MATCH (a:AuditEvent {subject_id: $id}) RETURN a.action AS action ORDER BY a.at",
        id=wid,
    )
    assert [r["action"] for r in trail] == [
        "watchlist.propose",
        "watchlist.review",
        "watchlist.propose",
    ]


async def test_four_eyes_and_review_transitions(demo: Graph) -> None:
    repo = WatchlistRepository(demo)
    await run_rules(demo)
    proposed = await repo.propose(
        "customer:C0000003",
        WatchlistReason.MANUAL,
        "threatened staff",
        "alice",
        "key-a",
        RULES_NOW,
        365,
    )
    with pytest.raises(PermissionDenied, match="four-eyes"):
        await repo.review(proposed.id, True, "looks right", "alice", "key-a")
    with pytest.raises(InvalidInput, match="comment"):
        await repo.review(proposed.id, True, "  ", "bob", "key-b")
    active = await repo.review(proposed.id, True, "confirmed with branch", "bob", "key-b")
    assert active.status is WatchlistStatus.ACTIVE
    assert active.reviewed_by == "bob"
    with pytest.raises(InvalidInput, match="already has an open entry"):
        await repo.propose(
            "customer:C0000003", WatchlistReason.MANUAL, "again", "carol", "key-c", RULES_NOW, 365
        )
    with pytest.raises(InvalidInput, match="ACTIVE cannot become ACTIVE"):
        await repo.review(proposed.id, True, "twice", "carol", "key-c")
    # Rule-made entries: any reviewer may decide (the proposer is the rule).
    ring = entry_id(RING[0], WatchlistReason.FRAUD_LINKED)
    assert (await repo.review(ring, True, "flag confirmed", "alice", "key-a")).status is (
        WatchlistStatus.ACTIVE
    )
    trail = await demo.read(
        "MATCH (a:AuditEvent {subject_id: $id}) RETURN a.actor AS actor, a.action AS action, "
        "a.before AS before, a.after AS after ORDER BY a.at",
        id=proposed.id,
    )
    assert [(r["actor"], r["action"]) for r in trail] == [
        ("alice", "watchlist.propose"),
        ("bob", "watchlist.review"),
    ]
    assert trail[1]["before"] == "PROPOSED"
    assert trail[1]["after"] == "ACTIVE: confirmed with branch"


async def test_attention_flag_shows_plain_words_for_active_entries_only(demo: Graph) -> None:
    repo = WatchlistRepository(demo)
    await run_rules(demo)
    assert not (await repo.attention(SERIAL)).flagged
    await repo.review(
        entry_id(SERIAL, WatchlistReason.REPEAT_COMPLAINANT), True, "pattern", "bob", "key-b"
    )
    flag = await repo.attention(SERIAL)
    assert flag.flagged
    assert flag.masked_name == "钱**"
    assert flag.reasons == (WatchlistReason.REPEAT_COMPLAINANT,)
    assert reason_text(flag.reasons[0], Language.EN) == (
        "Has complained many times recently: take extra care to resolve issues at first contact."
    )


async def test_rules_run_on_a_schedule(demo: Graph, settings: Settings) -> None:
    every_tick = settings.model_copy(
        update={"watchlist": settings.watchlist.model_copy(update={"rules_interval_s": 0.05})}
    )
    count = 0
    async with scheduled_watchlist_rules(demo, every_tick, clock=lambda: RULES_NOW):
        deadline = time.monotonic() + 60
        while count < 13 and time.monotonic() < deadline:
            await anyio.sleep(0.05)
            records = await demo.read("MATCH (w:WatchlistEntry) RETURN count(w) AS n")
            count = records[0]["n"]
    assert count == 13


async def test_confirmed_repeat_complaints_flag_the_shop_involved(demo: Graph) -> None:
    await run_rules(demo)
    repo = WatchlistRepository(demo)
    await repo.review(
        entry_id(SERIAL, WatchlistReason.REPEAT_COMPLAINANT), True, "confirmed", "bob", "key-b"
    )
    report = await run_rules(demo)
    assert report.added == {"REPAIR_SHOP_COMPLAINT_CLUSTER": 1}
    shop = await demo.read(
        "MATCH (:Claim {id: 'claim:L800000100'})-[:REPAIRED_AT]->(s:RepairShop) RETURN s.id AS id"
    )
    entry = await repo.get(entry_id(shop[0]["id"], WatchlistReason.REPAIR_SHOP_COMPLAINT_CLUSTER))
    assert entry.summary == "5 complaints from confirmed repeat complainants"
    assert {f"complaint:Q80000010{i}" for i in range(1, 6)} <= set(entry.evidence_nodes)
    assert "claim:L800000100" in entry.evidence_nodes
