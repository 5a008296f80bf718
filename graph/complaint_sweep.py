"""The overdue sweep: open complaints past their deadline become OVERDUE, each announced by a
``complaint.overdue`` event written in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph.client import Graph
from graph.events import DomainEventType, append_domain_events, complaint_payload, domain_event
from graph.queries import complaints as q
from graph.values import native, utc

SWEEP_BATCH = 500


@dataclass(frozen=True)
class OverdueMark:
    """A complaint the sweep marked overdue."""

    id: str
    complaint_no: str
    due_at: datetime


class OverdueSweep:
    """Marks and counts overdue complaints; safe to run from several processes at once."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def mark_overdue(self, now: datetime) -> list[OverdueMark]:
        """Mark every open complaint past its deadline at ``now`` OVERDUE, in batches of
        ``SWEEP_BATCH`` (one transaction each, events included); return what was marked."""
        at = utc(now)
        marked: list[OverdueMark] = []

        async def work(tx: AsyncManagedTransaction) -> list[OverdueMark]:
            result = await tx.run(q.MARK_OVERDUE, now=at, limit=SWEEP_BATCH)
            rows = [r.data() async for r in result]
            events = [
                domain_event(
                    DomainEventType.COMPLAINT_OVERDUE,
                    row["id"],
                    complaint_payload(
                        row,
                        row["customer_id"],
                        row["about_ids"],
                        due_at=native(row["due_at"]).isoformat(),
                    ),
                )
                for row in rows
            ]
            await append_domain_events(tx, events)
            return [OverdueMark(r["id"], r["complaint_no"], native(r["due_at"])) for r in rows]

        while True:
            batch = await self.graph.write_transaction(work)
            marked.extend(batch)
            if len(batch) < SWEEP_BATCH:
                return marked

    async def count_overdue(self) -> int:
        """How many complaints are OVERDUE."""
        records = await self.graph.read(q.COUNT_OVERDUE)
        return int(records[0]["overdue"])
