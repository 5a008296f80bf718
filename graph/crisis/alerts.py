"""Alerts: reading the negative coverage they are computed from, and raising them.

An alert is committed in one transaction with everything it sets in motion: its links to the
subject and the mentions behind it, the crisis case and steps its plan level opens, the
outbox deliveries for every target that wants it, and the audit record. So a crash can
never leave an alert that nobody hears about, nor a delivery about an alert that is not there.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import queries as dq
from graph.client import Graph, rows
from graph.crisis import queries as q
from graph.crisis.records import (
    AlertMention,
    CoveredSubject,
    NegativeStory,
    StoredAlert,
    StoryMention,
    StoryTrigger,
)
from graph.paging import Page, keyset_page
from graph.values import native, native_rows
from models.crisis import AlertDraft, Severity
from models.crisis_plan import CrisisPlan, step_due_at
from models.cursors import decode_cursor, encode_cursor, page_size

# Complaint statuses that count as "open" for the regulator-link trigger.
OPEN_COMPLAINT_STATUSES = ("OPEN", "EXTENDED", "OVERDUE")

# The order (and cursor kind) of the alerts list: newest first, ties by id.
ALERT_ORDER = "ALERT_OPENED_DESC"


def alerts_in(records: Sequence[Any]) -> list[StoredAlert]:
    """The alerts in the ``alert`` column of each record."""
    return [StoredAlert.from_map(row) for row in native_rows(records, "alert")]


@dataclass(frozen=True)
class RaisedAlert:
    """The outcome of raising an alert."""

    id: str
    created: bool
    notified: bool
    severity: Severity
    case_id: str | None
    deliveries: int


class AlertRepository:
    """Negative-coverage reads for the detector, and alert writes and reads for the API."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def subjects_of_stories(self, story_ids: Sequence[str]) -> list[CoveredSubject]:
        """The subjects (id, name, kind) that these negative stories mention."""
        records = await self.graph.read(q.SUBJECTS_OF_STORIES, story_ids=list(story_ids))
        return [CoveredSubject.from_map(r) for r in rows(records)]

    async def subjects_with_recent_stories(
        self, since: datetime, now: datetime, limit: int = 500
    ) -> list[CoveredSubject]:
        """Subjects of negative stories published in ``[since, now]``."""
        records = await self.graph.read(
            q.SUBJECTS_WITH_RECENT_STORIES, since=since, now=now, limit=limit
        )
        return [CoveredSubject.from_map(r) for r in rows(records)]

    async def negative_stories(
        self, subject_id: str, since: datetime, now: datetime, limit: int = 20_000
    ) -> list[NegativeStory]:
        """A subject's negative stories in ``[since, now]`` with confidence and source weight."""
        records = await self.graph.read(
            q.SUBJECT_NEGATIVE_STORIES, subject_id=subject_id, since=since, now=now, limit=limit
        )
        return [NegativeStory.from_map(native(dict(r))) for r in rows(records)]

    async def first_story_at(
        self, subject_id: str, since: datetime, now: datetime
    ) -> datetime | None:
        """When the subject's earliest scored story published in ``[since, now]`` came out."""
        records = await self.graph.read(
            q.SUBJECT_FIRST_STORY, subject_id=subject_id, since=since, now=now
        )
        first = native(records[0]["first"]) if records else None
        return first if isinstance(first, datetime) else None

    async def story_mentions(
        self, story_ids: Sequence[str], limit: int = 500
    ) -> list[StoryMention]:
        """The mentions of these stories with their feed names."""
        records = await self.graph.read(q.STORY_MENTIONS, story_ids=list(story_ids), limit=limit)
        return [StoryMention.from_map(r) for r in rows(records)]

    async def story_triggers(self, story_ids: Sequence[str], since: datetime) -> list[StoryTrigger]:
        """Per (negative story published after ``since``, subject): high-impact feeds and open
        regulator complaints."""
        records = await self.graph.read(
            q.STORY_TRIGGERS,
            story_ids=list(story_ids),
            since=since,
            open_statuses=list(OPEN_COMPLAINT_STATUSES),
        )
        return [StoryTrigger.from_map(r) for r in rows(records)]

    async def raise_alert(
        self,
        draft: AlertDraft,
        plan: CrisisPlan,
        now: datetime,
        dedup_window: timedelta,
        actor: str = "detector",
    ) -> RaisedAlert:
        """Open the alert, or update the running one with the same key, in one transaction.

        A new alert, or one whose severity rose, opens or joins the subject's crisis case when
        the plan says so and enqueues one delivery per target that wants that severity.
        """

        async def work(tx: AsyncManagedTransaction) -> RaisedAlert:
            return await _raise_in_tx(tx, draft, plan, now, dedup_window, actor)

        return await self.graph.write_transaction(work)

    async def notified_since(self, since: datetime, limit: int = 200) -> list[StoredAlert]:
        """Alerts raised or made more severe after ``since``, oldest first."""
        records = await self.graph.read(q.ALERTS_NOTIFIED_SINCE, since=since, limit=limit)
        return alerts_in(records)

    async def page(
        self, status: str | None, min_rank: int, *, first: int, after: str | None
    ) -> Page[StoredAlert]:
        """Alerts newest first (ties by id), keyset-paginated after cursor ``after``."""
        limit = page_size(first)
        after_at, after_id = decode_cursor(after, ALERT_ORDER) if after else (None, None)
        records = await self.graph.read(
            q.LIST_ALERTS,
            status=status,
            min_rank=min_rank,
            after_at=after_at,
            after_id=after_id,
            limit=limit + 1,
        )
        return keyset_page(
            alerts_in(records),
            limit,
            lambda a: encode_cursor(ALERT_ORDER, a.opened_at, a.id),
        )

    async def get(self, alert_id: str) -> StoredAlert | None:
        """One alert (with its case id), or None."""
        found = alerts_in(await self.graph.read(q.GET_ALERT, id=alert_id))
        return found[0] if found else None

    async def mentions(self, alert_ids: Sequence[str], limit: int = 200) -> list[AlertMention]:
        """The mentions the alerts cite (each with its ``alert_id``)."""
        records = await self.graph.read(q.ALERT_MENTIONS, alert_ids=list(alert_ids), limit=limit)
        return [AlertMention.from_map(native(dict(r))) for r in rows(records)]

    async def acknowledge(self, alert_id: str, actor: str, now: datetime) -> StoredAlert | None:
        """Acknowledge an open alert (a no-op on one already acknowledged or resolved)."""
        found = alerts_in(
            await self.graph.write(q.ACKNOWLEDGE_ALERT, id=alert_id, actor=actor, now=now)
        )
        return found[0] if found else None


async def _raise_in_tx(
    tx: AsyncManagedTransaction,
    draft: AlertDraft,
    plan: CrisisPlan,
    now: datetime,
    dedup_window: timedelta,
    actor: str,
) -> RaisedAlert:
    await tx.run(q.RETIRE_ALERT_KEY, open_key=draft.open_key, stale_before=now - dedup_window)
    result = await tx.run(
        q.UPSERT_ALERT,
        open_key=draft.open_key,
        id=str(uuid.uuid4()),
        subject_id=draft.subject_id,
        subject_name=draft.subject_name,
        kind=draft.kind.value,
        now=now,
        explanation=json.dumps(draft.explanation, ensure_ascii=False, default=str),
        window_count=draft.window_count,
        baseline_mean=draft.baseline_mean,
        baseline_std=draft.baseline_std,
        severity=draft.severity.value,
        rank=draft.severity.rank,
    )
    record = await result.single(strict=True)
    alert_id: str = record["id"]
    severity = Severity(record["severity"])
    notified = draft.severity.rank > record["previous_rank"]
    await tx.run(
        q.LINK_ALERT,
        subject_id=draft.subject_id,
        alert_id=alert_id,
        mention_ids=list(draft.mention_ids),
        story_ids=list(draft.story_ids),
    )
    case_id: str | None = None
    deliveries = 0
    if notified:
        case_id = await _open_case(tx, alert_id, draft, plan, now, actor)
        enqueued = await tx.run(
            dq.ENQUEUE_ALERT_DELIVERIES,
            alert_id=alert_id,
            rank=severity.rank,
            key=f"alert:{alert_id}:{severity}",
            event_type="alert.raised" if record["created"] else "alert.escalated",
            now=now,
        )
        deliveries = (await enqueued.single(strict=True))["enqueued"]
        await tx.run(
            q.WRITE_AUDIT,
            now=now,
            actor=actor,
            action="alert.raise" if record["created"] else "alert.escalate",
            subject_id=alert_id,
            case_id=case_id,
            before=None,
            after=severity.value,
        )
    return RaisedAlert(alert_id, record["created"], notified, severity, case_id, deliveries)


async def _open_case(
    tx: AsyncManagedTransaction,
    alert_id: str,
    draft: AlertDraft,
    plan: CrisisPlan,
    now: datetime,
    actor: str,
) -> str | None:
    level = plan.level(draft.severity)
    if not level.opens_case:
        return None
    title = f"{draft.severity} {draft.kind}: {draft.subject_name or draft.subject_id}"
    upserted = await tx.run(
        q.UPSERT_CASE,
        case_id=str(uuid.uuid4()),
        subject_id=draft.subject_id,
        title=title,
        now=now,
        severity=draft.severity.value,
        rank=draft.severity.rank,
        alert_id=alert_id,
    )
    case = await upserted.single(strict=True)
    case_id: str = case["id"]
    steps: list[Mapping[str, Any]] = [
        {
            "key": step.key,
            "title": step.title,
            "role": step.role,
            "planned_role": step.role,
            "deadline_minutes": step.deadline_minutes,
            "escalate_to": list(step.escalate_to),
            "done_on_acknowledge": step.done_on_acknowledge,
            "due_at": step_due_at(now, step),
            "severity": draft.severity.value,
        }
        for step in level.steps
    ]
    await tx.run(q.ADD_CASE_STEPS, case_id=case_id, steps=steps, now=now)
    if case["created"]:
        await tx.run(
            q.WRITE_AUDIT,
            now=now,
            actor=actor,
            action="crisis.case.open",
            subject_id=case_id,
            case_id=case_id,
            before=None,
            after=draft.severity.value,
        )
    return case_id
