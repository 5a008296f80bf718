"""The complaint lifecycle: file, extend, escalate, joint reviews, resolve, list, look up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema import complaint_types as t
from api.schema.pagination import Connection, connection
from graph.complaints import ComplaintFilter, ComplaintRepository, NewComplaint
from graph.joint_reviews import JointReviewRepository
from models.complaints import (
    DeadlineRuleViolated,
    EscalationRefused,
    UnknownCustomer,
    UnknownSubjects,
    require_aware,
)
from models.errors import InvalidInput
from models.records import ComplaintChannel, PartyKind, party_id
from models.roles import Role

DESK = allow(Role.COMPLAINTS)
# Frontline and claims staff record the complaints that reach them (and see what they filed).
INTAKE = allow(Role.COMPLAINTS, Role.FRONTLINE, Role.CLAIMS)
READERS = allow(Role.COMPLAINTS, Role.RISK)


@strawberry.enum
class ComplaintOrder(Enum):
    RECEIVED_DESC = "RECEIVED_DESC"
    DUE_ASC = "DUE_ASC"


@strawberry.input
class FileComplaintInput:
    customer_no: str
    channel: t.ComplaintChannel
    category: t.ComplaintCategory
    summary: str
    received_at: datetime | None = strawberry.field(
        default=None, description="When the complaint came in (with a timezone); default now."
    )
    complaint_no: str | None = strawberry.field(
        default=None, description="The source system's number; generated when absent."
    )
    policy_nos: list[str] = strawberry.field(default_factory=list)
    claim_nos: list[str] = strawberry.field(default_factory=list)
    repair_shop_refs: list[str] = strawberry.field(default_factory=list)
    agent_refs: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class ComplaintFilterInput:
    status: list[t.ComplaintStatus] | None = None
    channel: list[t.ComplaintChannel] | None = None
    category: list[t.ComplaintCategory] | None = None
    overdue: bool | None = None
    due_within_days: int | None = None
    party: strawberry.ID | None = strawberry.field(
        default=None, description='A party id ("customer:C8000100", "shop:S9000001").'
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _actor(info: Info[Context, None]) -> str:
    principal = info.context.principal
    return principal.name if principal else "unknown"


def _repo(info: Info[Context, None]) -> ComplaintRepository:
    settings = info.context.services.settings
    return ComplaintRepository(info.context.graph, settings.complaint_repeat_window_days)


@strawberry.type
class ComplaintQuery:
    @strawberry.field(permission_classes=READERS, description="Complaints, filtered and paged.")
    async def complaints(
        self,
        info: Info[Context, None],
        filter: ComplaintFilterInput | None = None,
        first: int = 20,
        after: str | None = None,
        order_by: ComplaintOrder = ComplaintOrder.RECEIVED_DESC,
    ) -> Connection[t.Complaint]:
        f = filter or ComplaintFilterInput()
        now = _now()
        page = await _repo(info).page(
            ComplaintFilter(
                statuses=f.status,
                channels=f.channel,
                categories=f.category,
                overdue=f.overdue,
                due_within_days=f.due_within_days,
                party_id=str(f.party) if f.party else None,
            ),
            first=first,
            after=after,
            now=now,
            order=order_by.value,
        )
        return connection(page, lambda c: t.complaint(c, now))

    @strawberry.field(permission_classes=READERS, description="One complaint by id or number.")
    async def complaint(self, info: Info[Context, None], id: strawberry.ID) -> t.Complaint:
        return t.complaint(await _repo(info).get(str(id)), _now())


@strawberry.type
class ComplaintMutation:
    @strawberry.mutation(
        permission_classes=INTAKE,
        description="Record a complaint: deadline, links, repeat check, joint review, guide.",
    )
    async def file_complaint(
        self, info: Info[Context, None], input: FileComplaintInput
    ) -> t.FileComplaintResult:
        parties = [party_id(PartyKind.REPAIR_SHOP, r) for r in input.repair_shop_refs] + [
            party_id(PartyKind.AGENT, r) for r in input.agent_refs
        ]
        now = _now()
        received_at = require_aware(input.received_at or now, "receivedAt")
        if received_at > now + timedelta(minutes=5):
            raise InvalidInput("receivedAt lies in the future")
        try:
            filing = await _repo(info).file(
                NewComplaint(
                    customer_no=input.customer_no.strip(),
                    channel=input.channel,
                    category=input.category,
                    summary=input.summary,
                    received_at=received_at,
                    complaint_no=input.complaint_no.strip() if input.complaint_no else None,
                    policy_nos=input.policy_nos,
                    claim_nos=input.claim_nos,
                    party_ids=parties,
                ),
                _actor(info),
            )
        except UnknownCustomer as error:
            return t.UnknownCustomer(customer_no=error.customer_no, message=error.message)
        except UnknownSubjects as error:
            return t.UnknownSubjects(missing=error.missing, message=error.message)
        return t.FiledComplaint(
            complaint=t.complaint(filing.complaint, _now()),
            guide=t.handling_guide(filing.guide) if filing.guide else None,
            joint_review=t.joint_review(filing.joint_review) if filing.joint_review else None,
        )

    @strawberry.mutation(
        permission_classes=DESK,
        description="Extend the deadline: to 30 days, then 60 with an approver; never beyond.",
    )
    async def extend_complaint(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        reason: str,
        approver: str | None = None,
    ) -> t.ExtendComplaintResult:
        try:
            c = await _repo(info).extend(
                str(id), reason=reason, approver=approver, actor=_actor(info), now=_now()
            )
        except DeadlineRuleViolated as error:
            return t.DeadlineRuleViolated(rule=error.rule, message=error.message)
        return t.complaint(c, _now())

    @strawberry.mutation(
        permission_classes=DESK,
        description="Move a complaint up the channel ladder (to the next rung by default).",
    )
    async def escalate_complaint(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        to_channel: t.ComplaintChannel | None = None,
        reason: str | None = None,
    ) -> t.EscalateComplaintResult:
        try:
            c = await _repo(info).escalate(
                str(id),
                to_channel=ComplaintChannel(to_channel) if to_channel else None,
                reason=reason,
                actor=_actor(info),
                now=_now(),
            )
        except EscalationRefused as error:
            return t.EscalationRefused(message=error.message)
        return t.complaint(c, _now())

    @strawberry.mutation(permission_classes=DESK, description="Open a joint review (会商).")
    async def open_joint_review(
        self,
        info: Info[Context, None],
        complaint_id: strawberry.ID,
        participants: list[str],
        reason: str = "MANUAL",
    ) -> t.JointReview:
        review = await info.context.repo(JointReviewRepository).open(
            str(complaint_id),
            participants=participants,
            reason=reason,
            actor=_actor(info),
            now=_now(),
        )
        return t.joint_review(review)

    @strawberry.mutation(
        permission_classes=DESK, description="Record a joint review's outcome and close it."
    )
    async def record_joint_review_outcome(
        self,
        info: Info[Context, None],
        review_id: strawberry.ID,
        outcome: str,
        participants: list[str] | None = None,
    ) -> t.Complaint:
        c = await info.context.repo(JointReviewRepository).record_outcome(
            str(review_id),
            outcome=outcome,
            participants=participants or [],
            actor=_actor(info),
            now=_now(),
        )
        return t.complaint(c, _now())

    @strawberry.mutation(permission_classes=DESK, description="Record the answer to a complaint.")
    async def resolve_complaint(
        self, info: Info[Context, None], id: strawberry.ID, resolution: str
    ) -> t.Complaint:
        if len(resolution) > 10_000:
            raise InvalidInput("a resolution is at most 10,000 characters")
        c = await _repo(info).resolve(
            str(id), resolution=resolution, actor=_actor(info), now=_now()
        )
        return t.complaint(c, _now())
