"""The complaint lifecycle in the graph: file, extend, escalate, review, resolve, list, sweep.

Every change that other departments react to writes its ``(:DomainEvent)`` in the same
transaction (see ``graph.events``); a refused change writes nothing. The clock is a
parameter (``now``) so tests move it instead of waiting.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, LiteralString

import anyio.to_thread
from neo4j import AsyncManagedTransaction

from graph.client import Graph
from graph.complaint_records import Complaint, HandlingGuide, JointReview
from graph.complaint_transactions import (
    ReviewOpening,
    complaint_ref_id,
    lock_complaint,
    new_review,
    open_review_in,
)
from graph.events import (
    DomainEventType,
    append_domain_events,
    complaint_payload,
    domain_event,
)
from graph.handling_guides import pick_guide
from graph.queries import complaints as q
from graph.values import Page, native, utc
from models.complaint_topics import terms
from models.complaints import (
    REPEAT_WINDOW_DAYS,
    PriorComplaint,
    UnknownCustomer,
    UnknownSubjects,
    default_participants,
    escalation_target,
    extend_deadline,
    initial_due,
    joint_review_reasons,
    repeats_of,
    require_aware,
)
from models.cursors import decode_cursor, encode_cursor, page_size
from models.errors import InvalidInput, NotFound
from models.records import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    PartyKind,
    claim_id,
    complaint_id,
    party_id,
    policy_id,
)


@dataclass(frozen=True)
class NewComplaint:
    """A complaint as the desk records it."""

    customer_no: str
    channel: ComplaintChannel
    category: ComplaintCategory
    summary: str
    received_at: datetime
    complaint_no: str | None = None
    policy_nos: Sequence[str] = ()
    claim_nos: Sequence[str] = ()
    party_ids: Sequence[str] = ()  # repair shops, agents... as node ids ("shop:S9000001")


@dataclass(frozen=True)
class Filing:
    """What filing produced: the complaint, the matching guide, a joint review if opened."""

    complaint: Complaint
    guide: HandlingGuide | None
    joint_review: JointReview | None


@dataclass(frozen=True)
class ComplaintFilter:
    """List filters; None means "any"."""

    statuses: Sequence[ComplaintStatus] | None = None
    channels: Sequence[ComplaintChannel] | None = None
    categories: Sequence[ComplaintCategory] | None = None
    overdue: bool | None = None
    due_within_days: int | None = None
    party_id: str | None = None


MAX_SUMMARY = 5000

ORDERINGS: dict[str, LiteralString] = {
    "RECEIVED_DESC": q.LIST_BY_RECEIVED,
    "DUE_ASC": q.LIST_BY_DUE,
}


class ComplaintRepository:
    """Complaints in Neo4j; each public method is one transaction."""

    def __init__(self, graph: Graph, repeat_window_days: int = REPEAT_WINDOW_DAYS) -> None:
        self.graph = graph
        self.repeat_window_days = repeat_window_days

    # -- filing ------------------------------------------------------------------------------

    async def file(
        self,
        new: NewComplaint,
        actor: str,
        *,
        within: Callable[[AsyncManagedTransaction, str], Awaitable[None]] | None = None,
    ) -> Filing:
        """Record a complaint: deadline, links, repeat detection, joint review, guide.

        Raises UnknownCustomer / UnknownSubjects (nothing written) and InvalidInput for a
        duplicate complaint number or an empty summary. ``within(tx, complaint_id)`` runs in
        the filing's transaction once the complaint exists (what it raises undoes the filing).
        """
        summary = new.summary.strip()
        if not summary:
            raise InvalidInput("a complaint needs a summary of what it is about")
        if len(summary) > MAX_SUMMARY:
            raise InvalidInput(f"a summary is at most {MAX_SUMMARY:,} characters")
        received_at = utc(require_aware(new.received_at, "receivedAt"))
        complaint_no = new.complaint_no or (f"Q{received_at:%Y%m%d}{secrets.token_hex(3).upper()}")
        topic_terms = await anyio.to_thread.run_sync(terms, summary)
        customer = party_id(PartyKind.CUSTOMER, new.customer_no)
        cid = complaint_id(complaint_no)
        policy_ids = [policy_id(n) for n in new.policy_nos]
        claim_ids = [claim_id(n) for n in new.claim_nos]
        party_ids = list(new.party_ids)
        about = policy_ids + claim_ids + party_ids
        opened: list[str] = []

        async def work(tx: AsyncManagedTransaction) -> tuple[Complaint, list[HandlingGuide]]:
            opened.clear()  # a retried transaction starts again
            lookup = await (
                await tx.run(
                    q.FILING_LOOKUP,
                    customer_id=customer,
                    complaint_id=cid,
                    policy_ids=policy_ids,
                    claim_ids=claim_ids,
                    party_ids=party_ids,
                    category=new.category.value,
                )
            ).single()
            assert lookup is not None
            if not lookup["customer_found"]:
                raise UnknownCustomer(new.customer_no)
            if lookup["missing"]:
                raise UnknownSubjects(lookup["missing"])
            if lookup["duplicate"]:
                raise InvalidInput(f"complaint {complaint_no} already exists")
            subjects = set(about)
            subjects.update(p for policies in lookup["claim_policies"] for p in policies)
            priors = [
                PriorComplaint(
                    id=r["id"],
                    category=ComplaintCategory(r["category"]),
                    status=ComplaintStatus(r["status"]),
                    received_at=native(r["received_at"]),
                    closed_at=native(r["closed_at"]),
                    about_ids=frozenset(r["about_ids"]),
                )
                for r in lookup["priors"]
            ]
            repeat_of = repeats_of(
                priors, subjects, new.category, received_at, self.repeat_window_days
            )
            record = {
                "complaint_no": complaint_no,
                "channel": new.channel.value,
                "category": new.category.value,
            }
            events = [
                domain_event(
                    DomainEventType.COMPLAINT_FILED,
                    cid,
                    complaint_payload(record, customer, about, repeat_of=repeat_of),
                )
            ]
            reviews = []
            reasons = joint_review_reasons(new.channel, bool(repeat_of))
            if reasons:
                review, event = new_review(
                    ReviewOpening(
                        complaint_id=cid,
                        complaint=record,
                        customer_id=customer,
                        about_ids=about,
                        reasons=reasons,
                        participants=default_participants(new.category, reasons),
                        actor=actor,
                        at=received_at,
                    )
                )
                reviews.append(review)
                opened.append(str(review["id"]))
                events.append(event)
            # One statement creates, links, opens the review, appends the events and reads
            # the complaint back: each extra statement is a round trip on the hottest write.
            created = await (
                await tx.run(
                    q.FILE_COMPLAINT,
                    id=cid,
                    complaint_no=complaint_no,
                    channel=new.channel.value,
                    category=new.category.value,
                    received_at=received_at,
                    due_at=initial_due(received_at),
                    summary=summary,
                    repeat=bool(repeat_of),
                    topic_terms=topic_terms,
                    actor=actor,
                    customer_id=customer,
                    policy_ids=policy_ids,
                    claim_ids=claim_ids,
                    party_ids=party_ids,
                    repeat_of=repeat_of,
                    reviews=reviews,
                    events=events,
                )
            ).single()
            assert created is not None
            if within is not None:
                await within(tx, cid)
            guides = [HandlingGuide.from_map(g) for g in lookup["guides"]]
            return Complaint.from_record(created), guides

        complaint, guides = await self.graph.write_transaction(work)
        review = next((r for r in complaint.reviews if r.id in opened), None)
        guide = pick_guide(guides, new.category, summary, topic_terms)
        return Filing(complaint=complaint, guide=guide, joint_review=review)

    # -- changes to a complaint --------------------------------------------------------------

    async def extend(
        self,
        complaint_ref: str,
        *,
        reason: str,
        approver: str | None,
        actor: str,
        now: datetime,
    ) -> Complaint:
        """Extend the deadline per the 15/30/60-day rules (DeadlineRuleViolated otherwise)."""
        if not reason.strip():
            raise InvalidInput("an extension needs a reason (why the case is complex)")
        cid = complaint_ref_id(complaint_ref)

        async def work(tx: AsyncManagedTransaction) -> None:
            row = await lock_complaint(tx, cid)
            c = row["complaint"]
            extension = extend_deadline(
                received_at=native(c["received_at"]),
                due_at=native(c["due_at"]),
                extensions=int(c.get("extensions") or 0),
                status=ComplaintStatus(c["status"]),
                approver=approver,
                now=now,
            )
            await tx.run(
                q.EXTEND_COMPLAINT,
                id=cid,
                due_at=extension.due_at,
                extensions=extension.extensions,
                approver=approver.strip() if approver and approver.strip() else None,
                actor=actor,
                reason=reason.strip(),
            )

        await self.graph.write_transaction(work)
        return await self.get(cid)

    async def escalate(
        self,
        complaint_ref: str,
        *,
        to_channel: ComplaintChannel | None,
        reason: str | None,
        actor: str,
        now: datetime,
    ) -> Complaint:
        """Move a complaint up the channel ladder, keeping the history; at REGULATOR or
        above, open a joint review if none is open. EscalationRefused writes nothing."""
        cid = complaint_ref_id(complaint_ref)

        async def work(tx: AsyncManagedTransaction) -> None:
            row = await lock_complaint(tx, cid)
            c = row["complaint"]
            current = ComplaintChannel(c["channel"])
            target = escalation_target(current, ComplaintStatus(c["status"]), to_channel)
            await tx.run(
                q.ESCALATE_COMPLAINT,
                id=cid,
                escalation_id=f"escalation:{uuid.uuid4()}",
                from_channel=current.value,
                to_channel=target.value,
                at=utc(now),
                actor=actor,
                reason=reason,
            )
            record = {**c, "channel": target.value}
            events = [
                domain_event(
                    DomainEventType.COMPLAINT_ESCALATED,
                    cid,
                    complaint_payload(
                        record,
                        row["customer_id"],
                        row["about_ids"],
                        from_channel=current.value,
                        to_channel=target.value,
                        reason=reason,
                    ),
                )
            ]
            reasons = joint_review_reasons(target, repeat=False)
            if reasons and not row["open_reviews"]:
                _, event = await open_review_in(
                    tx,
                    ReviewOpening(
                        complaint_id=cid,
                        complaint=record,
                        customer_id=row["customer_id"],
                        about_ids=row["about_ids"],
                        reasons=reasons,
                        participants=default_participants(
                            ComplaintCategory(c["category"]), reasons
                        ),
                        actor=actor,
                        at=utc(now),
                    ),
                )
                events.append(event)
            await append_domain_events(tx, events)

        await self.graph.write_transaction(work)
        return await self.get(cid)

    async def resolve(
        self, complaint_ref: str, *, resolution: str, actor: str, now: datetime
    ) -> Complaint:
        """Record the answer to a complaint; it leaves the deadline checks."""
        cid = complaint_ref_id(complaint_ref)
        if not resolution.strip():
            raise InvalidInput("a resolution cannot be empty")

        async def work(tx: AsyncManagedTransaction) -> None:
            row = await lock_complaint(tx, cid)
            if row["complaint"]["status"] in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED):
                raise InvalidInput(f"complaint {cid} is already {row['complaint']['status']}")
            await tx.run(
                q.RESOLVE_COMPLAINT, id=cid, at=utc(now), resolution=resolution, actor=actor
            )

        await self.graph.write_transaction(work)
        return await self.get(cid)

    # -- reading -----------------------------------------------------------------------------

    async def get(self, complaint_ref: str) -> Complaint:
        """One complaint by id or complaint number; NotFound otherwise."""
        cid = complaint_ref_id(complaint_ref)
        records = await self.graph.read(q.GET_COMPLAINT, id=cid)
        if not records:
            raise NotFound(f"no complaint {complaint_ref}")
        return Complaint.from_record(records[0])

    async def page(
        self,
        filters: ComplaintFilter,
        *,
        first: int,
        after: str | None,
        now: datetime,
        order: str = "RECEIVED_DESC",
    ) -> Page[Complaint]:
        """A page of complaints matching ``filters``, keyset-paginated after ``after``."""
        limit = page_size(first)
        after_at, after_id = decode_cursor(after, order) if after else (None, None)
        if filters.due_within_days is not None and not 0 <= filters.due_within_days <= 3650:
            raise InvalidInput("dueWithinDays must be between 0 and 3650")
        now = utc(now)
        records = await self.graph.read(
            ORDERINGS[order],
            statuses=_values(filters.statuses),
            channels=_values(filters.channels),
            categories=_values(filters.categories),
            overdue=filters.overdue,
            now=now,
            due_before=now + timedelta(days=filters.due_within_days)
            if filters.due_within_days is not None
            else None,
            party_id=filters.party_id,
            after_at=utc(after_at) if after_at else None,
            after_id=after_id,
            limit=limit + 1,
        )
        items = [Complaint.from_record(r) for r in records[:limit]]
        cursors = [
            encode_cursor(order, c.received_at if order == "RECEIVED_DESC" else c.due_at, c.id)
            for c in items
        ]
        return Page(items=items, cursors=cursors, has_next=len(records) > limit)


def _values(items: Sequence[Any] | None) -> list[str] | None:
    return [item.value for item in items] if items else None
