"""The delivery outbox against a real local webhook receiver and a real SMTP server."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta
from email.message import Message
from email.parser import BytesParser
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from graph.client import Graph
from graph.crisis.alerts import RaisedAlert
from graph.outbox import OutboxRepository, WebhookTargetRepository
from graph.outbox_records import StoredTarget
from models.crisis import Severity
from monitors.delivery.formats import SmtpConfig
from monitors.delivery.outbox import RetryPolicy
from monitors.delivery.worker import DeliveryWorker
from tests.integration.crisis_fixtures import EPOCH, MovableClock, make_detector
from tests.integration.media_graph import StoryRow, standard_media
from tests.integration.webhook_receiver import WebhookReceiver, free_port

SECRET = "receiver-shared-secret"


async def _add_target(
    graph: Graph, clock: MovableClock, *, url: str, name: str = "pr-webhook", kind: str = "GENERIC"
) -> StoredTarget:
    return await WebhookTargetRepository(graph).add(
        name=name,
        kind=kind,
        url=url,
        secret=SECRET,
        min_severity=Severity.WATCH,
        event_types=[],
        actor="tests",
        now=clock.now,
    )


async def _raise_high_impact_alerts(
    graph: Graph, clock: MovableClock, subjects: list[str]
) -> list[RaisedAlert]:
    media = await standard_media(graph)
    stories = [
        StoryRow(f"hi:{i}", clock.now, [subject], ["feed:cctv"])
        for i, subject in enumerate(subjects)
    ]
    await media.add_stories(stories)
    return await make_detector(graph, clock).on_new_stories([s.id for s in stories])


async def test_a_down_receiver_gets_every_alert_once_after_a_restart(graph: Graph) -> None:
    clock = MovableClock(EPOCH)
    receiver = WebhookReceiver()
    await _add_target(graph, clock, url=receiver.url)
    raised = await _raise_high_impact_alerts(
        graph, clock, ["subject:acme", "subject:car-insurance", "subject:new-app"]
    )
    assert len(raised) == 3
    outbox = OutboxRepository(graph)
    policy = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(seconds=60))

    # One delivery is leased by a worker that then dies without a word.
    [orphan] = await outbox.claim("crashed-worker", clock.now, clock.now + timedelta(minutes=1), 1)

    first = DeliveryWorker(graph, policy=policy, clock=clock)
    round_one = await first.run_once()
    assert (round_one.claimed, round_one.retrying, round_one.sent) == (2, 2, 0)
    pending = await outbox.list_deliveries("PENDING")
    assert len(pending) == 3
    retried = [d for d in pending if d.id != orphan.id]
    assert all(d.attempts == 1 and "ConnectError" in (d.last_error or "") for d in retried)
    assert all(d.next_attempt_at and d.next_attempt_at > clock.now for d in retried)
    assert (await first.run_once()).claimed == 0  # backing off: nothing is due yet
    await first.aclose()  # riskwatch stops

    clock.advance(timedelta(minutes=2))
    await receiver.start()
    try:
        restarted = DeliveryWorker(graph, policy=policy, clock=clock)  # a fresh process
        round_two = await restarted.run_once()
        assert (round_two.claimed, round_two.sent) == (3, 3)
        assert (await restarted.run_once(clock.advance(timedelta(hours=1)))).claimed == 0
        await restarted.aclose()
    finally:
        await receiver.stop()

    keys = receiver.keys()
    assert sorted(keys) == sorted(f"alert:{r.id}:WARNING" for r in raised)
    assert len(set(keys)) == len(keys)
    for request in receiver.received:
        expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.headers["x-riskwatch-signature"] == f"sha256={expected}"
        body = json.loads(request.body)
        assert body["data"]["alert"]["kind"] == "HIGH_IMPACT_SOURCE"
    sent = await outbox.list_deliveries("SENT")
    assert len(sent) == 3


async def test_concurrent_workers_never_claim_the_same_delivery(graph: Graph) -> None:
    clock = MovableClock(EPOCH)
    await graph.write(
        "UNWIND range(1, 60) AS i "
        "CREATE (a:Alert {id: 'a' + i})<-[:FOR]-(:Delivery {id: 'd' + i, idempotency_key: 'k' + i,"
        " target_id: 't', status: 'PENDING', attempts: 0, next_attempt_at: $now})",
        now=clock.now,
    )
    outbox = OutboxRepository(graph)
    lease = clock.now + timedelta(minutes=1)
    claimed: list[tuple[str, str]] = []
    for _ in range(20):
        claims = await asyncio.gather(
            *(outbox.claim(f"worker-{n}", clock.now, lease, 15) for n in range(6))
        )
        claimed += [(item.id, f"worker-{n}") for n, batch in enumerate(claims) for item in batch]
        if not any(claims):
            break
    ids = [delivery_id for delivery_id, _ in claimed]
    # Racing claims may come back empty-handed, but no delivery is ever leased twice.
    assert len(ids) == len(set(ids)) == 60
    owners = await graph.read("MATCH (d:Delivery) RETURN d.id AS id, d.lease_owner AS owner")
    assert {(r["id"], r["owner"]) for r in owners} == set(claimed)


async def test_robot_formats_reach_the_receiver_and_robot_errors_retry(graph: Graph) -> None:
    clock = MovableClock(EPOCH)
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        for kind in ("WECOM", "DINGTALK", "FEISHU"):
            await _add_target(graph, clock, name=kind, kind=kind, url=f"{receiver.url}?key=x")
        await _raise_high_impact_alerts(graph, clock, ["subject:acme"])
        worker = DeliveryWorker(graph, clock=clock)
        assert (await worker.run_once()).sent == 3
        bodies = [json.loads(r.body) for r in receiver.received]
        shapes = sorted(b.get("msgtype") or b.get("msg_type") for b in bodies)
        assert shapes == ["interactive", "markdown", "markdown"]
        dingtalk = [r for r in receiver.received if "sign=" in r.path]
        assert len(dingtalk) == 1

        receiver.answer = b'{"errcode":310000,"errmsg":"keywords not in content"}'
        await _raise_high_impact_alerts(graph, clock, ["subject:car-insurance"])
        round_two = await worker.run_once()
        assert round_two.retrying == 3
        failed = [d for d in await OutboxRepository(graph).list_deliveries("PENDING")]
        assert all("310000" in (d.last_error or "") for d in failed)
        await worker.aclose()
    finally:
        await receiver.stop()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(
            BytesParser(policy=default).parsebytes(envelope.original_content or b"")
        )
        return "250 OK"


async def test_email_target_is_delivered_over_smtp(graph: Graph) -> None:
    clock = MovableClock(EPOCH)
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await _add_target(graph, clock, name="mail", kind="EMAIL", url="mailto:pr@insurer.test")
        [raised] = await _raise_high_impact_alerts(graph, clock, ["subject:acme"])
        worker = DeliveryWorker(
            graph, clock=clock, smtp=SmtpConfig("127.0.0.1", port, "riskwatch@insurer.test")
        )
        assert (await worker.run_once()).sent == 1
        await worker.aclose()
    finally:
        controller.stop()
    [message] = inbox.messages
    assert message["To"] == "pr@insurer.test"
    assert message["X-Riskwatch-Idempotency-Key"].strip() == f"alert:{raised.id}:WARNING"
    assert "HIGH_IMPACT_SOURCE" in message["Subject"]


async def test_a_delivery_that_cannot_be_built_fails_at_once(graph: Graph) -> None:
    clock = MovableClock(EPOCH)
    await graph.write(
        "CREATE (:WebhookTarget {id: 't-bad', name: 'bad', kind: 'CARRIER_PIGEON', url: 'x'}) "
        "CREATE (:Alert {id: 'a1'})<-[:FOR]-(:Delivery {id: 'd1', idempotency_key: 'k1',"
        " target_id: 't-bad', status: 'PENDING', attempts: 0, next_attempt_at: $now})",
        now=clock.now,
    )
    worker = DeliveryWorker(graph, clock=clock)
    assert (await worker.run_once()).failed == 1
    await worker.aclose()
    [failed] = await OutboxRepository(graph).list_deliveries("FAILED")
    assert "cannot build the message" in (failed.last_error or "")
