"""The audit trail: who changed what, when, with the value before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.client import Graph
from graph.queries import audit as q


@dataclass(frozen=True)
class AuditEvent:
    """One recorded change."""

    id: str
    at: datetime
    actor: str
    action: str
    subject_id: str | None
    before: str | None
    after: str | None


class AuditRepository:
    """Reads audit events for admins."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def list(
        self,
        *,
        limit: int,
        action: str | None = None,
        actor: str | None = None,
        subject_id: str | None = None,
        before_at: datetime | None = None,
    ) -> list[AuditEvent]:
        """Newest first; ``before_at`` pages backwards in time."""
        records = await self.graph.read(
            q.LIST_AUDIT_EVENTS,
            action=action,
            actor=actor,
            subject_id=subject_id,
            before_at=before_at,
            limit=limit,
        )
        return [
            AuditEvent(
                id=r["id"],
                at=r["at"].to_native(),
                actor=r["actor"],
                action=r["action"],
                subject_id=r["subject_id"],
                before=None if r["before"] is None else str(r["before"]),
                after=None if r["after"] is None else str(r["after"]),
            )
            for r in records
        ]
