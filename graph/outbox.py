"""The delivery outbox, webhook targets, and the domain-event queue, all stored in Neo4j.

Deliveries and domain events are claimed with leases (see ``graph.queries``), so
any number of worker processes can drain them, and whatever a stopped worker held comes
back once its lease runs out: pending work survives restarts because it only lives here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import queries as q
from graph.client import Graph
from graph.outbox_records import Delivery, DomainEvent, StoredTarget
from graph.values import native, native_rows
from models.crisis import Severity


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery this worker holds the lease of, with its target and what it is about.

    The target and the subject (the alert or domain event) stay maps of their stored
    properties: the message is built from them later, and one that cannot be built fails its
    own delivery there instead of the whole claim here.
    """

    delivery: Delivery
    target: dict[str, Any] | None
    subject: dict[str, Any] | None
    subject_labels: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.delivery.id

    @property
    def attempts(self) -> int:
        return self.delivery.attempts


def _targets(records: Sequence[Any]) -> list[StoredTarget]:
    return [StoredTarget.from_map(row) for row in native_rows(records, "target")]


class WebhookTargetRepository:
    """Where alerts and events go: webhook URLs and e-mail recipients."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def list_targets(self) -> list[StoredTarget]:
        """Every target."""
        return _targets(await self.graph.read(q.LIST_TARGETS))

    async def add(
        self,
        *,
        name: str,
        kind: str,
        url: str,
        secret: str | None,
        min_severity: Severity | None,
        event_types: Sequence[str],
        actor: str,
        now: datetime,
    ) -> StoredTarget:
        """Add a target; ``min_severity`` None means it gets no alerts, only its event types."""
        records = await self.graph.write(
            q.CREATE_TARGET,
            id=str(uuid.uuid4()),
            name=name,
            kind=kind,
            url=url,
            secret=secret,
            min_severity=min_severity.value if min_severity else None,
            min_rank=min_severity.rank if min_severity else None,
            event_types=list(event_types),
            actor=actor,
            now=now,
        )
        return _targets(records)[0]

    async def remove(self, target_id: str, actor: str, now: datetime) -> bool:
        """Remove a target; False when there was none."""
        records = await self.graph.write(q.DELETE_TARGET, id=target_id, actor=actor, now=now)
        return bool(records) and records[0]["removed"] > 0


class OutboxRepository:
    """Claims due deliveries and records the outcome of each attempt."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def claim(
        self, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due deliveries to ``owner``, in one statement."""
        records = await self.graph.write(
            q.CLAIM_DELIVERIES, owner=owner, now=now, lease_until=lease_until, limit=limit
        )
        return [
            ClaimedDelivery(
                delivery=Delivery.from_map(native(dict(r["delivery"]))),
                target=native(dict(r["target"])) if r["target"] else None,
                subject=native(dict(r["subject"])) if r["subject"] else None,
                subject_labels=tuple(r["subject_labels"] or ()),
            )
            for r in records
        ]

    async def release_leases(self, owner: str) -> int:
        """Hand back the leases ``owner`` holds on unfinished deliveries; return how many."""
        records = await self.graph.write(q.RELEASE_DELIVERY_LEASES, owner=owner)
        return int(records[0]["released"]) if records else 0

    async def mark_sent(self, delivery_id: str, owner: str, now: datetime) -> bool:
        """Record a successful delivery; False when the lease was lost meanwhile."""
        records = await self.graph.write(q.MARK_SENT, id=delivery_id, owner=owner, now=now)
        return bool(records)

    async def mark_failed(
        self,
        delivery_id: str,
        owner: str,
        error: str,
        now: datetime,
        next_attempt_at: datetime,
        give_up: bool,
    ) -> bool:
        """Record a failed attempt: retry at ``next_attempt_at``, or FAILED when giving up."""
        records = await self.graph.write(
            q.MARK_ATTEMPT_FAILED,
            id=delivery_id,
            owner=owner,
            error=error[:500],
            now=now,
            next_attempt_at=next_attempt_at,
            give_up=give_up,
        )
        return bool(records)

    async def list_deliveries(self, status: str | None = None, limit: int = 1000) -> list[Delivery]:
        """Deliveries by status, oldest first."""
        records = await self.graph.read(q.LIST_DELIVERIES, status=status, limit=limit)
        return [Delivery.from_map(row) for row in native_rows(records, "delivery")]


class DomainEventRepository:
    """The domain-event queue other modules write in their own transactions."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def claim(
        self, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[DomainEvent]:
        """Lease up to ``limit`` undispatched events to ``owner``, oldest first."""
        records = await self.graph.write(
            q.CLAIM_EVENTS, owner=owner, now=now, lease_until=lease_until, limit=limit
        )
        return [DomainEvent.from_map(row) for row in native_rows(records, "event")]

    async def release_leases(self, owner: str) -> int:
        """Hand back the leases ``owner`` holds on undispatched events; return how many."""
        records = await self.graph.write(q.RELEASE_EVENT_LEASES, owner=owner)
        return int(records[0]["released"]) if records else 0

    async def dispatch(self, event_ids: Sequence[str], owner: str, now: datetime) -> int:
        """Enqueue the events' deliveries and mark them dispatched, all in one transaction
        (two statements and one commit for a whole claimed batch).

        Returns how many deliveries were enqueued. An event whose lease was lost is skipped
        (nothing is written for it).
        """

        async def work(tx: AsyncManagedTransaction) -> int:
            marked = await tx.run(
                q.MARK_EVENTS_DISPATCHED, ids=list(event_ids), owner=owner, now=now
            )
            held = [record["id"] async for record in marked]
            if not held:
                return 0
            enqueued = await tx.run(q.ENQUEUE_EVENT_DELIVERIES, event_ids=held, now=now)
            count: int = (await enqueued.single(strict=True))["enqueued"]
            return count

        return await self.graph.write_transaction(work)
