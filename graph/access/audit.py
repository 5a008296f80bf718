"""The audit trail: who changed what, when, with the value before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.access import queries as q
from graph.client import Graph
from graph.paging import Page, keyset_page
from models.cursors import decode_cursor, encode_cursor, page_size

# The most events on one page, and the order (and cursor kind) of the trail.
MAX_PAGE = 500
AUDIT_ORDER = "AUDIT_AT_DESC"


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

    async def page(
        self,
        *,
        first: int,
        after: str | None = None,
        action: str | None = None,
        actor: str | None = None,
        subject_id: str | None = None,
        before_at: datetime | None = None,
    ) -> Page[AuditEvent]:
        """Newest first (ties by id), keyset-paginated after cursor ``after``; ``before_at``
        keeps only events older than that instant."""
        limit = page_size(first, MAX_PAGE)
        after_at, after_id = decode_cursor(after, AUDIT_ORDER) if after else (None, None)
        records = await self.graph.read(
            q.LIST_AUDIT_EVENTS,
            action=action,
            actor=actor,
            subject_id=subject_id,
            before_at=before_at,
            after_at=after_at,
            after_id=after_id,
            limit=limit + 1,
        )
        events = [
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
        return keyset_page(events, limit, lambda e: encode_cursor(AUDIT_ORDER, e.at, e.id))
