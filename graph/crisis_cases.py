"""Crisis cases and their steps: reads, the step and case actions, escalation, the closing
review, and the active crisis plan document."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.alerts import native, native_first, native_rows
from graph.client import Graph, rows
from graph.queries import crisis_cases as q
from models.crisis_plan import Escalation

_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CrisisCaseRepository:
    """Crisis cases, steps and the review material around them."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def list_cases(self, status: str | None, limit: int = 100) -> list[dict[str, Any]]:
        """Cases by status, newest first."""
        return native_rows(await self.graph.read(q.LIST_CASES, status=status, limit=limit), "case")

    async def get(self, case_id: str) -> dict[str, Any] | None:
        """One case, or None."""
        return native_first(await self.graph.read(q.GET_CASE, id=case_id), "case")

    async def steps(self, case_id: str) -> list[dict[str, Any]]:
        """A case's steps by deadline."""
        return native_rows(await self.graph.read(q.CASE_STEPS, id=case_id), "step")

    async def alerts(self, case_id: str) -> list[dict[str, Any]]:
        """A case's alerts."""
        return native_rows(await self.graph.read(q.CASE_ALERTS, id=case_id), "alert")

    async def complete_step(
        self, step_id: str, actor: str, note: str | None, now: datetime
    ) -> dict[str, Any] | None:
        """Mark a step done (idempotent); None when there is no such step."""
        records = await self.graph.write(
            q.COMPLETE_STEP, id=step_id, actor=actor, note=note, now=now
        )
        return native_first(records, "step")

    async def assign_step(
        self, step_id: str, assignee: str, actor: str, now: datetime
    ) -> dict[str, Any] | None:
        """Assign a step to a person; None when there is no such step."""
        records = await self.graph.write(
            q.ASSIGN_STEP, id=step_id, assignee=assignee, actor=actor, now=now
        )
        return native_first(records, "step")

    async def resolve(
        self, case_id: str, resolution: str | None, actor: str, now: datetime
    ) -> dict[str, Any] | None:
        """Resolve a case and its alerts; None when there is no such case."""
        records = await self.graph.write(
            q.RESOLVE_CASE, id=case_id, resolution=resolution, actor=actor, now=now
        )
        return native_first(records, "case")

    async def overdue_steps(self, now: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Pending steps of open cases past their deadline at ``now``."""
        records = await self.graph.read(q.OVERDUE_STEPS, now=now, limit=limit)
        return [native(dict(r)) for r in rows(records)]

    async def escalate_step(
        self,
        escalation: Escalation,
        expected_due_at: datetime,
        payload: dict[str, Any],
        now: datetime,
    ) -> bool:
        """Apply an escalation unless another sweep got there first; True when it applied."""
        records = await self.graph.write(
            q.ESCALATE_STEP,
            id=escalation.step_id,
            expected_due_ms=(expected_due_at - _UNIX_EPOCH) // timedelta(milliseconds=1),
            to_role=escalation.to_role,
            from_role=escalation.from_role,
            level=escalation.level,
            new_due_at=escalation.new_due_at,
            now=now,
            payload=json.dumps(payload, ensure_ascii=False, default=str),
        )
        return bool(records)

    async def timeline(
        self, case_id: str, subject_ids: Sequence[str], limit: int = 500
    ) -> list[dict[str, Any]]:
        """The audit trail of a case, its steps and alerts, oldest first."""
        records = await self.graph.read(
            q.CASE_TIMELINE, id=case_id, subject_ids=list(subject_ids), limit=limit
        )
        return [native(dict(r)) for r in rows(records)]

    async def related_complaints(
        self, subject_ids: Sequence[str], limit: int = 100
    ) -> list[dict[str, Any]]:
        """Complaints by, about, or being the case's subjects."""
        records = await self.graph.read(
            q.RELATED_COMPLAINTS, subject_ids=list(subject_ids), limit=limit
        )
        return [native(dict(r)) for r in rows(records)]

    async def neighbourhood(
        self,
        subject_ids: Sequence[str],
        limit: int = 100,
        labels: Collection[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Business nodes within two hops of the case's subjects; with ``labels``, only those
        reached through nodes that carry no other labels (a reader's scope)."""
        records = await self.graph.read(
            q.SUBJECT_NEIGHBOURHOOD,
            subject_ids=list(subject_ids),
            limit=limit,
            labels=None if labels is None else sorted(labels),
        )
        return [dict(r) for r in rows(records)]


class CrisisPlanRepository:
    """The active crisis plan document (YAML or JSON text) stored in Neo4j."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def active_document(self) -> str | None:
        """The stored plan document, or None before the first seeding."""
        records = await self.graph.read(q.GET_ACTIVE_PLAN)
        return records[0]["document"] if records else None

    async def seed(self, document: str, now: datetime) -> str:
        """Store ``document`` as the active plan unless one is stored; return the active one."""
        records = await self.graph.write(
            q.SEED_ACTIVE_PLAN, document=document, now=now, actor="startup"
        )
        active: str = records[0]["document"]
        return active

    async def save(self, document: str, actor: str, now: datetime) -> None:
        """Replace the active plan."""
        await self.graph.write(q.SAVE_ACTIVE_PLAN, document=document, actor=actor, now=now)
