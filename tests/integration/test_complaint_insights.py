"""Frontline feedback, complaint-risk signals (small book and the demo book's serial
complainant), hot topics and handling guides against the real Neo4j."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graph.bulk.demo import write_demo_book
from graph.client import Graph
from graph.complaints.feedback import FrontlineFeedbackRepository
from graph.complaints.handling_guides import DEFAULT_GUIDES, HandlingGuideRepository
from graph.complaints.insights import RiskThresholds, complaint_hot_topics, complaint_risk
from graph.complaints.lifecycle import ComplaintRepository, NewComplaint
from models.complaint_risk import RiskSignalCode
from models.errors import InvalidInput
from models.feedback import FeedbackKind
from models.records import ComplaintCategory, ComplaintChannel
from tests.integration.complaint_fixtures import T0, write_small_book

SECRET = b"integration-secret-0123456789"


def complaint(
    no: str,
    summary: str,
    days: int,
    category: ComplaintCategory = ComplaintCategory.CLAIMS,
    channel: ComplaintChannel = ComplaintChannel.HOTLINE,
    customer: str = "C2",
) -> NewComplaint:
    return NewComplaint(
        customer_no=customer,
        channel=channel,
        category=category,
        summary=summary,
        received_at=T0 + timedelta(days=days),
        complaint_no=no,
    )


async def test_feedback_is_recorded_and_paged(graph: Graph) -> None:
    await write_small_book(graph)
    repo = FrontlineFeedbackRepository(graph)
    for n in range(3):
        await repo.submit(
            kind=FeedbackKind.GRIEVANCE,
            text=f"客户对拒赔很不满 {n}",
            customer_nos=["C1"],
            policy_nos=[],
            claim_nos=["L2"],
            actor="agent-7",
            role="complaints",
            now=T0 + timedelta(hours=n),
        )
    first = await repo.list(first=2, after=None)
    assert [f.text[-1] for f in first.items] == ["2", "1"]
    assert first.has_next
    assert [a.id for a in first.items[0].about] == ["claim:L2", "customer:C1"]
    rest = await repo.list(first=2, after=first.cursors[-1])
    assert [f.text[-1] for f in rest.items] == ["0"]
    assert not rest.has_next
    with pytest.raises(InvalidInput, match="must name"):
        await repo.submit(
            kind=FeedbackKind.OBSERVATION,
            text="x",
            customer_nos=[],
            policy_nos=[],
            claim_nos=[],
            actor="a",
            role="risk",
            now=T0,
        )
    with pytest.raises(InvalidInput, match="customer:C404"):
        await repo.submit(
            kind=FeedbackKind.OBSERVATION,
            text="x",
            customer_nos=["C404"],
            policy_nos=[],
            claim_nos=[],
            actor="a",
            role="risk",
            now=T0,
        )


async def test_risk_signals_on_a_small_book(graph: Graph) -> None:
    await write_small_book(graph)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    thresholds = RiskThresholds(pending_days=30, hotline_contacts=2, lookback_days=365)
    before = await complaint_risk(graph, first=10, now=now, thresholds=thresholds)
    # L1 has been pending since 5 January: 55 days.
    assert [(r.customer.customer_no, r.claim_id) for r in before] == [("C1", "claim:L1")]
    assert before[0].signals[0].code is RiskSignalCode.PENDING_CLAIM
    assert before[0].customer.id_masked == "440***********1234"
    await FrontlineFeedbackRepository(graph).submit(
        kind=FeedbackKind.GRIEVANCE,
        text="客户在柜面抱怨拒赔",
        customer_nos=[],
        policy_nos=[],
        claim_nos=["L2"],
        actor="agent",
        role="complaints",
        now=datetime(2026, 2, 10, tzinfo=UTC),
    )
    after = await complaint_risk(graph, first=10, now=now, thresholds=thresholds)
    signals = {(r.claim_id, s.code) for r in after for s in r.signals}
    assert ("claim:L2", RiskSignalCode.DENIED_THEN_GRIEVANCE) in signals
    assert ("claim:L1", RiskSignalCode.PENDING_CLAIM) in signals


async def test_serial_complainant_is_flagged_on_the_demo_book(graph: Graph) -> None:
    await write_demo_book(graph, 100, 7, SECRET)
    await FrontlineFeedbackRepository(graph).submit(
        kind=FeedbackKind.GRIEVANCE,
        text="钱多多再次来电，对拒赔结论不满，扬言找媒体",
        customer_nos=["C8000100"],
        policy_nos=[],
        claim_nos=["L800000100"],
        actor="agent",
        role="complaints",
        now=datetime(2026, 11, 20, tzinfo=UTC),
    )
    found = await complaint_risk(
        graph,
        first=100,
        now=datetime(2026, 11, 26, tzinfo=UTC),
        thresholds=RiskThresholds(),
    )
    serial = [r for r in found if r.customer.customer_no == "C8000100"]
    assert serial, [r.customer.customer_no for r in found]
    top = serial[0]
    assert top.claim_id == "claim:L800000100"
    codes = {s.code for s in top.signals}
    assert {RiskSignalCode.PRIOR_COMPLAINT, RiskSignalCode.DENIED_THEN_GRIEVANCE} <= codes
    prior = next(s for s in top.signals if s.code is RiskSignalCode.PRIOR_COMPLAINT)
    assert "REGULATOR" in prior.detail
    assert found[0].customer.customer_no == "C8000100"  # highest score first
    assert top.customer.phone_masked is not None
    assert "*" in top.customer.phone_masked


async def test_hot_topics_counts_and_trend(graph: Graph) -> None:
    await write_small_book(graph)
    repo = ComplaintRepository(graph)
    # Previous period: days 0-9; current: days 10-19.
    await repo.file(complaint("Q1", "理赔进度太慢", 2), actor="d")
    await repo.file(complaint("Q2", "定损金额太低", 12, customer="C1"), actor="d")
    await repo.file(complaint("Q3", "定损金额不合理", 13), actor="d")
    await repo.file(
        complaint("Q4", "续保保费上涨太多", 14, category=ComplaintCategory.UNDERWRITING),
        actor="d",
    )
    topics = await complaint_hot_topics(
        graph, start=T0 + timedelta(days=10), end=T0 + timedelta(days=20)
    )
    by_category = {t.category: t for t in topics}
    claims = by_category["CLAIMS"]
    assert (claims.count, claims.previous, claims.trend) == (2, 1, "UP")
    terms = {x.term: (x.count, x.previous) for x in claims.terms}
    assert terms["定损"] == (2, 0)
    assert terms["金额"] == (2, 0)
    assert "理赔" not in terms  # only in the previous period
    assert by_category["UNDERWRITING"].count == 1
    with pytest.raises(InvalidInput):
        await complaint_hot_topics(graph, start=T0, end=T0)


async def test_guides_seed_idempotently_and_keep_admin_edits(graph: Graph) -> None:
    guides = HandlingGuideRepository(graph)
    await guides.seed_defaults()
    edited = await guides.upsert(
        key="claims-denial-dispute",
        title="拒赔争议（新版）",
        category=ComplaintCategory.CLAIMS,
        keywords=["拒赔"],
        script="新的话术",
        actor="admin",
    )
    assert edited.updated_by == "admin"
    await guides.seed_defaults()
    listed = await guides.list()
    assert len(listed) == len(DEFAULT_GUIDES)
    denial = await guides.get("claims-denial-dispute")
    assert (denial.title, denial.script) == ("拒赔争议（新版）", "新的话术")
    assert await guides.match(ComplaintCategory.CLAIMS, "拒赔理由不合理", []) == denial
    assert await guides.delete("claims-denial-dispute")
    assert not await guides.delete("claims-denial-dispute")
    with pytest.raises(InvalidInput):
        await guides.upsert(
            key="Bad Key!",
            title="t",
            category=ComplaintCategory.OTHER,
            keywords=[],
            script="s",
            actor="a",
        )
