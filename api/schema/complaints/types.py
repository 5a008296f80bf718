"""GraphQL types of the complaint desk and their conversion from repository records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.schema.complaints import record_types as r
from graph.complaints import records as rec
from models.complaints import is_overdue
from models.nfra_categories import nfra_category

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
    # -- the complete record (issue 20) --
    nfra_category: r.NfraCategoryInfo = strawberry.field(
        description="The regulator's category (the coarse category's fallback if none given)."
    )
    branch: r.Branch | None
    assignment: r.ComplaintAssignment | None
    compensation: r.Money | None = strawberry.field(description="Agreed or paid, CNY.")
    amount_in_dispute: r.Money | None
    root_cause: r.ComplaintRootCauseView | None
    satisfaction: r.Satisfaction | None = strawberry.field(
        description="The latest callback's (回访) result."
    )
    resolution: r.ComplaintNote | None = strawberry.field(description="The answer, if any.")
    extension_reasons: list[r.ComplaintNote]
    closure: r.ComplaintClosure | None
    reopenings: list[r.ComplaintNote]
    merged_into: strawberry.ID | None = strawberry.field(
        description="Set when this complaint was a duplicate merged into another."
    )
    merged_at: datetime | None
    merged_from: list[r.MergedComplaint]
    regulator_referral: r.RegulatorReferral | None
    contact_log: list[r.ComplaintContact] = strawberry.field(
        permission_classes=r.DESK_FILE, description="Contacts and callbacks, oldest first."
    )
    attachments: list[r.ComplaintAttachment] = strawberry.field(
        permission_classes=r.DESK_FILE, description="Documents, referenced by hash and URI."
    )

    @strawberry.field(
        permission_classes=r.DESK_FILE,
        description="Every action on the complaint and on duplicates merged into it (who, "
        "when, what), oldest first.",
    )
    async def history(self, info: Info[Context, None]) -> list[r.ComplaintHistoryEntry]:
        events = await r.history_loader(info).load(str(self.id))
        return [r.history_entry(e) for e in events]


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


@strawberry.type(description="No branch (机构) has this code; nothing was recorded.")
class UnknownBranch:
    branch: str
    message: str


@strawberry.type(
    description="The new complainant's ID number belongs to a known party: file for it instead."
)
class ComplainantAlreadyKnown:
    matches: list[ComplaintSubject]
    message: str


@strawberry.type(description="The identifiers of a new complainant are not valid.")
class InvalidComplainant:
    field: str | None
    message: str


@strawberry.type(description="The 15/30/60-day deadline rules refuse this extension.")
class DeadlineRuleViolated:
    rule: str
    message: str


@strawberry.type(description="The channel ladder refuses this escalation; nothing changed.")
class EscalationRefused:
    message: str


FileComplaintResult = Annotated[
    FiledComplaint
    | UnknownCustomer
    | UnknownSubjects
    | UnknownBranch
    | ComplainantAlreadyKnown
    | InvalidComplainant,
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
        joint_reviews=[joint_review(review) for review in c.reviews],
        repeat_of=[strawberry.ID(x) for x in c.repeat_of],
        topic_terms=c.topic_terms,
        nfra_category=r.nfra_info(nfra_category(c.category, c.details.nfra_category)),
        **r.record_fields(c.details),
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
