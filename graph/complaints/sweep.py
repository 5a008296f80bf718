"""The deadline sweeps: open complaints past their deadline become OVERDUE (announced by a
``complaint.overdue`` event), and open complaints whose deadline comes within the lead time
are announced once per deadline by a ``complaint.due_soon`` event; each event is written in
the transaction of the change it announces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.client import Graph
from graph.complaints import queries as q
from graph.complaints import record_queries as rq
from graph.events import DomainEventType, append_domain_events, complaint_payload, domain_event
from graph.values import native, utc

SWEEP_BATCH = 500
SWEEP_ACTOR = "system:deadline-sweep"


@dataclass(frozen=True)
class OverdueMark:
    """A complaint the sweep marked overdue (or reminded of its deadline)."""

    id: str
    complaint_no: str
    due_at: datetime


class OverdueSweep:
    """Marks and counts overdue complaints and reminds of coming deadlines; safe to run from
    several processes at once (each row is locked and re-checked before it is marked)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def mark_overdue(self, now: datetime) -> list[OverdueMark]:
        """Mark every open complaint past its deadline at ``now`` OVERDUE, in batches of
        ``SWEEP_BATCH`` (one transaction each, events included); return what was marked."""
        at = utc(now)
        params = {"now": at, "at": at, "actor": SWEEP_ACTOR, "before": None, "after": None}
        return await self._sweep(q.MARK_OVERDUE, params, DomainEventType.COMPLAINT_OVERDUE, ())

    async def remind_due_soon(self, now: datetime, lead: timedelta) -> list[OverdueMark]:
        """Announce every open complaint due within ``lead`` of ``now`` that was not yet
        reminded of its current deadline (``complaint.due_soon``), in batches."""
        at = utc(now)
        return await self._sweep(
            rq.MARK_DUE_SOON,
            {"now": at, "until": at + lead},
            DomainEventType.COMPLAINT_DUE_SOON,
            ("handler", "team"),
        )

    async def _sweep(
        self,
        cypher: LiteralString,
        params: Mapping[str, Any],
        event_type: DomainEventType,
        extra: Sequence[str],
    ) -> list[OverdueMark]:
        """Run a marking statement batch after batch, each with the events of what it marked
        (payload: the complaint, its due date and the ``extra`` columns)."""

        async def work(tx: AsyncManagedTransaction) -> list[OverdueMark]:
            result = await tx.run(cypher, limit=SWEEP_BATCH, **params)
            rows = [r.data() async for r in result]
            events = [
                domain_event(
                    event_type,
                    row["id"],
                    complaint_payload(
                        row,
                        row["customer_id"],
                        row["about_ids"],
                        due_at=native(row["due_at"]).isoformat(),
                        **{name: row[name] for name in extra},
                    ),
                )
                for row in rows
            ]
            await append_domain_events(tx, events)
            return [OverdueMark(r["id"], r["complaint_no"], native(r["due_at"])) for r in rows]

        marked: list[OverdueMark] = []
        while True:
            batch = await self.graph.write_transaction(work)
            marked.extend(batch)
            if len(batch) < SWEEP_BATCH:
                return marked

    async def count_overdue(self) -> int:
        """How many complaints are OVERDUE."""
        records = await self.graph.read(q.COUNT_OVERDUE)
        return int(records[0]["overdue"])
