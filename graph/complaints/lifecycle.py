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
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

import anyio.to_thread
from neo4j import AsyncManagedTransaction

from graph.client import Graph
from graph.complaints import queries as q
from graph.complaints.filing import ComplainantAlreadyKnown, complainant_rows, filed_text
from graph.complaints.filing import NewComplaint as NewComplaint  # callers import it from here
from graph.complaints.handling_guides import pick_guide
from graph.complaints.records import Complaint, HandlingGuide, JointReview, PartyRef
from graph.complaints.transactions import (
    ReviewOpening,
    audit_json,
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
from graph.paging import Page, keyset_page
from graph.values import native, utc
from models.complaint_record import staff_text
from models.complaint_topics import terms
from models.complaints import (
    FINISHED_STATUSES,
    REPEAT_WINDOW_DAYS,
    PriorComplaint,
    UnknownBranch,
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
from models.identity import IdentifierKind
from models.records import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    branch_id,
    claim_id,
    complaint_id,
    policy_id,
)
from models.text_scrub import scrub_personal_data


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
    assigned: bool | None = None
    handler: str | None = None
    team: str | None = None
    branch: str | None = None


MAX_SUMMARY = 5000
MAX_RESOLUTION = 10_000

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
        now: datetime | None = None,
        *,
        within: Callable[[AsyncManagedTransaction, str], Awaitable[None]] | None = None,
    ) -> Filing:
        """Record a complaint: deadline, links, repeat detection, joint review, guide; a new
        complainant is recorded as a party in the same transaction.

        Raises UnknownCustomer / UnknownSubjects / UnknownBranch / ComplainantAlreadyKnown
        (nothing written) and InvalidInput for a duplicate complaint number or an empty summary.
        ``within(tx, complaint_id)`` runs in the filing's transaction once the complaint exists
        (what it raises undoes the filing).
        """
        # Identifiers typed into the summary are stored masked, like everywhere else.
        summary = scrub_personal_data(new.summary.strip())
        if not summary:
            raise InvalidInput("a complaint needs a summary of what it is about")
        if len(summary) > MAX_SUMMARY:
            raise InvalidInput(f"a summary is at most {MAX_SUMMARY:,} characters")
        received_at = utc(require_aware(new.received_at, "receivedAt"))
        at = utc(now) if now else datetime.now(UTC)
        complaint_no = new.complaint_no or (f"Q{received_at:%Y%m%d}{secrets.token_hex(3).upper()}")
        topic_terms = await anyio.to_thread.run_sync(terms, summary)
        customer, new_parties = complainant_rows(new, received_at)
        cid = complaint_id(complaint_no)
        policy_ids = [policy_id(n) for n in new.policy_nos]
        claim_ids = [claim_id(n) for n in new.claim_nos]
        party_ids = list(new.party_ids)
        about = policy_ids + claim_ids + party_ids
        known_ids = [
            i.node_id
            for i in (new.new_party.identifiers if new.new_party else ())
            if i.kind is IdentifierKind.ID_CARD
        ]
        opened: list[str] = []

        async def work(tx: AsyncManagedTransaction) -> tuple[Complaint, list[HandlingGuide]]:
            opened.clear()  # a retried transaction starts again
            lookup = await (
                await tx.run(
                    q.FILING_LOOKUP,
                    customer_id=customer,
                    complaint_id=cid,
                    branch_id=branch_id(new.branch) if new.branch else None,
                    known_identifier_ids=known_ids,
                    policy_ids=policy_ids,
                    claim_ids=claim_ids,
                    party_ids=party_ids,
                    category=new.category.value,
                )
            ).single()
            assert lookup is not None
            if lookup["known"]:
                raise ComplainantAlreadyKnown([PartyRef.from_map(p) for p in lookup["known"]])
            if not lookup["customer_found"] and not new_parties:
                if new.customer_no is not None:
                    raise UnknownCustomer(new.customer_no)
                raise UnknownSubjects([customer])
            if lookup["missing"]:
                raise UnknownSubjects(lookup["missing"])
            if not lookup["branch_found"]:
                raise UnknownBranch(str(new.branch))
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
            # One statement creates, links, opens the review, appends the events, audits and
            # reads the complaint back: each extra statement is a round trip on the hottest
            # write.
            created = await (
                await tx.run(
                    q.FILE_COMPLAINT,
                    id=cid,
                    complaint_no=complaint_no,
                    channel=new.channel.value,
                    category=new.category.value,
                    nfra_category=new.nfra_category.value if new.nfra_category else None,
                    branch=new.branch,
                    regulator_ref=new.regulator_ref,
                    regulator_reply_due_at=utc(new.regulator_reply_due_at)
                    if new.regulator_reply_due_at
                    else None,
                    new_parties=new_parties,
                    at=at,
                    before=None,
                    after=filed_text(new, complaint_no),
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
        why = staff_text(reason, "an extension reason")
        cid = complaint_ref_id(complaint_ref)

        async def work(tx: AsyncManagedTransaction) -> None:
            row = await lock_complaint(tx, cid)
            c = row["complaint"]
            # A reopened complaint's rules count from its reopening (its fresh clock).
            extension = extend_deadline(
                received_at=native(c.get("clock_started_at") or c["received_at"]),
                due_at=native(c["due_at"]),
                extensions=int(c.get("extensions") or 0),
                status=ComplaintStatus(c["status"]),
                approver=approver,
                now=now,
            )
            payload = complaint_payload(
                c,
                row["customer_id"],
                row["about_ids"],
                due_at=extension.due_at.isoformat(),
                previous_due_at=native(c["due_at"]).isoformat(),
                extensions=extension.extensions,
                reason=why,
            )
            await tx.run(
                q.EXTEND_COMPLAINT,
                id=cid,
                due_at=extension.due_at,
                extensions=extension.extensions,
                approver=approver.strip() if approver and approver.strip() else None,
                actor=actor,
                reason=why,
                at=utc(now),
                before=audit_json({"due_at": native(c["due_at"])}),
                after=audit_json({"due_at": extension.due_at, "reason": why}),
                events=[domain_event(DomainEventType.COMPLAINT_EXTENDED, cid, payload)],
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
        reason = staff_text(reason, "an escalation reason", required=False) or None

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
                before=audit_json({"channel": current.value}),
                after=audit_json({"channel": target.value, "reason": reason}),
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
        answer = staff_text(resolution, "a resolution", limit=MAX_RESOLUTION)

        async def work(tx: AsyncManagedTransaction) -> None:
            row = await lock_complaint(tx, cid)
            c = row["complaint"]
            if c["status"] in FINISHED_STATUSES:
                raise InvalidInput(f"complaint {cid} is already {c['status']}")
            payload = complaint_payload(
                c, row["customer_id"], row["about_ids"], on_time=utc(now) <= native(c["due_at"])
            )
            await tx.run(
                q.RESOLVE_COMPLAINT,
                id=cid,
                at=utc(now),
                resolution=answer,
                actor=actor,
                before=audit_json({"status": c["status"]}),
                after=audit_json({"status": "RESOLVED", "resolution": answer}),
                events=[domain_event(DomainEventType.COMPLAINT_RESOLVED, cid, payload)],
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
            assigned=filters.assigned,
            handler=filters.handler,
            team=filters.team,
            branch=filters.branch,
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
        return keyset_page(
            [Complaint.from_record(r) for r in records],
            limit,
            lambda c: encode_cursor(
                order, c.received_at if order == "RECEIVED_DESC" else c.due_at, c.id
            ),
        )


def _values(items: Sequence[Any] | None) -> list[str] | None:
    return [item.value for item in items] if items else None
