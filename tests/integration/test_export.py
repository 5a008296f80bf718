"""``riskwatch export`` and back: the demo book with a reviewed watchlist, exported, wiped,
imported into the empty database, gives the same graph, the same watchlist and the same
renewal decisions; exports are deterministic and re-imports create nothing twice."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

from api.settings import Settings
from graph.bulk.export import GraphExporter
from graph.bulk.importer import Importer, ImportSource
from graph.client import Graph
from graph.complaints.handling_guides import HandlingGuideRepository
from graph.complaints.joint_reviews import JointReviewRepository
from graph.complaints.lifecycle import ComplaintRepository, NewComplaint
from graph.migrations import migrate
from graph.network.renewal import RenewalRepository
from graph.watchlist.entries import WatchlistRepository
from models.errors import InvalidInput
from models.records import ComplaintCategory, ComplaintChannel
from models.renewal import DEFAULT_ACTIONS, identity_keys
from models.watchlist import WatchlistReason, entry_id
from tests.integration.conftest import WIPE
from tests.integration.watchlist_book import RULES_NOW, run_rules, seed_demo

ROOT = Path(__file__).resolve().parent.parent.parent
RING_MEMBER = "customer:C8000001"

# Domain events are the outbox of what happened (webhooks were sent from it): not exported.
LABEL_COUNTS = """
MATCH (n) WHERE NOT n:DomainEvent UNWIND labels(n) AS label
RETURN label, count(*) AS n ORDER BY label
"""
COMPLAINT = """
MATCH (q:Complaint {id: $id})
RETURN q {.*, updated_at: null, created_at: null} AS complaint,
       COLLECT { MATCH (q)-[:ESCALATED]->(e) RETURN e {.*} AS e ORDER BY e.id } AS escalations,
       COLLECT { MATCH (r:JointReview)-[:REVIEWS]->(q) RETURN r {.*} AS r ORDER BY r.id }
         AS reviews,
       COLLECT { MATCH (q)-[:REPEAT_OF]->(x) RETURN x.id AS x ORDER BY x } AS repeat_of
"""
REL_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type"
WATCHLIST = """
MATCH (w:WatchlistEntry)-[:LISTS]->(p:Party)
RETURN w.id AS id, p.id AS party, w.status AS status, w.reason AS reason,
       w.evidence_nodes AS nodes, w.evidence_edges AS edges, w.fingerprint AS fingerprint,
       w.dismissed_fingerprint AS dismissed, w.reviewed_by AS reviewer,
       w.reviewed_by_key AS reviewer_key, w.review_comment AS comment,
       w.proposed_by AS proposer, w.expires_at AS expires_at, w.created_at AS created_at
ORDER BY id
"""
AUDIT = """
MATCH (a:AuditEvent)
RETURN a.id AS id, a.subject_id AS subject, a.action AS action, a.actor AS actor,
       a.before AS before, a.after AS after, a.at AS at
ORDER BY id
"""
CUSTOMER = """
MATCH (c:Customer {id: $id})
RETURN c {.*, updated_at: null} AS customer,
       COLLECT { MATCH (c)-[:HAS_ID]->(i) RETURN i.id + ' ' + i.masked AS i ORDER BY i }
         AS identifiers
"""


async def _snapshot(graph: Graph, secret: bytes) -> dict[str, Any]:
    """Everything the round trip must keep: counts, the watchlist with its evidence read back
    through the repository, the audit trail, one ring member as stored, renewal decisions."""
    repo = WatchlistRepository(graph)
    watchlist = [r.data() for r in await graph.read(WATCHLIST)]
    evidence = {w["id"]: await repo.evidence(await repo.get(w["id"])) for w in watchlist}
    return {
        "labels": [r.data() for r in await graph.read(LABEL_COUNTS)],
        "relationships": [r.data() for r in await graph.read(REL_COUNTS)],
        "watchlist": watchlist,
        "evidence": evidence,
        "audit": [r.data() for r in await graph.read(AUDIT)],
        "ring_member": [r.data() for r in await graph.read(CUSTOMER, id=RING_MEMBER)],
        "complaints": [
            (await graph.read(COMPLAINT, id=f"complaint:{no}"))[0].data()
            for no in ("Q900000001", "Q800000002", "Q80000011")
        ],
        "renewal": await _renewal(graph, secret),
    }


async def _renewal(graph: Graph, secret: bytes) -> list[tuple[str, list[tuple[str, str, str]]]]:
    identities = [
        identity_keys(secret, {"customerNo": "C8000001"}),
        identity_keys(secret, {"phone": "+86 139-2288-7766"}),
    ]
    decisions = await RenewalRepository(graph).check(
        identities, dict(DEFAULT_ACTIONS), datetime.now(UTC)
    )
    return [
        (d.action.value, sorted((e.id, e.reason, e.status) for e, _ in d.reasons))
        for d in decisions
    ]


async def _complaint_desk_history(graph: Graph) -> None:
    """A repeat complaint, an escalation that opens a joint review, its outcome, and a
    resolution, all through the complaint desk's own code."""
    await HandlingGuideRepository(graph).seed_defaults()
    desk = ComplaintRepository(graph)
    repeat = NewComplaint(
        customer_no="C8000100",
        channel=ComplaintChannel.HOTLINE,
        category=ComplaintCategory.CLAIMS,
        summary="拒赔理由不合理，要求重新核定",
        received_at=RULES_NOW - timedelta(days=3),
        complaint_no="Q900000001",
        claim_nos=("L800000100",),
    )
    filed = await desk.file(repeat, actor="desk")
    assert filed.complaint.repeat_of
    escalated = await desk.escalate(
        "Q800000002", to_channel=ComplaintChannel.REGULATOR, reason="customer went to the CBIRC",
        actor="desk", now=RULES_NOW,
    )  # fmt: skip
    [review] = escalated.reviews
    await JointReviewRepository(graph).record_outcome(
        review.id, outcome="uphold the payment", participants=["claims", "legal"],
        actor="lead", now=RULES_NOW,
    )  # fmt: skip
    await desk.resolve("Q80000011", resolution="repair redone", actor="desk", now=RULES_NOW)


async def _reviewed_demo_book(graph: Graph, secret: bytes) -> None:
    """The demo book with complaint history; the rules run, one entry activated, one
    dismissed, one manual proposal."""
    await seed_demo(graph, secret)
    await _complaint_desk_history(graph)
    await run_rules(graph)
    repo = WatchlistRepository(graph)
    fraud = entry_id(RING_MEMBER, WatchlistReason.FRAUD_LINKED)
    await repo.review(fraud, True, "confirmed by the fraud desk", "reviewer", "key-r")
    ring = entry_id("customer:C8000002", WatchlistReason.SHARED_IDENTIFIER_RING)
    await repo.review(ring, False, "family members sharing a phone", "reviewer", "key-r")
    await repo.propose(
        "customer:C0000042", WatchlistReason.MANUAL, "tip-off", "analyst", "key-a", RULES_NOW, 90
    )


async def _export(graph: Graph, secret: bytes, path: Path) -> bytes:
    """Export through the exporter (small pages, to cross page boundaries) into ``path``."""
    out = io.StringIO(newline="\n")
    await GraphExporter(graph, secret, batch_size=37).write(out)
    content = out.getvalue().encode("utf-8")
    await anyio.Path(path).write_bytes(content)
    return content


async def _wipe(graph: Graph) -> None:
    """Empty and migrated, as the fixture leaves it; the handling guides a server seeds at
    start-up are seeded again (they are configuration, not exported)."""
    await graph.write_autocommit(WIPE)
    await migrate(graph)
    assert [r.data() for r in await graph.read(LABEL_COUNTS)] == []
    await HandlingGuideRepository(graph).seed_defaults()


async def _import(graph: Graph, secret: bytes, path: Path) -> None:
    report = await Importer(graph, secret, batch_size=50).run([ImportSource.from_path(path)])
    assert report.ok, report.rejected[:5]


async def test_export_then_import_into_an_empty_database_rebuilds_the_graph(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    secret = settings.identity_key
    await _reviewed_demo_book(graph, secret)
    before = await _snapshot(graph, secret)
    assert before["renewal"][0][0] == "DECLINE"  # the planted ring member, once confirmed
    statuses = {w["status"] for w in before["watchlist"]}
    assert {"PROPOSED", "ACTIVE", "DISMISSED"} <= statuses

    first = await _export(graph, secret, tmp_path / "backup.jsonl")
    assert await _export(graph, secret, tmp_path / "again.jsonl") == first  # deterministic
    text = first.decode()
    assert "139 2288 7766" not in text
    assert "13922887766" not in text

    await _wipe(graph)
    await _import(graph, secret, tmp_path / "backup.jsonl")
    after = await _snapshot(graph, secret)
    assert after == before
    assert await _export(graph, secret, tmp_path / "restored.jsonl") == first

    await _import(graph, secret, tmp_path / "backup.jsonl")  # a second import adds nothing
    assert await _snapshot(graph, secret) == before


async def test_an_export_made_with_another_secret_is_refused_before_writing(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    await seed_demo(graph, settings.identity_key)
    path = tmp_path / "backup.jsonl"
    await _export(graph, settings.identity_key, path)
    await _wipe(graph)
    empty = [r.data() for r in await graph.read(LABEL_COUNTS)]
    with pytest.raises(InvalidInput, match="different RISKWATCH_IDENTITY_SECRET"):
        await Importer(graph, b"another-installation-secret").run([ImportSource.from_path(path)])
    assert [r.data() for r in await graph.read(LABEL_COUNTS)] == empty


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ),
    )


async def test_cli_export_and_import_round_trip(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    await _reviewed_demo_book(graph, settings.identity_key)
    expected = await _export(graph, settings.identity_key, tmp_path / "in-process.jsonl")
    path = tmp_path / "riskwatch-export.jsonl"
    done = _cli("export", "--output", str(path))
    assert done.returncode == 0, done.stderr
    assert "exported" in done.stderr
    assert path.read_bytes() == expected
    assert not (tmp_path / "riskwatch-export.jsonl.partial").exists()
    refused = _cli("export", "--output", str(tmp_path / "claims.jsonl"))
    assert refused.returncode == 2
    assert "record type name" in refused.stderr
    unreadable = _cli("export", "--output", str(tmp_path / "backup.txt"))
    assert unreadable.returncode == 2
    assert "name it .jsonl" in unreadable.stderr
    await _wipe(graph)
    restored = _cli("import", str(path))
    assert restored.returncode == 0, restored.stderr
    assert "rejected 0" in restored.stdout
    assert await _export(graph, settings.identity_key, tmp_path / "after.jsonl") == expected
