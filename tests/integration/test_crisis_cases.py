"""Crisis cases: media escalation events, step escalation on a moved clock, event fan-out."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TypedDict

import anyio

from graph.client import Graph
from graph.crisis.alerts import AlertRepository
from graph.crisis.cases import CrisisCaseRepository
from graph.migrations import migrate
from graph.outbox import WebhookTargetRepository
from models.crisis import Severity
from monitors.crisis.broker import AlertBroker
from monitors.crisis.escalation import EscalationSweep
from monitors.events_dispatch import DomainEventDispatcher
from tests.integration.crisis_fixtures import EPOCH, MovableClock, make_detector
from tests.integration.media_graph import StoryRow, standard_media

CREATE_EVENT = """
CREATE (:DomainEvent:Undispatched {id: $id, type: $type, at: $at, subject_id: $subject_id,
                                   payload: $payload, dispatched_at: null})
"""
# Events as written before undispatched ones carried their own label.
CREATE_OLD_EVENTS = """
CREATE (:DomainEvent {id: 'old-waiting', type: 'complaint.filed', at: $at,
                      subject_id: 'complaint:K900', payload: '{}', dispatched_at: null})
CREATE (:DomainEvent {id: 'old-done', type: 'complaint.filed', at: $at,
                      subject_id: 'complaint:K900', payload: '{}', dispatched_at: $at})
"""
UNDISPATCHED = "MATCH (e:Undispatched) RETURN e.id AS id ORDER BY id"


class _TargetFields(TypedDict):
    """The target fields the event-type tests share."""

    kind: str
    url: str
    secret: str | None
    actor: str


async def _event(
    graph: Graph, event_id: str, event_type: str, clock: MovableClock, **payload: object
) -> None:
    await graph.write(
        CREATE_EVENT,
        id=event_id,
        type=event_type,
        at=clock.now,
        subject_id="complaint:K900",
        payload=json.dumps({"complaint_no": "K900", **payload}),
    )


async def _dispatch_all(graph: Graph, dispatcher: DomainEventDispatcher) -> None:
    """Run the dispatcher until no event is left (another process's dispatcher may help)."""
    with anyio.fail_after(15):
        while True:
            await dispatcher.run_once()
            left = await graph.read(
                "MATCH (e:DomainEvent) WHERE e.dispatched_at IS NULL RETURN count(e) AS n"
            )
            if left[0]["n"] == 0:
                return
            await anyio.sleep(0.05)


async def test_older_events_are_labelled_by_the_migration_and_dispatched(graph: Graph) -> None:
    clock = MovableClock(EPOCH)
    await graph.write(CREATE_OLD_EVENTS, at=clock.now)
    dispatcher = DomainEventDispatcher(graph, make_detector(graph, clock))
    assert await dispatcher.run_once() == 0  # the dispatcher only looks at labelled events
    await migrate(graph)
    assert [r["id"] for r in await graph.read(UNDISPATCHED)] == ["old-waiting"]
    await _dispatch_all(graph, dispatcher)
    assert await graph.read(UNDISPATCHED) == []


async def test_media_escalation_opens_a_crisis_case_at_once_and_events_fan_out(
    graph: Graph,
) -> None:
    clock = MovableClock(EPOCH)
    await graph.write(
        "CREATE (:Customer:Party {id: 'customer:C8000100', name: '钱多多'})-[:FILED]->"
        "(:Complaint {id: 'complaint:K900', complaint_no: 'K900', channel: 'MEDIA',"
        " status: 'OPEN', category: 'CLAIMS'})"
    )
    targets = WebhookTargetRepository(graph)
    common: _TargetFields = {
        "kind": "GENERIC",
        "url": "http://127.0.0.1:9/hook",
        "secret": None,
        "actor": "t",
    }
    desk = await targets.add(
        name="complaints-desk",
        min_severity=None,
        event_types=["complaint.escalated", "complaint.overdue"],
        now=clock.now,
        **common,
    )
    pr = await targets.add(
        name="pr", min_severity=Severity.WARNING, event_types=[], now=clock.now, **common
    )
    await _event(
        graph, "e1", "complaint.escalated", clock, from_channel="REGULATOR", to_channel="MEDIA"
    )
    await _event(graph, "e2", "complaint.overdue", clock, channel="REGULATOR")
    await _event(graph, "e3", "complaint.filed", clock, channel="HOTLINE")

    await _dispatch_all(graph, DomainEventDispatcher(graph, make_detector(graph, clock)))

    [case] = await CrisisCaseRepository(graph).list_cases("OPEN")
    assert case.severity == "CRISIS"
    assert case.subject_id == "complaint:K900"
    steps = await CrisisCaseRepository(graph).steps(case.id)
    assert "notify_management" in {s.key for s in steps}
    [alert] = await CrisisCaseRepository(graph).alerts(case.id)
    assert alert.kind == "MEDIA_ESCALATION"
    assert alert.explanation["to_channel"] == "MEDIA"
    deliveries = await graph.read(
        "MATCH (d:Delivery)-[:FOR]->(x) RETURN d.target_id AS target, d.event_type AS type"
    )
    got = sorted((r["target"], r["type"]) for r in deliveries)
    assert got == sorted(
        [
            (desk.id, "complaint.escalated"),
            (desk.id, "complaint.overdue"),
            (pr.id, "alert.raised"),
        ]
    )
    review = await CrisisCaseRepository(graph).related_complaints(["complaint:K900"])
    assert [c.complaint_no for c in review] == ["K900"]


async def test_an_unacknowledged_step_escalates_at_its_deadline(graph: Graph) -> None:
    media = await standard_media(graph)
    clock = MovableClock(EPOCH)
    await media.add_stories([StoryRow("cctv:1", clock.now, ["subject:acme"], ["feed:cctv"])])
    [raised] = await make_detector(graph, clock).on_new_stories(["cctv:1"])
    assert raised.case_id is not None
    cases = CrisisCaseRepository(graph)
    steps = {s.key: s for s in await cases.steps(raised.case_id)}
    notify = steps["notify_pr_duty"]
    assert notify.due_at == EPOCH + timedelta(minutes=15)
    sweep = EscalationSweep(graph, clock)

    assert await sweep.run_once(EPOCH + timedelta(minutes=14, seconds=59)) == []
    [escalation] = await sweep.run_once(EPOCH + timedelta(minutes=15))
    assert (escalation.step_id, escalation.to_role, escalation.level) == (
        notify.id,
        "pr_lead",
        1,
    )
    assert await sweep.run_once(EPOCH + timedelta(minutes=15)) == []  # once per deadline
    after = {s.key: s for s in await cases.steps(raised.case_id)}["notify_pr_duty"]
    assert after.role == "pr_lead"
    assert after.due_at == EPOCH + timedelta(minutes=30)

    # A completed step never escalates; the pending one keeps climbing its chain.
    await cases.complete_step(steps["assess_risk"].id, "pr-officer", "done", clock.now)
    later = await sweep.run_once(EPOCH + timedelta(hours=3))
    assert [(e.step_id, e.to_role) for e in later] == [(notify.id, "management")]

    timeline = await cases.timeline(raised.case_id, [raised.case_id])
    actions = [t.action for t in timeline]
    assert actions.count("crisis.step.escalate") == 2
    assert actions[0] == "crisis.case.open"
    events = await graph.read(
        "MATCH (e:DomainEvent {type: 'crisis.step_escalated'}) RETURN e.payload AS payload"
    )
    assert {json.loads(r["payload"])["to_role"] for r in events} == {"pr_lead", "management"}


async def test_broker_publishes_each_alert_once_to_every_subscriber(graph: Graph) -> None:
    media = await standard_media(graph)
    clock = MovableClock(EPOCH)
    broker = AlertBroker(graph, clock=clock)
    async with broker.subscription() as first, broker.subscription() as second:
        await media.add_stories([StoryRow("b:1", clock.now, ["subject:acme"], ["feed:cctv"])])
        [raised] = await make_detector(graph, clock).on_new_stories(["b:1"])
        clock.advance(timedelta(seconds=1))
        assert await broker.poll_once() == 1
        assert await broker.poll_once() == 0  # the overlap re-reads it; it is not sent twice
        assert first.get_nowait().id == second.get_nowait().id == raised.id
        assert first.empty()
    assert broker.subscriber_count == 0


async def test_acknowledging_the_alert_does_the_notify_step_so_it_never_escalates(
    graph: Graph,
) -> None:
    media = await standard_media(graph)
    clock = MovableClock(EPOCH)
    await media.add_stories([StoryRow("cctv:1", clock.now, ["subject:acme"], ["feed:cctv"])])
    [raised] = await make_detector(graph, clock).on_new_stories(["cctv:1"])
    assert raised.case_id is not None
    await AlertRepository(graph).acknowledge(raised.id, "pr-officer", EPOCH + timedelta(minutes=5))
    assert await EscalationSweep(graph, clock).run_once(EPOCH + timedelta(minutes=20)) == []
    steps = {s.key: s for s in await CrisisCaseRepository(graph).steps(raised.case_id)}
    assert steps["notify_pr_duty"].status == "DONE"
    assert steps["notify_pr_duty"].completed_by == "pr-officer"
    assert steps["assess_risk"].status == "PENDING"
