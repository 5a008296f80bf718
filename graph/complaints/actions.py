"""The complaint desk's work on a filed complaint: assign, log contacts and callbacks, attach
documents, record amounts, root cause and the regulator's referral, close, reopen, merge.

Each public method is one transaction: lock the complaint, check the rules
(``models.complaint_record``), write the change with its audit event (and its outbox event
where other departments react), then read the complaint back. A refused change raises
``ComplaintRecordRefused`` (or ``NotFound``) and writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.access.audit import AuditEvent
from graph.client import Graph
from graph.complaints import record_queries as q
from graph.complaints.lifecycle import ComplaintRepository
from graph.complaints.records import Complaint
from graph.complaints.transactions import audit_json, complaint_ref_id, lock_complaint
from graph.events import DomainEventType, complaint_payload, domain_event
from graph.values import native, utc
from models.complaint_record import (
    AttachmentRef,
    Clock,
    ClosureReason,
    ComplaintRecordRefused,
    ContactKind,
    RootCause,
    Satisfaction,
    amount_in_fen,
    check_close,
    check_contact,
    check_merge,
    check_reopen,
    merged_clock,
    open_status,
    regulator_reference,
    reopened_due,
    staff_text,
)
from models.complaints import channel_rank, require_aware
from models.errors import NotFound
from models.records import ComplaintChannel, ComplaintStatus

MAX_NAME = 100
# How far ahead of the server a client's clock may be (a contact logged "now" on a PC).
CLOCK_SKEW = timedelta(minutes=5)


def audit_text(values: Mapping[str, Any] | None) -> str | None:
    """Before/after values of an audit event as short JSON text (None when there are none)."""
    return None if values is None else audit_json(values)


@dataclass(frozen=True)
class Change:
    """One statement to run on the locked complaint, its audit values and its events."""

    cypher: LiteralString
    params: Mapping[str, Any]
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    event: DomainEventType | None = None
    event_extra: Mapping[str, Any] | None = None
    # Raised when the statement returns no row (it refused on what it found).
    when_no_row: ComplaintRecordRefused | None = None


Decide = Callable[[dict[str, Any]], Change]


def _status(row: Mapping[str, Any]) -> ComplaintStatus:
    return ComplaintStatus(row["complaint"]["status"])


def _refuse_if_merged(row: Mapping[str, Any]) -> None:
    if _status(row) is ComplaintStatus.MERGED:
        raise ComplaintRecordRefused(
            "MERGED", "the complaint was merged; record this on the one it was merged into"
        )


def _name(value: str | None, what: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_NAME:
        raise ComplaintRecordRefused("TEXT_TOO_LONG", f"{what} is at most {MAX_NAME} characters")
    return text or None


class ComplaintRecordRepository:
    """Changes to filed complaints; each public method is one transaction."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.complaints = ComplaintRepository(graph)

    async def _apply(self, ref: str, actor: str, now: datetime, decide: Decide) -> Complaint:
        cid = complaint_ref_id(ref)
        at = utc(require_aware(now, "now"))

        async def work(tx: AsyncManagedTransaction) -> None:
            row = await lock_complaint(tx, cid)
            change = decide(row)
            events = []
            if change.event is not None:
                payload = complaint_payload(
                    row["complaint"],
                    row["customer_id"],
                    row["about_ids"],
                    **(change.event_extra or {}),
                )
                events.append(domain_event(change.event, cid, payload))
            result = await tx.run(
                change.cypher,
                id=cid,
                at=at,
                actor=actor,
                before=audit_text(change.before),
                after=audit_text(change.after),
                events=events,
                **change.params,
            )
            if await result.single() is None and change.when_no_row is not None:
                raise change.when_no_row

        await self.graph.write_transaction(work)
        return await self.complaints.get(cid)

    async def assign(
        self, ref: str, *, handler: str | None, team: str | None, actor: str, now: datetime
    ) -> Complaint:
        """Give the complaint to a handler and/or a team; both empty returns it to the queue."""
        who, group = _name(handler, "handler"), _name(team, "team")

        def decide(row: dict[str, Any]) -> Change:
            _refuse_if_merged(row)
            c = row["complaint"]
            return Change(
                q.ASSIGN_COMPLAINT,
                {"handler": who, "team": group},
                before={"handler": c.get("handler"), "team": c.get("team")},
                after={"handler": who, "team": group},
            )

        return await self._apply(ref, actor, now, decide)

    async def log_contact(
        self,
        ref: str,
        *,
        kind: ContactKind,
        note: str,
        satisfaction: Satisfaction | None,
        at: datetime | None,
        actor: str,
        now: datetime,
    ) -> Complaint:
        """Record a contact with the complainant; a callback (回访) with its satisfaction."""
        check_contact(kind, satisfaction)
        text = staff_text(note, "a contact note")
        when = utc(require_aware(at or now, "at"))
        if when > utc(now) + CLOCK_SKEW:
            raise ComplaintRecordRefused("IN_FUTURE", "a contact cannot lie in the future")

        def decide(row: dict[str, Any]) -> Change:
            _refuse_if_merged(row)
            return Change(
                q.LOG_CONTACT,
                {
                    "contact_id": f"contact:{uuid.uuid4()}",
                    "contact_at": when,
                    "kind": kind.value,
                    "note": text,
                    "satisfaction": satisfaction.value if satisfaction else None,
                },
                after={"kind": kind.value, "satisfaction": satisfaction, "at": when},
            )

        return await self._apply(ref, actor, now, decide)

    async def attach(
        self, ref: str, attachment: AttachmentRef, *, actor: str, now: datetime
    ) -> Complaint:
        """Reference a document kept outside the graph (refused when already attached)."""

        def decide(row: dict[str, Any]) -> Change:
            _refuse_if_merged(row)
            return Change(
                q.ADD_ATTACHMENT,
                {
                    "attachment_id": f"attachment:{uuid.uuid4()}",
                    "sha256": attachment.sha256,
                    "size": attachment.size,
                    "media_type": attachment.media_type,
                    "uri": attachment.uri,
                    "name": attachment.name,
                },
                after={"sha256": attachment.sha256, "uri": attachment.uri},
                when_no_row=ComplaintRecordRefused(
                    "DUPLICATE_ATTACHMENT",
                    f"the file {attachment.sha256[:12]}… is already attached to the complaint",
                ),
            )

        return await self._apply(ref, actor, now, decide)

    async def record_amounts(
        self,
        ref: str,
        *,
        compensation: tuple[Decimal, str] | None,
        in_dispute: tuple[Decimal, str] | None,
        actor: str,
        now: datetime,
    ) -> Complaint:
        """Record the compensation and/or the amount in dispute (CNY, exact to the fen)."""
        if compensation is None and in_dispute is None:
            raise ComplaintRecordRefused(
                "NOTHING_TO_RECORD", "give compensation, amountInDispute or both"
            )
        comp = amount_in_fen(*compensation, "compensation") if compensation else None
        dispute = amount_in_fen(*in_dispute, "amountInDispute") if in_dispute else None

        def decide(row: dict[str, Any]) -> Change:
            _refuse_if_merged(row)
            c = row["complaint"]
            return Change(
                q.RECORD_AMOUNTS,
                {"compensation_fen": comp, "dispute_fen": dispute},
                before={
                    "compensation_fen": c.get("compensation_fen"),
                    "dispute_fen": c.get("dispute_fen"),
                },
                after={"compensation_fen": comp, "dispute_fen": dispute},
            )

        return await self._apply(ref, actor, now, decide)

    async def record_root_cause(
        self, ref: str, *, root_cause: RootCause, text: str | None, actor: str, now: datetime
    ) -> Complaint:
        """Record why the complaint arose: a code of the controlled list and free text."""
        words = staff_text(text, "the root-cause text", required=False) or None

        def decide(row: dict[str, Any]) -> Change:
            _refuse_if_merged(row)
            c = row["complaint"]
            return Change(
                q.RECORD_ROOT_CAUSE,
                {"root_cause": root_cause.value, "text": words},
                before={"root_cause": c.get("root_cause")},
                after={"root_cause": root_cause.value},
            )

        return await self._apply(ref, actor, now, decide)

    async def record_regulator_referral(
        self,
        ref: str,
        *,
        referral_no: str,
        reply_due_at: datetime,
        actor: str,
        now: datetime,
    ) -> Complaint:
        """Record the regulator's referral number and reply deadline on a complaint that came
        through the regulator (its channel is REGULATOR or above)."""
        number = regulator_reference(referral_no)
        due = utc(require_aware(reply_due_at, "replyDueAt"))

        def decide(row: dict[str, Any]) -> Change:
            _refuse_if_merged(row)
            c = row["complaint"]
            channel = ComplaintChannel(c["channel"])
            if channel_rank(channel) < channel_rank(ComplaintChannel.REGULATOR):
                raise ComplaintRecordRefused(
                    "NOT_A_REGULATOR_CASE",
                    f"the complaint came in on {channel.value}; a referral number belongs to a "
                    "REGULATOR case (escalate it first)",
                )
            if due < native(c["received_at"]):
                raise ComplaintRecordRefused(
                    "REPLY_DUE_BEFORE_RECEIPT", "the reply deadline lies before the complaint"
                )
            return Change(
                q.RECORD_REGULATOR_REFERRAL,
                {"referral_no": number, "reply_due_at": due},
                before={"regulator_ref": c.get("regulator_ref")},
                after={"regulator_ref": number, "reply_due_at": due},
            )

        return await self._apply(ref, actor, now, decide)

    async def close(
        self, ref: str, *, reason: ClosureReason, note: str | None, actor: str, now: datetime
    ) -> Complaint:
        """Close (办结) an answered complaint, or an open one that ends unanswered."""
        text = staff_text(note, "a closing note", required=False) or None

        def decide(row: dict[str, Any]) -> Change:
            status = _status(row)
            check_close(status, reason)
            return Change(
                q.CLOSE_COMPLAINT,
                {"reason": reason.value, "note": text},
                before={"status": status.value},
                after={"status": "CLOSED", "reason": reason.value},
                event=DomainEventType.COMPLAINT_CLOSED,
                event_extra={"reason": reason.value},
            )

        return await self._apply(ref, actor, now, decide)

    async def reopen(self, ref: str, *, reason: str, actor: str, now: datetime) -> Complaint:
        """Reopen an answered or closed complaint with a fresh 15-day answer period."""
        why = staff_text(reason, "a reason to reopen")
        due = reopened_due(utc(now))

        def decide(row: dict[str, Any]) -> Change:
            status = _status(row)
            check_reopen(status)
            c = row["complaint"]
            return Change(
                q.REOPEN_COMPLAINT,
                {"reason": why, "due_at": due},
                before={
                    "status": status.value,
                    "closed_at": native(c.get("closed_at")),
                    "due_at": native(c.get("due_at")),
                    "resolution": c.get("resolution"),
                    "closure_reason": c.get("closure_reason"),
                },
                after={"status": "OPEN", "due_at": due, "reason": why},
                event=DomainEventType.COMPLAINT_REOPENED,
                event_extra={"reason": why, "due_at": due.isoformat()},
            )

        return await self._apply(ref, actor, now, decide)

    async def merge(
        self, ref: str, *, into: str, reason: str | None, actor: str, now: datetime
    ) -> Complaint:
        """Merge the duplicate ``ref`` into ``into``; returns the complaint merged into."""
        why = staff_text(reason, "a merge reason", required=False) or None
        source_id, target_id = complaint_ref_id(ref), complaint_ref_id(into)
        at = utc(now)

        async def work(tx: AsyncManagedTransaction) -> None:
            row = await lock_complaint(tx, source_id)
            if source_id == target_id:
                target_row = row
            else:
                try:
                    target_row = await lock_complaint(tx, target_id)
                except NotFound:
                    raise ComplaintRecordRefused("UNKNOWN_TARGET", f"no complaint {into}") from None
            source, target = row["complaint"], target_row["complaint"]
            check_merge(source_id, _status(row), target_id, ComplaintStatus(target["status"]))
            clock = merged_clock(_clock(source), _clock(target))
            from_channel = ComplaintChannel(target["channel"])
            channel = max(from_channel, ComplaintChannel(source["channel"]), key=channel_rank)
            steps = []
            if channel is not from_channel:
                steps.append(
                    {
                        "id": f"escalation:{uuid.uuid4()}",
                        "from_channel": from_channel.value,
                        "to_channel": channel.value,
                        "reason": f"merged from {source['complaint_no']}",
                    }
                )
            payload = complaint_payload(
                {**target, "channel": channel.value},
                target_row["customer_id"],
                target_row["about_ids"],
                merged_complaint_no=source["complaint_no"],
                due_at=clock.due_at.isoformat(),
            )
            await tx.run(
                q.MERGE_COMPLAINT,
                id=source_id,
                target_id=target_id,
                at=at,
                actor=actor,
                reason=why,
                received_at=clock.received_at,
                due_at=clock.due_at,
                extensions=clock.extensions,
                status=open_status(clock).value,
                clock_started_at=clock.started_at
                if clock.started_at != clock.received_at
                else None,
                channel=channel.value,
                escalations=steps,
                before=audit_text({"status": source["status"]}),
                target_before=audit_text(
                    {
                        "received_at": native(target["received_at"]),
                        "due_at": native(target["due_at"]),
                    }
                ),
                after=audit_text(
                    {
                        "merged": source["complaint_no"],
                        "into": target["complaint_no"],
                        "reason": why,
                    }
                ),
                events=[domain_event(DomainEventType.COMPLAINT_MERGED, target_id, payload)],
            )

        await self.graph.write_transaction(work)
        return await self.complaints.get(target_id)


def _clock(c: Mapping[str, Any]) -> Clock:
    received = native(c["received_at"])
    return Clock(
        received_at=received,
        started_at=native(c.get("clock_started_at")) or received,
        due_at=native(c["due_at"]),
        extensions=int(c.get("extensions") or 0),
    )


HISTORY_LIMIT = 500


async def complaint_history(
    graph: Graph, complaint_ids: Sequence[str], limit: int = HISTORY_LIMIT
) -> dict[str, list[AuditEvent]]:
    """The audit trail of each complaint, with that of the duplicates merged into it, oldest
    first (at most ``limit`` events each): one round trip for all of them."""
    records = await graph.read(q.COMPLAINT_HISTORY, ids=list(complaint_ids), limit=limit)
    return {
        r["complaint_id"]: [
            AuditEvent(
                id=e["id"],
                at=native(e["at"]),
                actor=e.get("actor") or "unknown",
                action=e["action"],
                subject_id=e.get("subject_id"),
                before=e.get("before"),
                after=e.get("after"),
            )
            for e in r["events"]
        ]
        for r in records
    }
