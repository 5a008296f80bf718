"""GraphQL types of the complaint desk and their conversion from repository records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from graph import complaint_records as rec
from models.complaints import is_overdue

# Re-exported: schema modules import these from here, so their registration below has run.
from models.records import ComplaintCategory as ComplaintCategory
from models.records import ComplaintChannel as ComplaintChannel
from models.records import ComplaintStatus as ComplaintStatus

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(ComplaintChannel, name="ComplaintChannel")
strawberry.enum(ComplaintCategory, name="ComplaintCategory")
strawberry.enum(ComplaintStatus, name="ComplaintStatus")


@strawberry.type(description="A party or record a complaint names; identifiers masked.")
class ComplaintSubject:
    id: strawberry.ID
    kind: str
    ref: str | None
    name: str | None
    customer_no: str | None
    id_masked: str | None
    phone_masked: str | None


@strawberry.type(description="One step of a complaint up the channel ladder.")
class ComplaintEscalation:
    from_channel: ComplaintChannel
    to_channel: ComplaintChannel
    at: datetime
    by: str
    reason: str | None


@strawberry.type(description="A joint review (会商) of a complaint.")
class JointReview:
    id: strawberry.ID
    status: str
    reasons: list[str]
    participants: list[str]
    opened_at: datetime
    opened_by: str
    outcome: str | None
    concluded_at: datetime | None


@strawberry.type
class Complaint:
    id: strawberry.ID
    complaint_no: str
    channel: ComplaintChannel
    category: ComplaintCategory
    status: ComplaintStatus
    received_at: datetime
    due_at: datetime
    closed_at: datetime | None
    summary: str
    extensions: int
    approver: str | None
    repeat: bool
    overdue: bool = strawberry.field(description="Open past its deadline (now).")
    complainant: ComplaintSubject | None
    about: list[ComplaintSubject]
    channel_history: list[ComplaintEscalation]
    joint_reviews: list[JointReview]
    repeat_of: list[strawberry.ID]
    topic_terms: list[str]


@strawberry.type(description="A script for the frontline handler of a common dispute.")
class HandlingGuide:
    id: strawberry.ID
    key: str
    title: str
    category: ComplaintCategory
    keywords: list[str]
    script: str
    updated_at: datetime | None
    updated_by: str | None


@strawberry.type
class FiledComplaint:
    complaint: Complaint
    guide: HandlingGuide | None = strawberry.field(
        description="The handling guide for this complaint's category and topic."
    )
    joint_review: JointReview | None = strawberry.field(
        description="Opened because the complaint is a repeat or came through the regulator."
    )


@strawberry.type(description="No customer has this customer number; nothing was recorded.")
class UnknownCustomer:
    customer_no: str
    message: str


@strawberry.type(description="Some named policies, claims or parties do not exist.")
class UnknownSubjects:
    missing: list[str]
    message: str


@strawberry.type(description="The 15/30/60-day deadline rules refuse this extension.")
class DeadlineRuleViolated:
    rule: str
    message: str


@strawberry.type(description="The channel ladder refuses this escalation; nothing changed.")
class EscalationRefused:
    message: str


FileComplaintResult = Annotated[
    FiledComplaint | UnknownCustomer | UnknownSubjects,
    strawberry.union("FileComplaintResult"),
]
ExtendComplaintResult = Annotated[
    Complaint | DeadlineRuleViolated, strawberry.union("ExtendComplaintResult")
]
EscalateComplaintResult = Annotated[
    Complaint | EscalationRefused, strawberry.union("EscalateComplaintResult")
]


def subject(ref: rec.PartyRef) -> ComplaintSubject:
    return ComplaintSubject(
        id=strawberry.ID(ref.id),
        kind=ref.kind,
        ref=ref.ref,
        name=ref.name,
        customer_no=ref.customer_no,
        id_masked=ref.id_masked,
        phone_masked=ref.phone_masked,
    )


def joint_review(review: rec.JointReview) -> JointReview:
    return JointReview(
        id=strawberry.ID(review.id),
        status=review.status,
        reasons=review.reasons,
        participants=review.participants,
        opened_at=review.opened_at,
        opened_by=review.opened_by,
        outcome=review.outcome,
        concluded_at=review.concluded_at,
    )


def complaint(c: rec.Complaint, now: datetime) -> Complaint:
    return Complaint(
        id=strawberry.ID(c.id),
        complaint_no=c.complaint_no,
        channel=c.channel,
        category=c.category,
        status=c.status,
        received_at=c.received_at,
        due_at=c.due_at,
        closed_at=c.closed_at,
        summary=c.summary,
        extensions=c.extensions,
        approver=c.approver,
        repeat=c.repeat,
        overdue=is_overdue(c.status, c.due_at, now),
        complainant=subject(c.complainant) if c.complainant else None,
        about=[subject(a) for a in c.about],
        channel_history=[
            ComplaintEscalation(
                from_channel=e.from_channel,
                to_channel=e.to_channel,
                at=e.at,
                by=e.by,
                reason=e.reason,
            )
            for e in c.escalations
        ],
        joint_reviews=[joint_review(r) for r in c.reviews],
        repeat_of=[strawberry.ID(r) for r in c.repeat_of],
        topic_terms=c.topic_terms,
    )


def handling_guide(g: rec.HandlingGuide) -> HandlingGuide:
    return HandlingGuide(
        id=strawberry.ID(g.id),
        key=g.key,
        title=g.title,
        category=g.category,
        keywords=g.keywords,
        script=g.script,
        updated_at=g.updated_at,
        updated_by=g.updated_by,
    )
