"""The complaint lifecycle: file, extend, escalate, joint reviews, resolve, list, look up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.complaints import record_types as r
from api.schema.complaints import types as t
from api.schema.pagination import Connection, connection
from api.settings import Settings
from graph.complaints.filing import ComplainantAlreadyKnown, NewParty
from graph.complaints.joint_reviews import JointReviewRepository
from graph.complaints.lifecycle import ComplaintFilter, ComplaintRepository, NewComplaint
from models.complaint_record import regulator_reference
from models.complaints import (
    DeadlineRuleViolated,
    EscalationRefused,
    UnknownBranch,
    UnknownCustomer,
    UnknownSubjects,
    require_aware,
)
from models.errors import InvalidInput
from models.identity import IdentifierKind, InvalidIdentifier, make_identifier
from models.nfra_categories import NfraCategory, categories_for_filing
from models.records import ComplaintCategory, ComplaintChannel, PartyKind, party_id
from models.roles import Role

DESK = allow(Role.COMPLAINTS)
# Frontline and claims staff record the complaints that reach them (and see what they filed).
INTAKE = allow(Role.COMPLAINTS, Role.FRONTLINE, Role.CLAIMS)
READER_ROLES = (Role.COMPLAINTS, Role.RISK)  # who may read complaints, wording included
READERS = allow(*READER_ROLES)


@strawberry.enum
class ComplaintOrder(Enum):
    RECEIVED_DESC = "RECEIVED_DESC"
    DUE_ASC = "DUE_ASC"


@strawberry.input(description="Someone the book does not know yet (a third-party claimant...).")
class NewComplainantInput:
    name: str
    phone: str | None = None
    id_number: str | None = None
    plate: str | None = None
    description: str | None = strawberry.field(
        default=None, description='Who they are, e.g. "third-party claimant of claim L1".'
    )


@strawberry.input
class FileComplaintInput:
    channel: t.ComplaintChannel
    summary: str
    customer_no: str | None = strawberry.field(
        default=None, description="The complainant, a customer (or: complainant, newComplainant)."
    )
    complainant: strawberry.ID | None = strawberry.field(
        default=None,
        description='A complainant of any kind by party id ("broker:B0000001", "shop:S1").',
    )
    new_complainant: NewComplainantInput | None = strawberry.field(
        default=None, description="Recorded as a new party, identifiers hashed."
    )
    category: t.ComplaintCategory | None = strawberry.field(
        default=None, description="Optional when nfraCategory is given (it implies it)."
    )
    nfra_category: r.NfraCategory | None = None
    branch: str | None = strawberry.field(
        default=None, description="Branch (机构) code; default: the complainant's branch."
    )
    regulator_referral_no: str | None = strawberry.field(
        default=None, description="REGULATOR cases: the regulator's referral number (转办编号)."
    )
    regulator_reply_due_at: datetime | None = None
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
    assigned: bool | None = strawberry.field(
        default=None, description="true: a handler has it; false: nobody has picked it up."
    )
    handler: str | None = None
    team: str | None = None
    branch: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _actor(info: Info[Context, None]) -> str:
    principal = info.context.principal
    return principal.name if principal else "unknown"


def _new_party(given: NewComplainantInput | None, settings: Settings) -> NewParty | None:
    """The new complainant with its identifiers normalised, hashed and masked (never raw)."""
    if given is None:
        return None
    identifiers = []
    for field, kind, raw in (
        ("phone", IdentifierKind.PHONE, given.phone),
        ("idNumber", IdentifierKind.ID_CARD, given.id_number),
        ("plate", IdentifierKind.PLATE, given.plate),
    ):
        if raw and raw.strip():
            try:
                identifiers.append(make_identifier(settings.identity_key, kind, raw))
            except InvalidIdentifier as error:
                raise InvalidIdentifier(f"{field}: {error.message}") from error
    return NewParty(name=given.name, identifiers=identifiers, description=given.description)


def _referral(input: FileComplaintInput) -> dict[str, Any]:
    """The regulator's referral given at filing (a REGULATOR case's number and deadline)."""
    if input.regulator_referral_no is None and input.regulator_reply_due_at is None:
        return {}
    if ComplaintChannel(input.channel) is not ComplaintChannel.REGULATOR:
        raise InvalidInput("a regulator referral is recorded on a complaint filed on REGULATOR")
    due = input.regulator_reply_due_at
    return {
        "regulator_ref": regulator_reference(input.regulator_referral_no)
        if input.regulator_referral_no
        else None,
        "regulator_reply_due_at": require_aware(due, "regulatorReplyDueAt") if due else None,
    }


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
                assigned=f.assigned,
                handler=f.handler,
                team=f.team,
                branch=f.branch,
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
        parties = [party_id(PartyKind.REPAIR_SHOP, ref) for ref in input.repair_shop_refs] + [
            party_id(PartyKind.AGENT, ref) for ref in input.agent_refs
        ]
        now = _now()
        received_at = require_aware(input.received_at or now, "receivedAt")
        if received_at > now + timedelta(minutes=5):
            raise InvalidInput("receivedAt lies in the future")
        category, fine = categories_for_filing(
            ComplaintCategory(input.category) if input.category else None,
            NfraCategory(input.nfra_category) if input.nfra_category else None,
        )
        try:
            new_party = _new_party(input.new_complainant, info.context.services.settings)
        except InvalidIdentifier as error:
            field, _, _ = error.message.partition(":")
            return t.InvalidComplainant(field=field, message=error.message)
        try:
            filing = await _repo(info).file(
                NewComplaint(
                    customer_no=input.customer_no.strip() if input.customer_no else None,
                    complainant_id=str(input.complainant).strip() if input.complainant else None,
                    new_party=new_party,
                    channel=input.channel,
                    category=category,
                    nfra_category=fine,
                    summary=input.summary,
                    received_at=received_at,
                    complaint_no=input.complaint_no.strip() if input.complaint_no else None,
                    policy_nos=input.policy_nos,
                    claim_nos=input.claim_nos,
                    party_ids=parties,
                    branch=input.branch.strip() if input.branch else None,
                    **_referral(input),
                ),
                _actor(info),
                now,
            )
        except UnknownCustomer as error:
            return t.UnknownCustomer(customer_no=error.customer_no, message=error.message)
        except UnknownSubjects as error:
            return t.UnknownSubjects(missing=error.missing, message=error.message)
        except UnknownBranch as error:
            return t.UnknownBranch(branch=error.code, message=error.message)
        except ComplainantAlreadyKnown as error:
            return t.ComplainantAlreadyKnown(
                matches=[t.subject(m) for m in error.matches], message=error.message
            )
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
        c = await _repo(info).resolve(
            str(id), resolution=resolution, actor=_actor(info), now=_now()
        )
        return t.complaint(c, _now())
