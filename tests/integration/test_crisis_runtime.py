"""The application's own crisis loops, end to end: riskwatch restarts while a receiver is down."""

from __future__ import annotations

import anyio

from api.app import create_app
from api.settings import Settings
from graph.client import Graph
from graph.outbox import OutboxRepository, WebhookTargetRepository
from models.crisis import Severity
from monitors.clock import utc_now
from tests.integration.crisis_fixtures import MovableClock, make_detector
from tests.integration.media_graph import StoryRow, standard_media
from tests.integration.webhook_receiver import WebhookReceiver


async def _wait_until_every_delivery_was_tried(graph: Graph, count: int) -> None:
    with anyio.fail_after(20):
        while True:
            tried = [d for d in await OutboxRepository(graph).list_deliveries() if d.attempts]
            if len(tried) >= count:
                return
            await anyio.sleep(0.05)


async def test_alerts_raised_while_the_receiver_is_down_all_arrive_once_after_restart(
    graph: Graph, settings: Settings
) -> None:
    fast = settings.model_copy(
        update={
            "delivery": settings.delivery.model_copy(
                update={"interval_s": 0.1, "backoff_base_s": 0.1, "backoff_max_s": 0.5}
            ),
            "crisis": settings.crisis.model_copy(
                update={
                    "event_dispatch_interval_s": 0,
                    "escalation_interval_s": 0,
                    "detect_interval_s": 0,
                }
            ),
        }
    )
    receiver = WebhookReceiver()
    await WebhookTargetRepository(graph).add(
        name="pr",
        kind="GENERIC",
        url=receiver.url,
        secret="s",
        min_severity=Severity.WATCH,
        event_types=[],
        actor="tests",
        now=utc_now(),
    )
    media = await standard_media(graph)
    clock = MovableClock(utc_now())
    detector = make_detector(graph, clock)  # a monitor process beside the API process

    async def raise_alert(n: int, subject: str) -> str:
        clock.now = utc_now()
        await media.add_stories([StoryRow(f"live:{n}", clock.now, [subject], ["feed:cctv"])])
        [raised] = await detector.on_new_stories([f"live:{n}"])
        return raised.id

    first = create_app(fast)
    async with first.router.lifespan_context(first):
        ids = [await raise_alert(1, "subject:acme"), await raise_alert(2, "subject:new-app")]
        await _wait_until_every_delivery_was_tried(graph, 2)
    # riskwatch is down; one more alert is raised meanwhile.
    ids.append(await raise_alert(3, "subject:car-insurance"))
    await receiver.start()
    try:
        second = create_app(fast)
        async with second.router.lifespan_context(second):
            await receiver.wait_for(3, deadline_s=20)
            with anyio.fail_after(10):
                while True:
                    if len(await OutboxRepository(graph).list_deliveries("SENT")) == 3:
                        break
                    await anyio.sleep(0.05)
    finally:
        await receiver.stop()
    assert sorted(receiver.keys()) == sorted(f"alert:{i}:WARNING" for i in ids)
