"""The domain-event dispatcher: turns other modules' outbox events into deliveries.

Complaint events (``complaint.escalated``, ``complaint.overdue``,
``complaint.joint_review_opened``...) and crisis events (``crisis.step_escalated``) are
written as ``:DomainEvent`` nodes in the same transaction as the change that caused them.
The dispatcher leases undispatched events (several processes may run it), opens a crisis
case at once for a complaint filed on, or escalated to, a channel where it is public (MEDIA,
SOCIAL_ORGANISATION: ``models.records.CRISIS_CHANNELS``), and enqueues one delivery per
target subscribed to the event's type while marking the event dispatched.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter

from graph.client import Graph
from graph.events import DomainEventType
from graph.outbox import DomainEventRepository
from graph.outbox_records import DomainEvent
from models.records import CRISIS_CHANNELS
from monitors.clock import Clock, utc_now
from monitors.crisis.detector import CrisisDetector
from monitors.leases import run_leased_rounds

log = logging.getLogger(__name__)

EVENTS_DISPATCHED = Counter("riskwatch_domain_events_dispatched_total", "Events", ["type"])
EVENTS_FAILED = Counter("riskwatch_domain_event_failures_total", "Events that failed to dispatch")

_CRISIS_CHANNELS = frozenset(channel.value for channel in CRISIS_CHANNELS)


def crisis_channel(event: DomainEvent, payload: Mapping[str, Any]) -> str | None:
    """The channel on which the media or an outside organisation has taken a complaint up:
    filed there, or escalated there; None for any other event."""
    kind = event.type
    if kind == DomainEventType.COMPLAINT_ESCALATED:
        channel = payload.get("to_channel")
    elif kind == DomainEventType.COMPLAINT_FILED:
        channel = payload.get("channel")
    else:
        return None
    return channel if channel in _CRISIS_CHANNELS else None


def event_payload(event: DomainEvent) -> dict[str, Any]:
    """The event's payload (a JSON string) as a dict; empty when missing or unreadable."""
    raw = event.payload
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            log.warning("domain event %s has a payload that is not JSON", event.id)
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


class DomainEventDispatcher:
    """Dispatches undispatched domain events. ``wake()`` starts the next round at once."""

    def __init__(
        self,
        graph: Graph,
        detector: CrisisDetector,
        *,
        clock: Clock = utc_now,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 50,
        on_enqueued: Callable[[], None] | None = None,
        owner: str | None = None,
    ) -> None:
        self.events = DomainEventRepository(graph)
        self.detector = detector
        self.clock = clock
        self.lease = lease
        self.batch = batch
        self.on_enqueued = on_enqueued
        self.owner = owner or f"dispatch-{uuid.uuid4().hex[:12]}"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Start the next round now."""
        self._wake.set()

    async def run_once(self, now: datetime | None = None) -> int:
        """Dispatch the events due at ``now``; return how many were dispatched."""
        now = now or self.clock()
        claimed = await self.events.claim(self.owner, now, now + self.lease, self.batch)
        ready = [event for event in claimed if await self._react(event, now)]
        try:
            enqueued = await self.events.dispatch([e.id for e in ready], self.owner, now)
            dispatched = ready
        except Exception:  # something in the batch failed: one at a time, to isolate it
            log.warning("dispatching %d domain events together failed; one by one", len(ready))
            enqueued, dispatched = await self._dispatch_one_by_one(ready, now)
        for event in dispatched:
            EVENTS_DISPATCHED.labels(event.type).inc()
        if enqueued and self.on_enqueued is not None:
            self.on_enqueued()
        return len(claimed)

    async def _dispatch_one_by_one(
        self, events: list[DomainEvent], now: datetime
    ) -> tuple[int, list[DomainEvent]]:
        enqueued, dispatched = 0, []
        for event in events:
            try:
                enqueued += await self.events.dispatch([event.id], self.owner, now)
            except Exception:  # one bad event must not hold up the others; its lease expires
                log.exception("dispatching domain event %s failed; retried later", event.id)
                EVENTS_FAILED.inc()
            else:
                dispatched.append(event)
        return enqueued, dispatched

    async def _react(self, event: DomainEvent, now: datetime) -> bool:
        """What must happen before an event is dispatched (a crisis case for a complaint the
        media took up); False when that failed, so the event waits for its lease to expire."""
        payload = event_payload(event)
        if crisis_channel(event, payload) is None:
            return True
        try:
            await self.detector.on_media_escalation(event, payload, now)
        except Exception:  # retried with the event once its lease expires
            log.exception("opening a crisis case for event %s failed; retried later", event.id)
            EVENTS_FAILED.inc()
            return False
        return True

    async def run(self, interval_s: float) -> None:
        """Rounds forever: at once while there is a full batch, else every ``interval_s``.

        When cancelled (shutdown), events claimed but not dispatched are handed back at once.
        """
        await run_leased_rounds(
            self.run_once,
            self.events.release_leases,
            self.owner,
            "domain event",
            batch=self.batch,
            interval_s=interval_s,
            wake=self._wake,
        )
