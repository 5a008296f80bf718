"""The complaint desk's work on a filed complaint: the queue, assignment, contact log and
callbacks, attachments, amounts, root cause, the regulator's referral, close, reopen, merge.

Every mutation answers the complaint as it now stands, or ``ComplaintRecordRefused`` (a rule
code and a message) when the rules refuse the change, in which case nothing was written.
All of them are the desk's (``complaints``); the queue is too.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.complaints import record_types as r
from api.schema.complaints import types as t
from api.schema.pagination import Connection, connection
from graph.complaints.actions import ComplaintRecordRepository
from graph.complaints.lifecycle import ComplaintFilter, ComplaintRepository
from graph.complaints.records import Complaint
from models.complaint_record import (
    CURRENCY,
    ClosureReason,
    ComplaintRecordRefused,
    ContactKind,
    RootCause,
    Satisfaction,
    attachment_ref,
)
from models.complaints import OPEN_STATUSES
from models.roles import Role

DESK = allow(Role.COMPLAINTS)


@strawberry.type(description="The rules refuse this change to the complaint; nothing changed.")
class ComplaintRecordRefusedError:
    rule: str = strawberry.field(
        description="SELF_MERGE, ALREADY_MERGED, TARGET_FINISHED, NOT_FINISHED, URI_NOT_HTTP, "
        "NEGATIVE_AMOUNT, CURRENCY, DUPLICATE_ATTACHMENT, NOT_A_REGULATOR_CASE..."
    )
    message: str


ComplaintRecordResult = Annotated[
    t.Complaint | ComplaintRecordRefusedError,
    strawberry.union("ComplaintRecordResult"),
]


@strawberry.input(description="An amount of money; only renminbi (CNY) is accepted.")
class MoneyInput:
    amount: Decimal
    currency: str = CURRENCY


@strawberry.input(description="A document kept outside the graph (a document store).")
class AttachmentInput:
    sha256: str = strawberry.field(description="SHA-256 of the file, 64 hex characters.")
    size: int = strawberry.field(description="Length in bytes.")
    media_type: str = strawberry.field(description="e.g. application/pdf, image/jpeg.")
    uri: str = strawberry.field(description="Where to fetch it: an http(s) URL.")
    name: str | None = None


@strawberry.input
class ContactInput:
    kind: r.ContactKind
    note: str
    satisfaction: r.Satisfaction | None = strawberry.field(
        default=None, description="Required on a CALLBACK (回访), refused on other contacts."
    )
    at: datetime | None = strawberry.field(default=None, description="Default: now.")


def _now() -> datetime:
    return datetime.now(UTC)


def _repo(info: Info[Context, None]) -> ComplaintRecordRepository:
    return info.context.repo(ComplaintRecordRepository)


async def _answer(change: Awaitable[Complaint]) -> ComplaintRecordResult:
    try:
        complaint = await change
    except ComplaintRecordRefused as error:
        return ComplaintRecordRefusedError(rule=error.rule, message=error.message)
    return t.complaint(complaint, _now())


def _money(given: MoneyInput | None) -> tuple[Decimal, str] | None:
    return (given.amount, given.currency) if given is not None else None


@strawberry.type
class ComplaintRecordQuery:
    @strawberry.field(
        permission_classes=DESK,
        description="The work queue: open complaints, earliest deadline first; "
        "assigned: false for those nobody has picked up.",
    )
    async def complaint_queue(
        self,
        info: Info[Context, None],
        assigned: bool | None = None,
        team: str | None = None,
        handler: str | None = None,
        branch: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[t.Complaint]:
        now = _now()
        page = await info.context.repo(ComplaintRepository).page(
            ComplaintFilter(
                statuses=sorted(OPEN_STATUSES),
                assigned=assigned,
                team=team,
                handler=handler,
                branch=branch,
            ),
            first=first,
            after=after,
            now=now,
            order="DUE_ASC",
        )
        return connection(page, lambda c: t.complaint(c, now))


@strawberry.type
class ComplaintRecordMutation:
    @strawberry.mutation(
        permission_classes=DESK,
        description="Give a complaint to a handler and/or a team; both empty: back to the queue.",
    )
    async def assign_complaint(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        handler: str | None = None,
        team: str | None = None,
    ) -> ComplaintRecordResult:
        return await _answer(
            _repo(info).assign(
                str(id), handler=handler, team=team, actor=info.context.actor, now=_now()
            )
        )

    @strawberry.mutation(
        permission_classes=DESK,
        description="Log a contact with the complainant; a CALLBACK (回访) records satisfaction.",
    )
    async def log_complaint_contact(
        self, info: Info[Context, None], id: strawberry.ID, input: ContactInput
    ) -> ComplaintRecordResult:
        return await _answer(
            _repo(info).log_contact(
                str(id),
                kind=ContactKind(input.kind),
                note=input.note,
                satisfaction=Satisfaction(input.satisfaction) if input.satisfaction else None,
                at=input.at,
                actor=info.context.actor,
                now=_now(),
            )
        )

    @strawberry.mutation(
        permission_classes=DESK,
        description="Reference a document (hash, size, media type, http(s) URI); the file "
        "itself stays in the document store.",
    )
    async def add_complaint_attachment(
        self, info: Info[Context, None], id: strawberry.ID, input: AttachmentInput
    ) -> ComplaintRecordResult:
        try:
            ref = attachment_ref(input.sha256, input.size, input.media_type, input.uri, input.name)
        except ComplaintRecordRefused as error:
            return ComplaintRecordRefusedError(rule=error.rule, message=error.message)
        return await _answer(_repo(info).attach(str(id), ref, actor=info.context.actor, now=_now()))

    @strawberry.mutation(
        permission_classes=DESK,
        description="Record the compensation and/or the amount in dispute (CNY, exact).",
    )
    async def record_complaint_amounts(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        compensation: MoneyInput | None = None,
        amount_in_dispute: MoneyInput | None = None,
    ) -> ComplaintRecordResult:
        return await _answer(
            _repo(info).record_amounts(
                str(id),
                compensation=_money(compensation),
                in_dispute=_money(amount_in_dispute),
                actor=info.context.actor,
                now=_now(),
            )
        )

    @strawberry.mutation(
        permission_classes=DESK,
        description="Record why the complaint arose: a root cause of the list, and free text.",
    )
    async def record_complaint_root_cause(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        root_cause: r.RootCause,
        text: str | None = None,
    ) -> ComplaintRecordResult:
        return await _answer(
            _repo(info).record_root_cause(
                str(id),
                root_cause=RootCause(root_cause),
                text=text,
                actor=info.context.actor,
                now=_now(),
            )
        )

    @strawberry.mutation(
        permission_classes=DESK,
        description="Record the regulator's referral number and reply deadline (REGULATOR cases).",
    )
    async def record_regulator_referral(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        referral_no: str,
        reply_due_at: datetime,
    ) -> ComplaintRecordResult:
        return await _answer(
            _repo(info).record_regulator_referral(
                str(id),
                referral_no=referral_no,
                reply_due_at=reply_due_at,
                actor=info.context.actor,
                now=_now(),
            )
        )

    @strawberry.mutation(
        permission_classes=DESK,
        description="Close (办结): ANSWERED after the resolution, or WITHDRAWN, UNREACHABLE, "
        "NOT_A_COMPLAINT for one that ends unanswered.",
    )
    async def close_complaint(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        reason: r.ClosureReason = ClosureReason.ANSWERED,
        note: str | None = None,
    ) -> ComplaintRecordResult:
        return await _answer(
            _repo(info).close(
                str(id),
                reason=ClosureReason(reason),
                note=note,
                actor=info.context.actor,
                now=_now(),
            )
        )

    @strawberry.mutation(
        permission_classes=DESK,
        description="Reopen an answered or closed complaint: a new 15-day answer period.",
    )
    async def reopen_complaint(
        self, info: Info[Context, None], id: strawberry.ID, reason: str
    ) -> ComplaintRecordResult:
        return await _answer(
            _repo(info).reopen(str(id), reason=reason, actor=info.context.actor, now=_now())
        )

    @strawberry.mutation(
        permission_classes=DESK,
        description="Merge a duplicate into another open complaint: both histories are kept, "
        "the merged complaint keeps the earliest clock. Answers the complaint merged into.",
    )
    async def merge_complaint(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        into: strawberry.ID,
        reason: str | None = None,
    ) -> ComplaintRecordResult:
        return await _answer(
            _repo(info).merge(
                str(id), into=str(into), reason=reason, actor=info.context.actor, now=_now()
            )
        )
