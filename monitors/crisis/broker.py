"""In-process fan-out of raised alerts to GraphQL subscribers, fed from Neo4j.

One loop per process polls for alerts whose ``notified_at`` moved since the last poll (an
alert raised by a monitor in any process), with an overlap so an alert committed a little
late is not missed, and a memory of what it already published so none goes out twice.
Each subscriber has its own bounded queue; a subscriber that does not keep up loses its
oldest events rather than slowing the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import anyio

from graph.client import Graph
from graph.crisis.alerts import AlertRepository
from graph.crisis.records import StoredAlert
from monitors.clock import Clock, utc_now

log = logging.getLogger(__name__)


class AlertBroker:
    """Publishes alerts read from the graph to this process's subscribers."""

    def __init__(
        self,
        graph: Graph,
        clock: Clock = utc_now,
        overlap: timedelta = timedelta(seconds=10),
        queue_size: int = 100,
    ) -> None:
        self.alerts = AlertRepository(graph)
        self.clock = clock
        self.overlap = overlap
        self.queue_size = queue_size
        self._subscribers: set[asyncio.Queue[StoredAlert]] = set()
        self._cursor: datetime = clock()
        self._published: dict[tuple[str, datetime], datetime] = {}
        self._wake = asyncio.Event()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def wake(self) -> None:
        """Poll now (an alert was just raised in this process)."""
        self._wake.set()

    @asynccontextmanager
    async def subscription(self) -> AsyncIterator[asyncio.Queue[StoredAlert]]:
        """A queue that receives every alert raised while the context is open."""
        queue: asyncio.Queue[StoredAlert] = asyncio.Queue(self.queue_size)
        if not self._subscribers:
            self._cursor = self.clock()
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    async def poll_once(self) -> int:
        """Publish the alerts notified since the last poll; return how many were new."""
        if not self._subscribers:
            self._cursor = self.clock()
            return 0
        found = [
            (alert, alert.notified_at)
            for alert in await self.alerts.notified_since(self._cursor - self.overlap)
            if alert.notified_at is not None  # always set on what notified_since returns
        ]
        published = 0
        for alert, notified_at in found:
            key = (alert.id, notified_at)
            if key in self._published:
                continue
            self._published[key] = notified_at
            for queue in list(self._subscribers):
                if queue.full():
                    queue.get_nowait()
                queue.put_nowait(alert)
            published += 1
        if found:
            # Never past this process's now: one future-dated alert (a skewed clock elsewhere)
            # must not hide the alerts raised after it.
            latest = min(max(at for _, at in found), self.clock())
            self._cursor = max(self._cursor, latest)
        horizon = self._cursor - 2 * self.overlap
        self._published = {k: at for k, at in self._published.items() if at >= horizon}
        return published

    async def run(self, interval_s: float) -> None:
        """Poll every ``interval_s`` (or at once when woken) until cancelled."""
        while True:
            try:
                await self.poll_once()
            except Exception:  # a failed poll (Neo4j restarting) must not end subscriptions
                log.exception("alert broker poll failed")
            with anyio.move_on_after(interval_s):
                await self._wake.wait()
            self._wake.clear()
