"""Joint reviews (会商) opened by hand and their outcomes; reviews opened automatically for
repeats and regulator or media complaints are created by ``graph.complaints.lifecycle``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph.client import Graph
from graph.complaints import queries as q
from graph.complaints.lifecycle import ComplaintRepository
from graph.complaints.records import Complaint, JointReview
from graph.complaints.transactions import (
    ReviewOpening,
    audit_json,
    complaint_ref_id,
    lock_complaint,
    open_review_in,
)
from graph.events import append_domain_events
from graph.values import utc
from models.complaint_record import staff_text
from models.errors import InvalidInput, NotFound


class JointReviewRepository:
    """Opens joint reviews and records their outcomes."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.complaints = ComplaintRepository(graph)

    async def open(
        self,
        complaint_ref: str,
        *,
        participants: Sequence[str],
        reason: str,
        actor: str,
        now: datetime,
    ) -> JointReview:
        """Open a joint review by hand (one open review per complaint at a time)."""
        cid = complaint_ref_id(complaint_ref)
        people = [p.strip() for p in participants if p.strip()]
        if not people:
            raise InvalidInput("a joint review needs at least one participant")
        opened: list[str] = []

        async def work(tx: AsyncManagedTransaction) -> None:
            opened.clear()  # a retried transaction starts again
            row = await lock_complaint(tx, cid)
            if row["open_reviews"]:
                raise InvalidInput(
                    f"complaint {cid} already has an open joint review {row['open_reviews'][0]}"
                )
            review_id, event = await open_review_in(
                tx,
                ReviewOpening(
                    complaint_id=cid,
                    complaint=row["complaint"],
                    customer_id=row["customer_id"],
                    about_ids=row["about_ids"],
                    reasons=[reason.strip() or "MANUAL"],
                    participants=people,
                    actor=actor,
                    at=utc(now),
                ),
                by_hand=True,
            )
            opened.append(review_id)
            await append_domain_events(tx, [event])

        await self.graph.write_transaction(work)
        complaint = await self.complaints.get(cid)
        return next(r for r in complaint.reviews if r.id in opened)

    async def record_outcome(
        self,
        review_id: str,
        *,
        outcome: str,
        participants: Sequence[str],
        actor: str,
        now: datetime,
    ) -> Complaint:
        """Conclude an open joint review with its outcome; returns the complaint."""
        if not outcome.strip():
            raise InvalidInput("a joint review outcome cannot be empty")
        text = staff_text(outcome, "a joint review outcome")
        records = await self.graph.write(
            q.CONCLUDE_JOINT_REVIEW,
            id=review_id,
            outcome=text,
            participants=[p.strip() for p in participants if p.strip()],
            actor=actor,
            at=utc(now),
            before=None,
            after=audit_json({"review_id": review_id, "outcome": text}),
        )
        if not records:
            raise NotFound(f"no open joint review {review_id}")
        return await self.complaints.get(records[0]["complaint_id"])
