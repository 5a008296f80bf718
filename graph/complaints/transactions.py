"""Steps shared by the transactions that change a complaint: take its write lock and read it,
and open a joint review (会商) together with its outbox event."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.complaints import queries as q
from graph.events import DomainEventType, complaint_payload, domain_event
from models.errors import NotFound
from models.records import complaint_id


def audit_json(values: Mapping[str, Any]) -> str:
    """Before/after values of an audit event as short JSON text."""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def complaint_ref_id(ref: str) -> str:
    """A complaint id from an id ("complaint:Q1") or a bare complaint number ("Q1")."""
    ref = ref.strip()
    return ref if ref.startswith("complaint:") else complaint_id(ref)


async def lock_complaint(tx: AsyncManagedTransaction, cid: str) -> dict[str, Any]:
    """Lock the complaint for this transaction and return it with its customer id, subject
    ids and open reviews (NotFound when there is none)."""
    record = await (await tx.run(q.LOCK_COMPLAINT, id=cid)).single()
    if record is None:
        raise NotFound(f"no complaint {cid}")
    return record.data()


@dataclass(frozen=True)
class ReviewOpening:
    """What opening a joint review records and announces."""

    complaint_id: str
    complaint: Mapping[str, Any]  # complaint_no, channel, category
    customer_id: str | None
    about_ids: Sequence[str]
    reasons: Sequence[str]
    participants: Sequence[str]
    actor: str
    at: datetime


def new_review(opening: ReviewOpening) -> tuple[dict[str, Any], dict[str, Any]]:
    """The review to create (the ``review`` map the Cypher takes, with a fresh id) and its
    ``complaint.joint_review_opened`` event, for the caller to write in one transaction."""
    review = {
        "id": f"review:{uuid.uuid4()}",
        "reasons": list(opening.reasons),
        "participants": list(opening.participants),
        "actor": opening.actor,
        "at": opening.at,
    }
    event = domain_event(
        DomainEventType.COMPLAINT_JOINT_REVIEW_OPENED,
        opening.complaint_id,
        complaint_payload(
            opening.complaint,
            opening.customer_id,
            opening.about_ids,
            review_id=review["id"],
            reasons=review["reasons"],
            participants=review["participants"],
        ),
    )
    return review, event


async def open_review_in(
    tx: AsyncManagedTransaction, opening: ReviewOpening, *, by_hand: bool = False
) -> tuple[str, dict[str, Any]]:
    """Create the review in ``tx``; return its id and the ``complaint.joint_review_opened``
    event for the caller to append in the same transaction. A review opened by hand is an
    action of its own in the complaint's audit trail (one opened by a filing or an
    escalation is part of that action's)."""
    review, event = new_review(opening)
    if by_hand:
        await tx.run(
            q.OPEN_JOINT_REVIEW_BY_HAND,
            complaint_id=opening.complaint_id,
            review=review,
            at=opening.at,
            actor=opening.actor,
            before=None,
            after=json.dumps(
                {"review_id": review["id"], "participants": review["participants"]},
                ensure_ascii=False,
            ),
        )
    else:
        await tx.run(q.OPEN_JOINT_REVIEW, complaint_id=opening.complaint_id, review=review)
    return str(review["id"]), event
