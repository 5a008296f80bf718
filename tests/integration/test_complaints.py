"""The complaint lifecycle against the real Neo4j: filing, repeats, joint reviews, escalation
with its outbox events (and none when refused), extensions, pagination, filters, the overdue
sweep with a moved clock."""

from __future__ import annotations

import json
from datetime import timedelta

import anyio
import pytest
from prometheus_client import REGISTRY

from graph.client import Graph
from graph.complaints.handling_guides import HandlingGuideRepository
from graph.complaints.joint_reviews import JointReviewRepository
from graph.complaints.lifecycle import ComplaintFilter, ComplaintRepository, NewComplaint
from graph.complaints.sweep import OverdueSweep
from models.complaints import (
    ApproverRequired,
    EscalationRefused,
    ExtensionLimitReached,
    UnknownCustomer,
    UnknownSubjects,
)
from models.errors import InvalidInput, NotFound
from models.records import ComplaintCategory, ComplaintChannel, ComplaintStatus
from monitors.complaint_deadlines import ComplaintDeadlineMonitor
from tests.integration.complaint_fixtures import T0, write_small_book

HOTLINE, REGULATOR = ComplaintChannel.HOTLINE, ComplaintChannel.REGULATOR
CLAIMS = ComplaintCategory.CLAIMS

EVENTS = """
MATCH (e:DomainEvent) WHERE $subject IS NULL OR e.subject_id = $subject
RETURN e.type AS type, e.payload AS payload, e.dispatched_at AS dispatched_at
ORDER BY e.at, e.type
"""


def new(
    no: str,
    customer: str = "C1",
    channel: ComplaintChannel = HOTLINE,
    received: timedelta = timedelta(0),
    summary: str = "定损金额太低，和修理厂报价差很多",
    claims: tuple[str, ...] = (),
    category: ComplaintCategory = CLAIMS,
) -> NewComplaint:
    return NewComplaint(
        customer_no=customer,
        channel=channel,
        category=category,
        summary=summary,
        received_at=T0 + received,
        complaint_no=no,
        claim_nos=claims,
    )


async def events(graph: Graph, subject: str | None = None) -> list[dict[str, object]]:
    return [r.data() for r in await graph.read(EVENTS, subject=subject)]


@pytest.fixture
async def repo(graph: Graph) -> ComplaintRepository:
    await write_small_book(graph)
    await HandlingGuideRepository(graph).seed_defaults()
    return ComplaintRepository(graph)


async def test_filing_sets_deadline_links_and_returns_guide(
    repo: ComplaintRepository, graph: Graph
) -> None:
    filing = await repo.file(new("Q1", claims=("L1",)), actor="desk")
    c = filing.complaint
    assert c.id == "complaint:Q1"
    assert (c.status, c.channel, c.repeat) == (ComplaintStatus.OPEN, HOTLINE, False)
    assert c.due_at == T0 + timedelta(days=15)
    assert c.complainant is not None
    assert c.complainant.customer_no == "C1"
    assert [a.id for a in c.about] == ["claim:L1"]
    assert "定损" in c.topic_terms
    assert filing.guide is not None
    assert filing.guide.id == "guide:claims-low-assessment"
    assert filing.joint_review is None
    shape = await graph.read(
        "MATCH (:Customer {id: 'customer:C1'})-[:FILED]->(q:Complaint {id: 'complaint:Q1'})"
        "-[:ABOUT]->(:Claim {id: 'claim:L1'}) RETURN q.complaint_no AS no"
    )
    assert shape[0]["no"] == "Q1"
    filed = await events(graph, "complaint:Q1")
    assert [e["type"] for e in filed] == ["complaint.filed"]
    assert filed[0]["dispatched_at"] is None


async def test_unknown_customer_or_subject_writes_nothing(
    repo: ComplaintRepository, graph: Graph
) -> None:
    with pytest.raises(UnknownCustomer):
        await repo.file(new("Q1", customer="C404"), actor="desk")
    with pytest.raises(UnknownSubjects, match="claim:L404"):
        await repo.file(new("Q2", claims=("L404",)), actor="desk")
    counts = await graph.read(
        "RETURN COUNT { (:Complaint) } AS complaints, COUNT { (:DomainEvent) } AS events"
    )
    assert (counts[0]["complaints"], counts[0]["events"]) == (0, 0)


async def test_repeat_on_same_matter_opens_joint_review(
    repo: ComplaintRepository, graph: Graph
) -> None:
    await repo.file(new("Q1", claims=("L2",)), actor="desk")
    other = await repo.file(new("Q2", customer="C2"), actor="desk")
    assert not other.complaint.repeat
    # Same customer, the other claim on the same policy: a related matter, still open.
    second = await repo.file(new("Q3", claims=("L1",), received=timedelta(days=3)), actor="desk")
    assert second.complaint.repeat
    assert second.complaint.repeat_of == ["complaint:Q1"]
    assert second.joint_review is not None
    assert second.joint_review.reasons == ["REPEAT"]
    assert "complaints" in second.joint_review.participants
    assert [e["type"] for e in await events(graph, "complaint:Q3")] == [
        "complaint.filed",
        "complaint.joint_review_opened",
    ]
    concluded = await JointReviewRepository(graph).record_outcome(
        second.joint_review.id,
        outcome="补充说明定损依据，安排复勘",
        participants=["complaints", "claims"],
        actor="desk",
        now=T0 + timedelta(days=4),
    )
    review = concluded.reviews[0]
    assert (review.status, review.outcome) == ("CONCLUDED", "补充说明定损依据，安排复勘")


async def test_regulator_channel_opens_joint_review_with_compliance(
    repo: ComplaintRepository,
) -> None:
    filing = await repo.file(new("Q1", channel=REGULATOR), actor="desk")
    assert filing.joint_review is not None
    assert filing.joint_review.reasons == ["REGULATOR"]
    assert "compliance" in filing.joint_review.participants


async def test_escalation_keeps_history_and_writes_events_in_the_same_transaction(
    repo: ComplaintRepository, graph: Graph
) -> None:
    await repo.file(new("Q1", channel=ComplaintChannel.FRONTLINE, claims=("L1",)), actor="desk")
    step = await repo.escalate("Q1", to_channel=None, reason="未回电", actor="a", now=T0)
    assert step.channel is HOTLINE
    media = await repo.escalate(
        "complaint:Q1",
        to_channel=ComplaintChannel.MEDIA,
        reason="客户联系了报社",
        actor="b",
        now=T0 + timedelta(hours=2),
    )
    assert media.channel is ComplaintChannel.MEDIA
    assert [(e.from_channel, e.to_channel, e.by) for e in media.escalations] == [
        (ComplaintChannel.FRONTLINE, HOTLINE, "a"),
        (HOTLINE, ComplaintChannel.MEDIA, "b"),
    ]
    assert media.reviews[0].reasons == ["MEDIA"]
    escalated = [e for e in await events(graph, "complaint:Q1") if "escalated" in str(e["type"])]
    payloads = [json.loads(str(e["payload"])) for e in escalated]
    assert [(p["from_channel"], p["to_channel"]) for p in payloads] == [
        ("FRONTLINE", "HOTLINE"),
        ("HOTLINE", "MEDIA"),
    ]
    assert payloads[1]["customer_id"] == "customer:C1"
    assert payloads[1]["about_ids"] == ["claim:L1"]
    assert payloads[1]["complaint_no"] == "Q1"
    assert payloads[1]["category"] == "CLAIMS"
    types = [e["type"] for e in await events(graph, "complaint:Q1")]
    assert types.count("complaint.joint_review_opened") == 1

    before = len(await events(graph))
    with pytest.raises(EscalationRefused):
        await repo.escalate("Q1", to_channel=None, reason=None, actor="c", now=T0)
    with pytest.raises(EscalationRefused):
        await repo.escalate("Q1", to_channel=HOTLINE, reason=None, actor="c", now=T0)
    assert len(await events(graph)) == before
    assert len((await repo.get("Q1")).escalations) == 2


async def test_extensions_follow_the_15_30_60_rules_in_the_graph(
    repo: ComplaintRepository,
) -> None:
    await repo.file(new("Q1"), actor="desk")
    now = T0 + timedelta(days=10)
    first = await repo.extend("Q1", reason="需要第三方鉴定", approver=None, actor="x", now=now)
    assert (first.due_at, first.status, first.extensions) == (
        T0 + timedelta(days=30),
        ComplaintStatus.EXTENDED,
        1,
    )
    with pytest.raises(ApproverRequired):
        await repo.extend("Q1", reason="仍在鉴定", approver=None, actor="x", now=now)
    second = await repo.extend("Q1", reason="仍在鉴定", approver="王经理", actor="x", now=now)
    assert (second.due_at, second.approver) == (T0 + timedelta(days=60), "王经理")
    with pytest.raises(ExtensionLimitReached):
        await repo.extend("Q1", reason="再等等", approver="王经理", actor="x", now=now)
    assert (await repo.get("Q1")).due_at == T0 + timedelta(days=60)


async def test_pages_have_no_duplicates_or_gaps(repo: ComplaintRepository) -> None:
    # 23 complaints, several sharing one received_at so the id tie-break matters.
    for n in range(23):
        customer = "C1" if n % 2 else "C2"
        await repo.file(
            new(f"Q{n:02d}", customer=customer, received=timedelta(days=n // 3)), actor="d"
        )
    for order in ("RECEIVED_DESC", "DUE_ASC"):
        seen = []
        after = None
        while True:
            page = await repo.page(ComplaintFilter(), first=5, after=after, now=T0, order=order)
            seen.extend(page.items)
            if not page.has_next:
                break
            after = page.cursors[-1]
        ids = [c.id for c in seen]
        assert len(ids) == 23
        assert len(set(ids)) == 23
        if order == "RECEIVED_DESC":
            keys = [(c.received_at, c.id) for c in seen]
            assert keys == sorted(keys, reverse=True)
        else:
            keys = [(c.due_at, c.id) for c in seen]
            assert keys == sorted(keys)


async def test_filters(repo: ComplaintRepository) -> None:
    await repo.file(new("QA", channel=REGULATOR), actor="d")
    await repo.file(new("QB", customer="C2", received=timedelta(days=10)), actor="d")
    await repo.file(
        new("QC", customer="C2", category=ComplaintCategory.SALES, summary="被强制搭售意外险"),
        actor="d",
    )

    async def ids(f: ComplaintFilter, days: int = 0) -> list[str]:
        page = await repo.page(f, first=50, after=None, now=T0 + timedelta(days=days))
        return sorted(c.complaint_no for c in page.items)

    assert await ids(ComplaintFilter(channels=[REGULATOR])) == ["QA"]
    assert await ids(ComplaintFilter(categories=[ComplaintCategory.SALES])) == ["QC"]
    assert await ids(ComplaintFilter(party_id="customer:C2")) == ["QB", "QC"]
    assert await ids(ComplaintFilter(statuses=[ComplaintStatus.OPEN])) == ["QA", "QB", "QC"]
    # On day 16, QA and QC (received day 0) are past their deadline; QB is due on day 25.
    assert await ids(ComplaintFilter(overdue=True), days=16) == ["QA", "QC"]
    assert await ids(ComplaintFilter(overdue=False), days=16) == ["QB"]
    assert await ids(ComplaintFilter(due_within_days=10), days=16) == ["QB"]
    assert await ids(ComplaintFilter(due_within_days=5), days=16) == []


async def test_overdue_sweep_with_a_moved_clock_marks_once_and_sets_the_metric(
    repo: ComplaintRepository, graph: Graph
) -> None:
    await repo.file(new("Q1"), actor="d")
    await repo.file(new("Q2", customer="C2", received=timedelta(days=10)), actor="d")
    monitor = ComplaintDeadlineMonitor(graph, interval_s=60)
    assert await monitor.run_overdue_check(T0 + timedelta(days=14)) == []
    marked = await monitor.run_overdue_check(T0 + timedelta(days=16))
    assert [m.complaint_no for m in marked] == ["Q1"]
    assert REGISTRY.get_sample_value("riskwatch_complaints_overdue") == 1
    assert (await repo.get("Q1")).status is ComplaintStatus.OVERDUE
    assert await monitor.run_overdue_check(T0 + timedelta(days=17)) == []
    overdue_events = [e for e in await events(graph) if e["type"] == "complaint.overdue"]
    assert len(overdue_events) == 1
    assert json.loads(str(overdue_events[0]["payload"]))["complaint_no"] == "Q1"
    sweeps = REGISTRY.get_sample_value("riskwatch_complaint_sweeps_total", {"outcome": "ok"})
    assert sweeps is not None
    assert sweeps >= 3
    # A resolved complaint never becomes overdue.
    await repo.resolve("Q2", resolution="已赔付", actor="d", now=T0 + timedelta(days=11))
    assert await monitor.run_overdue_check(T0 + timedelta(days=40)) == []


async def test_manual_joint_review_one_open_at_a_time(
    repo: ComplaintRepository, graph: Graph
) -> None:
    await repo.file(new("Q1"), actor="d")
    reviews = JointReviewRepository(graph)
    review = await reviews.open(
        "Q1", participants=["complaints", "legal"], reason="媒体关注", actor="d", now=T0
    )
    assert (review.status, review.participants) == ("OPEN", ["complaints", "legal"])
    with pytest.raises(InvalidInput, match="already has an open joint review"):
        await reviews.open("Q1", participants=["x"], reason="again", actor="d", now=T0)
    types = [e["type"] for e in await events(graph, "complaint:Q1")]
    assert types.count("complaint.joint_review_opened") == 1
    await reviews.record_outcome(
        review.id, outcome="维持原结论", participants=[], actor="d", now=T0
    )
    with pytest.raises(NotFound):
        await reviews.record_outcome(review.id, outcome="again", participants=[], actor="d", now=T0)


async def test_escalation_and_its_event_commit_together(
    repo: ComplaintRepository, graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    await repo.file(new("Q1"), actor="d")

    async def outbox_down(*args: object) -> int:
        raise RuntimeError("outbox write failed")

    monkeypatch.setattr("graph.complaints.lifecycle.append_domain_events", outbox_down)
    with pytest.raises(RuntimeError):
        await repo.escalate("Q1", to_channel=REGULATOR, reason=None, actor="d", now=T0)
    unchanged = await repo.get("Q1")
    assert unchanged.channel is HOTLINE
    assert unchanged.escalations == []
    assert unchanged.reviews == []  # the joint review rolled back with it


async def test_concurrent_sweeps_mark_and_announce_each_complaint_once(
    repo: ComplaintRepository, graph: Graph
) -> None:
    for n in range(12):
        await repo.file(new(f"Q{n:02d}", customer="C1" if n % 2 else "C2"), actor="d")
    sweep = OverdueSweep(graph)
    later = T0 + timedelta(days=20)
    results: list[int] = []

    async def one() -> None:
        results.append(len(await sweep.mark_overdue(later)))

    async with anyio.create_task_group() as tasks:
        for _ in range(3):
            tasks.start_soon(one)
    assert sum(results) == 12
    overdue = [e for e in await events(graph) if e["type"] == "complaint.overdue"]
    assert len(overdue) == 12


async def test_the_loop_sweeps_on_its_interval(repo: ComplaintRepository, graph: Graph) -> None:
    await repo.file(new("Q1"), actor="d")
    monitor = ComplaintDeadlineMonitor(
        graph, interval_s=0.05, clock=lambda: T0 + timedelta(days=30)
    )
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(monitor.run_forever)
        with anyio.fail_after(20):  # poll with a deadline; the loop's first tick marks it
            status = (await repo.get("Q1")).status
            for _ in range(400):
                if status is ComplaintStatus.OVERDUE:
                    break
                await anyio.sleep(0.05)
                status = (await repo.get("Q1")).status
        tasks.cancel_scope.cancel()
    assert status is ComplaintStatus.OVERDUE
