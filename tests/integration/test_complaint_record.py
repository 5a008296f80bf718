"""The complete complaint record against the real Neo4j: assignment and the queue, the contact
log with callbacks, attachments, amounts, root cause, readable resolution and extension
reasons, close and reopen with their clocks, merge (both histories, the earliest clock, and
refusals that change nothing), the audit trail of every action, and the due-soon reminder."""

from __future__ import annotations

import json
from collections.abc import Coroutine
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from graph.access.audit import AuditRepository
from graph.client import Graph
from graph.complaints.actions import ComplaintRecordRepository, complaint_history
from graph.complaints.lifecycle import ComplaintFilter, ComplaintRepository, NewComplaint
from graph.complaints.records import Complaint
from graph.complaints.sweep import OverdueSweep
from models.complaint_record import (
    ClosureReason,
    ComplaintRecordRefused,
    ContactKind,
    RootCause,
    Satisfaction,
    attachment_ref,
)
from models.complaints import OPEN_STATUSES
from models.records import ComplaintCategory, ComplaintChannel, ComplaintStatus
from tests.integration.complaint_fixtures import T0, write_small_book

HOTLINE, REGULATOR = ComplaintChannel.HOTLINE, ComplaintChannel.REGULATOR
D = timedelta(days=1)
SHA = "0f" * 32
COMPLAINT_PROPS = "MATCH (q:Complaint {id: $id}) RETURN q {.*, updated_at: null} AS q"
EVENTS = "MATCH (e:DomainEvent {subject_id: $id}) RETURN e.type AS type, e.payload AS payload"


@pytest.fixture
async def repo(graph: Graph) -> ComplaintRepository:
    await write_small_book(graph)
    return ComplaintRepository(graph)


@pytest.fixture
def desk(graph: Graph) -> ComplaintRecordRepository:
    return ComplaintRecordRepository(graph)


def new(
    no: str,
    received: timedelta = timedelta(0),
    channel: ComplaintChannel = HOTLINE,
    customer: str = "C1",
    claims: tuple[str, ...] = (),
    policies: tuple[str, ...] = (),
) -> NewComplaint:
    return NewComplaint(
        customer_no=customer,
        channel=channel,
        category=ComplaintCategory.CLAIMS,
        summary="定损金额太低",
        received_at=T0 + received,
        complaint_no=no,
        claim_nos=claims,
        policy_nos=policies,
    )


async def props(graph: Graph, no: str) -> dict[str, Any]:
    return dict((await graph.read(COMPLAINT_PROPS, id=f"complaint:{no}"))[0]["q"])


async def event_types(graph: Graph, no: str) -> list[str]:
    return sorted(r["type"] for r in await graph.read(EVENTS, id=f"complaint:{no}"))


async def refused(call: Any) -> str:
    with pytest.raises(ComplaintRecordRefused) as error:
        await call
    return error.value.rule


async def test_assignment_and_the_queue_by_deadline(
    repo: ComplaintRepository, desk: ComplaintRecordRepository
) -> None:
    for no, days in (("Q1", 2), ("Q2", 0), ("Q3", 1)):
        await repo.file(new(no, received=days * D), actor="desk")
    assigned = await desk.assign("Q2", handler="王敏", team="claims", actor="lead", now=T0)
    assert (assigned.details.handler, assigned.details.team) == ("王敏", "claims")
    assert assigned.details.assigned_by == "lead"

    async def queue(**filters: Any) -> list[str]:
        page = await repo.page(
            ComplaintFilter(statuses=sorted(OPEN_STATUSES), **filters),
            first=10,
            after=None,
            now=T0,
            order="DUE_ASC",
        )
        return [c.complaint_no for c in page.items]

    assert await queue(assigned=False) == ["Q3", "Q1"]
    assert await queue(assigned=True) == ["Q2"]
    assert await queue(team="claims", handler="王敏") == ["Q2"]
    back = await desk.assign("Q2", handler=None, team=None, actor="lead", now=T0)
    assert back.details.handler is None
    assert await queue(assigned=False) == ["Q2", "Q3", "Q1"]


async def test_contact_log_with_callbacks_and_their_satisfaction(
    repo: ComplaintRepository, desk: ComplaintRecordRepository, graph: Graph
) -> None:
    await repo.file(new("Q1"), actor="desk")
    later = T0 + 10 * D

    def contact(
        kind: ContactKind, note: str, result: Satisfaction | None, days: int, by: str
    ) -> Coroutine[Any, Any, Complaint]:
        return desk.log_contact(
            "Q1", kind=kind, note=note, satisfaction=result, at=T0 + days * D, actor=by, now=later
        )

    await contact(ContactKind.INBOUND_CALL, "客户来电，留下电话13812345678", None, 0, "a")
    await contact(ContactKind.CALLBACK, "回访：满意", Satisfaction.SATISFIED, 8, "b")
    # An earlier callback logged late, and a later one that reached nobody, change nothing.
    await contact(ContactKind.CALLBACK, "回访：不满意", Satisfaction.DISSATISFIED, 6, "c")
    c = await contact(ContactKind.CALLBACK, "无人接听", Satisfaction.UNREACHABLE, 9, "d")
    assert c.details.satisfaction == "SATISFIED"
    assert [e.by for e in c.details.contacts] == ["a", "c", "b", "d"]
    first = c.details.contacts[0]
    assert "13812345678" not in first.note
    assert "138****5678" in first.note
    before = await props(graph, "Q1")
    assert await refused(contact(ContactKind.CALLBACK, "x", None, 9, "e")) == (
        "SATISFACTION_REQUIRED"
    )
    assert await refused(contact(ContactKind.SMS, "x", None, 11, "e")) == "IN_FUTURE"
    assert await props(graph, "Q1") == before
    assert len((await repo.get("Q1")).details.contacts) == 4


async def test_attachments_amounts_and_root_cause(
    repo: ComplaintRepository, desk: ComplaintRecordRepository, graph: Graph
) -> None:
    await repo.file(new("Q1"), actor="desk")
    doc = attachment_ref(SHA, 48_213, "application/pdf", "https://docs.example.cn/q1/定损单.pdf")
    c = await desk.attach("Q1", doc, actor="a", now=T0)
    [stored] = c.details.attachments
    assert (stored.sha256, stored.size, stored.media_type) == (SHA, 48_213, "application/pdf")
    assert stored.uri == "https://docs.example.cn/q1/定损单.pdf"
    assert await refused(desk.attach("Q1", doc, actor="a", now=T0)) == "DUPLICATE_ATTACHMENT"
    assert len((await repo.get("Q1")).details.attachments) == 1

    c = await desk.record_amounts(
        "Q1",
        compensation=(Decimal("1234.50"), "CNY"),
        in_dispute=(Decimal("5000"), "CNY"),
        actor="a",
        now=T0,
    )
    assert (c.details.compensation_fen, c.details.dispute_fen) == (123_450, 500_000)
    before = await props(graph, "Q1")
    negative = desk.record_amounts(
        "Q1", compensation=(Decimal("-1"), "CNY"), in_dispute=None, actor="a", now=T0
    )
    assert await refused(negative) == "NEGATIVE_AMOUNT"
    dollars = desk.record_amounts(
        "Q1", compensation=None, in_dispute=(Decimal("1"), "USD"), actor="a", now=T0
    )
    assert await refused(dollars) == "CURRENCY"
    assert await props(graph, "Q1") == before

    c = await desk.record_root_cause(
        "Q1",
        root_cause=RootCause.PARTNER,
        text="修理厂报价虚高，客户联系电话13812345678",
        actor="a",
        now=T0,
    )
    assert c.details.root_cause == "PARTNER"
    assert c.details.root_cause_text is not None
    assert "13812345678" not in c.details.root_cause_text


async def test_resolution_and_extension_reasons_read_back_with_their_events(
    repo: ComplaintRepository, graph: Graph
) -> None:
    await repo.file(new("Q1"), actor="desk")
    await repo.extend(
        "Q1", reason="需调取4S店记录，联系13812345678", approver=None, actor="a", now=T0 + D
    )
    await repo.extend("Q1", reason="等待鉴定", approver="王经理", actor="b", now=T0 + 20 * D)
    c = await repo.resolve("Q1", resolution="已补赔800元", actor="c", now=T0 + 25 * D)
    reasons = [(e.text, e.by, e.at) for e in c.details.extensions]
    assert reasons == [
        ("需调取4S店记录，联系138****5678", "a", T0 + D),
        ("等待鉴定", "b", T0 + 20 * D),
    ]
    assert c.details.resolution is not None
    assert (c.details.resolution.text, c.details.resolution.by) == ("已补赔800元", "c")
    assert c.details.resolution.at == T0 + 25 * D
    assert await event_types(graph, "Q1") == [
        "complaint.extended",
        "complaint.extended",
        "complaint.filed",
        "complaint.resolved",
    ]
    extended = [
        json.loads(r["payload"])
        for r in await graph.read(EVENTS, id="complaint:Q1")
        if r["type"] == "complaint.extended"
    ]
    assert sorted(p["extensions"] for p in extended) == [1, 2]


async def test_close_and_reopen_handle_the_clock(
    repo: ComplaintRepository, desk: ComplaintRecordRepository, graph: Graph
) -> None:
    await repo.file(new("Q1"), actor="desk")
    early = desk.close("Q1", reason=ClosureReason.ANSWERED, note=None, actor="a", now=T0)
    assert await refused(early) == "NOT_ANSWERED"
    await repo.resolve("Q1", resolution="已赔付", actor="a", now=T0 + 5 * D)
    closed = await desk.close(
        "Q1", reason=ClosureReason.ANSWERED, note="回访满意，归档", actor="b", now=T0 + 8 * D
    )
    assert closed.status is ComplaintStatus.CLOSED
    assert closed.closed_at == T0 + 5 * D  # the answer time, not the filing away
    assert closed.details.closure is not None
    assert closed.details.closure.at == T0 + 8 * D

    reopened = await desk.reopen("Q1", reason="客户不认可赔付金额", actor="c", now=T0 + 20 * D)
    assert reopened.status is ComplaintStatus.OPEN
    assert reopened.due_at == T0 + 35 * D
    assert (reopened.closed_at, reopened.details.resolution, reopened.details.closure) == (
        None,
        None,
        None,
    )
    assert reopened.received_at == T0
    assert [(r.text, r.by, r.at) for r in reopened.details.reopenings] == [
        ("客户不认可赔付金额", "c", T0 + 20 * D)
    ]
    # The 15/30/60 rules count from the reopening.
    extended = await repo.extend("Q1", reason="复核", approver=None, actor="d", now=T0 + 21 * D)
    assert extended.due_at == T0 + 50 * D

    before = await props(graph, "Q1")
    assert await refused(desk.reopen("Q1", reason="again", actor="e", now=T0 + 22 * D)) == (
        "NOT_FINISHED"
    )
    assert await props(graph, "Q1") == before
    types = await event_types(graph, "Q1")
    assert {"complaint.closed", "complaint.reopened"} <= set(types)
    # Withdrawn: an open complaint closes unanswered.
    await repo.file(new("Q2", customer="C2"), actor="desk")
    withdrawn = await desk.close(
        "Q2", reason=ClosureReason.WITHDRAWN, note=None, actor="a", now=T0 + 3 * D
    )
    assert (withdrawn.status, withdrawn.closed_at) == (ComplaintStatus.CLOSED, T0 + 3 * D)


async def test_merge_keeps_both_histories_and_the_earliest_clock(
    repo: ComplaintRepository, desk: ComplaintRecordRepository, graph: Graph
) -> None:
    await repo.file(new("Q1", claims=("L1",)), actor="desk")
    await desk.log_contact(
        "Q1",
        kind=ContactKind.INBOUND_CALL,
        note="first call",
        satisfaction=None,
        at=T0,
        actor="a",
        now=T0 + D,
    )
    await repo.file(new("Q2", received=5 * D, channel=REGULATOR, policies=("P1",)), actor="desk")
    await desk.record_regulator_referral(
        "Q2", referral_no="粤监转〔2026〕7号", reply_due_at=T0 + 12 * D, actor="b", now=T0 + 5 * D
    )
    merged = await desk.merge("Q1", into="Q2", reason="同一事项重复投诉", actor="c", now=T0 + 6 * D)
    assert merged.complaint_no == "Q2"
    assert (merged.received_at, merged.due_at) == (T0, T0 + 15 * D)  # Q1's clock, first
    assert merged.channel is REGULATOR  # the higher channel stays
    assert {a.id for a in merged.about} == {"claim:L1", "policy:P1"}
    assert [m.complaint_no for m in merged.details.merged_from] == ["Q1"]
    assert merged.details.regulator_ref == "粤监转〔2026〕7号"
    duplicate = await repo.get("Q1")
    assert duplicate.status is ComplaintStatus.MERGED
    assert duplicate.details.merged_into == "complaint:Q2"
    assert [e.note for e in duplicate.details.contacts] == ["first call"]  # its history stays

    history = (await complaint_history(graph, ["complaint:Q2"]))["complaint:Q2"]
    seen = {(e.subject_id, e.action) for e in history}
    assert {
        ("complaint:Q1", "complaint.file"),
        ("complaint:Q1", "complaint.contact"),
        ("complaint:Q1", "complaint.merge"),
        ("complaint:Q2", "complaint.file"),
        ("complaint:Q2", "complaint.regulator_referral"),
        ("complaint:Q2", "complaint.merge_in"),
    } <= seen
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert "complaint.merged" in await event_types(graph, "Q2")

    # Refusals change nothing.
    await repo.file(new("Q3", customer="C2"), actor="desk")
    await repo.resolve("Q3", resolution="ok", actor="a", now=T0 + D)
    snapshot = [await props(graph, no) for no in ("Q1", "Q2", "Q3")]
    relationships = await graph.read("MATCH ()-[r]->() RETURN count(r) AS n")
    for source, target, rule in (
        ("Q2", "Q2", "SELF_MERGE"),
        ("Q1", "Q2", "ALREADY_MERGED"),
        ("Q2", "Q1", "TARGET_FINISHED"),
        ("Q2", "Q3", "TARGET_FINISHED"),
        ("Q2", "Q404", "UNKNOWN_TARGET"),
    ):
        attempt = desk.merge(source, into=target, reason=None, actor="x", now=T0 + 7 * D)
        assert await refused(attempt) == rule, (source, target)
    assert [await props(graph, no) for no in ("Q1", "Q2", "Q3")] == snapshot
    assert await graph.read("MATCH ()-[r]->() RETURN count(r) AS n") == relationships


async def test_merging_a_higher_channel_in_raises_the_target_with_a_history_step(
    repo: ComplaintRepository, desk: ComplaintRecordRepository
) -> None:
    await repo.file(new("Q1"), actor="desk")
    await repo.file(new("Q2", received=D, channel=REGULATOR), actor="desk")
    merged = await desk.merge("Q2", into="Q1", reason=None, actor="c", now=T0 + 2 * D)
    assert merged.channel is REGULATOR
    assert [(e.from_channel, e.to_channel) for e in merged.escalations] == [(HOTLINE, REGULATOR)]
    assert merged.escalations[0].reason == "merged from Q2"


async def test_a_regulator_referral_belongs_to_a_regulator_case(
    repo: ComplaintRepository, desk: ComplaintRecordRepository
) -> None:
    await repo.file(new("Q1"), actor="desk")
    attempt = desk.record_regulator_referral(
        "Q1", referral_no="R-1", reply_due_at=T0 + 7 * D, actor="a", now=T0
    )
    assert await refused(attempt) == "NOT_A_REGULATOR_CASE"
    await repo.escalate("Q1", to_channel=REGULATOR, reason="客户向监管投诉", actor="a", now=T0)
    c = await desk.record_regulator_referral(
        "Q1", referral_no="R-1", reply_due_at=T0 + 7 * D, actor="a", now=T0
    )
    assert (c.details.regulator_ref, c.details.regulator_reply_due_at) == ("R-1", T0 + 7 * D)


async def test_every_complaint_action_is_in_the_audit_trail(
    repo: ComplaintRepository, desk: ComplaintRecordRepository, graph: Graph
) -> None:
    await repo.file(new("Q1"), actor="filer")
    await desk.assign("Q1", handler="h", team=None, actor="assigner", now=T0)
    await desk.log_contact(
        "Q1",
        kind=ContactKind.OUTBOUND_CALL,
        note="n",
        satisfaction=None,
        at=None,
        actor="caller",
        now=T0 + D,
    )
    await desk.attach(
        "Q1", attachment_ref(SHA, 1, "image/png", "https://d.cn/x"), actor="clerk", now=T0
    )
    await desk.record_amounts(
        "Q1", compensation=(Decimal(1), "CNY"), in_dispute=None, actor="clerk", now=T0
    )
    await desk.record_root_cause(
        "Q1", root_cause=RootCause.OTHER, text=None, actor="analyst", now=T0
    )
    await repo.extend("Q1", reason="复杂", approver=None, actor="extender", now=T0 + D)
    await repo.escalate("Q1", to_channel=REGULATOR, reason=None, actor="escalator", now=T0)
    await repo.resolve("Q1", resolution="答复", actor="resolver", now=T0 + 2 * D)
    await desk.close("Q1", reason=ClosureReason.ANSWERED, note=None, actor="closer", now=T0)
    await desk.reopen("Q1", reason="不满意", actor="reopener", now=T0 + 3 * D)
    page = await AuditRepository(graph).page(first=50, subject_id="complaint:Q1")
    events = page.items
    got = {(e.action, e.actor) for e in events}
    assert got == {
        ("complaint.file", "filer"),
        ("complaint.assign", "assigner"),
        ("complaint.contact", "caller"),
        ("complaint.attach", "clerk"),
        ("complaint.amounts", "clerk"),
        ("complaint.root_cause", "analyst"),
        ("complaint.extend", "extender"),
        ("complaint.escalate", "escalator"),
        ("complaint.resolve", "resolver"),
        ("complaint.close", "closer"),
        ("complaint.reopen", "reopener"),
    }
    reopen = next(e for e in events if e.action == "complaint.reopen")
    assert reopen.before is not None
    assert json.loads(reopen.before)["resolution"] == "答复"  # the earlier answer is kept


async def test_due_soon_reminds_once_per_deadline(repo: ComplaintRepository, graph: Graph) -> None:
    await repo.file(new("Q1"), actor="desk")  # due T0 + 15 days
    sweep = OverdueSweep(graph)
    lead = timedelta(days=3)
    assert await sweep.remind_due_soon(T0 + 11 * D, lead) == []
    [first] = await sweep.remind_due_soon(T0 + 12 * D + timedelta(hours=1), lead)
    assert (first.complaint_no, first.due_at) == ("Q1", T0 + 15 * D)
    assert await sweep.remind_due_soon(T0 + 13 * D, lead) == []
    await repo.extend("Q1", reason="复杂", approver=None, actor="a", now=T0 + 13 * D)
    [second] = await sweep.remind_due_soon(T0 + 28 * D, lead)
    assert second.due_at == T0 + 30 * D
    reminders = [
        json.loads(r["payload"])
        for r in await graph.read(EVENTS, id="complaint:Q1")
        if r["type"] == "complaint.due_soon"
    ]
    assert sorted(p["due_at"] for p in reminders) == [
        (T0 + 15 * D).isoformat(),
        (T0 + 30 * D).isoformat(),
    ]
    await repo.resolve("Q1", resolution="ok", actor="a", now=T0 + 29 * D)
    assert await sweep.remind_due_soon(T0 + 29 * D, timedelta(days=10)) == []
