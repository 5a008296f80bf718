"""Crisis cases and their steps: reads, the step and case actions, escalation, the closing
review, and the active crisis plan document."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from graph.client import Graph, rows
from graph.crisis import case_queries as q
from graph.crisis.alerts import alerts_in
from graph.crisis.records import (
    Neighbour,
    OverdueStep,
    RelatedComplaint,
    StoredAlert,
    StoredCase,
    StoredStep,
    TimelineEvent,
)
from graph.values import native, native_rows
from models.crisis_plan import Escalation

T = TypeVar("T")

_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CrisisCaseRepository:
    """Crisis cases, steps and the review material around them."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def list_cases(self, status: str | None, limit: int = 100) -> list[StoredCase]:
        """Cases by status, newest first."""
        return _cases(await self.graph.read(q.LIST_CASES, status=status, limit=limit))

    async def get(self, case_id: str) -> StoredCase | None:
        """One case, or None."""
        return _first(_cases(await self.graph.read(q.GET_CASE, id=case_id)))

    async def steps(self, case_id: str) -> list[StoredStep]:
        """A case's steps by deadline."""
        return _steps(await self.graph.read(q.CASE_STEPS, id=case_id))

    async def alerts(self, case_id: str) -> list[StoredAlert]:
        """A case's alerts."""
        return alerts_in(await self.graph.read(q.CASE_ALERTS, id=case_id))

    async def complete_step(
        self, step_id: str, actor: str, note: str | None, now: datetime
    ) -> StoredStep | None:
        """Mark a step done (idempotent); None when there is no such step."""
        records = await self.graph.write(
            q.COMPLETE_STEP, id=step_id, actor=actor, note=note, now=now
        )
        return _first(_steps(records))

    async def assign_step(
        self, step_id: str, assignee: str, actor: str, now: datetime
    ) -> StoredStep | None:
        """Assign a step to a person; None when there is no such step."""
        records = await self.graph.write(
            q.ASSIGN_STEP, id=step_id, assignee=assignee, actor=actor, now=now
        )
        return _first(_steps(records))

    async def resolve(
        self, case_id: str, resolution: str | None, actor: str, now: datetime
    ) -> StoredCase | None:
        """Resolve a case and its alerts; None when there is no such case."""
        records = await self.graph.write(
            q.RESOLVE_CASE, id=case_id, resolution=resolution, actor=actor, now=now
        )
        return _first(_cases(records))

    async def overdue_steps(self, now: datetime, limit: int = 200) -> list[OverdueStep]:
        """Pending steps of open cases past their deadline at ``now``."""
        records = await self.graph.read(q.OVERDUE_STEPS, now=now, limit=limit)
        return [
            OverdueStep(StoredStep.from_map(row["step"]), row["subject_id"], row["severity"])
            for row in (native(dict(r)) for r in rows(records))
        ]

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
    ) -> list[TimelineEvent]:
        """The audit trail of a case, its steps and alerts, oldest first."""
        records = await self.graph.read(
            q.CASE_TIMELINE, id=case_id, subject_ids=list(subject_ids), limit=limit
        )
        return [TimelineEvent.from_map(native(dict(r))) for r in rows(records)]

    async def related_complaints(
        self, subject_ids: Sequence[str], limit: int = 100
    ) -> list[RelatedComplaint]:
        """Complaints by, about, or being the case's subjects."""
        records = await self.graph.read(
            q.RELATED_COMPLAINTS, subject_ids=list(subject_ids), limit=limit
        )
        return [RelatedComplaint.from_map(r) for r in rows(records)]

    async def neighbourhood(
        self,
        subject_ids: Sequence[str],
        limit: int = 100,
        labels: Collection[str] | None = None,
    ) -> list[Neighbour]:
        """Business nodes within two hops of the case's subjects; with ``labels``, only those
        reached through nodes that carry no other labels (a reader's scope)."""
        records = await self.graph.read(
            q.SUBJECT_NEIGHBOURHOOD,
            subject_ids=list(subject_ids),
            limit=limit,
            labels=None if labels is None else sorted(labels),
        )
        return [Neighbour.from_map(r) for r in rows(records)]


def _cases(records: Sequence[Any]) -> list[StoredCase]:
    return [StoredCase.from_map(row) for row in native_rows(records, "case")]


def _steps(records: Sequence[Any]) -> list[StoredStep]:
    return [StoredStep.from_map(row) for row in native_rows(records, "step")]


def _first(found: Sequence[T]) -> T | None:
    return found[0] if found else None


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
