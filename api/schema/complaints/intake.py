"""Intake at the desk: who is calling (looked up by phone, ID number or name, answered with
masked identifiers only), and the branches (机构) complaints and parties belong to.

Roles: the desk, frontline and claims staff look callers up (the counters see counts, not the
caller's complaint numbers); branches are listed to everyone who files, reads or reports complaints,
and defined by admins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.complaints import record_types as r
from api.schema.complaints import types as t
from graph.complaints.intake import BranchRepository, CallerLookup, CallerMatch
from models.errors import InvalidInput
from models.identity import IdentifierKind, InvalidIdentifier, make_identifier
from models.roles import Role

# The desk and the staff who take calls at a counter (frontline, claims).
LOOKUP = allow(Role.COMPLAINTS, Role.FRONTLINE, Role.CLAIMS)
BRANCH_READERS = allow(Role.COMPLAINTS, Role.FRONTLINE, Role.MANAGEMENT, Role.RISK, Role.CLAIMS)
MAX_CALLERS = 20


@strawberry.type(description="A caller's complaint: number and where it stands.")
class CallerComplaint:
    id: strawberry.ID
    complaint_no: str
    status: t.ComplaintStatus
    channel: t.ComplaintChannel
    received_at: datetime
    due_at: datetime


@strawberry.type(description="A party who may be the caller; identifiers masked.")
class CallerMatchView:
    party: t.ComplaintSubject
    branch: str | None
    matched_on: list[str] = strawberry.field(description="PHONE, ID_CARD and/or NAME.")
    open_complaints: int
    complaints: int
    recent_complaints: list[CallerComplaint] = strawberry.field(
        permission_classes=allow(Role.COMPLAINTS), description="The five most recent."
    )


@strawberry.type
class CallerMatches:
    matches: list[CallerMatchView]


@strawberry.type(description="A phone or ID number that cannot be one; nothing was looked up.")
class InvalidCallerIdentity:
    field: str
    message: str


CallerLookupResult = Annotated[
    CallerMatches | InvalidCallerIdentity, strawberry.union("CallerLookupResult")
]


def _view(match: CallerMatch) -> CallerMatchView:
    return CallerMatchView(
        party=t.subject(match.party),
        branch=match.branch,
        matched_on=match.matched_on,
        open_complaints=match.open_complaints,
        complaints=match.complaints,
        recent_complaints=[
            CallerComplaint(
                id=strawberry.ID(c.id),
                complaint_no=c.complaint_no,
                status=t.ComplaintStatus(c.status),
                channel=t.ComplaintChannel(c.channel),
                received_at=c.received_at,
                due_at=c.due_at,
            )
            for c in match.recent
        ],
    )


@strawberry.type
class ComplaintIntakeQuery:
    @strawberry.field(
        permission_classes=LOOKUP,
        description="Who is calling: parties by phone, ID number or name, masked.",
    )
    async def caller_lookup(
        self,
        info: Info[Context, None],
        phone: str | None = None,
        id_number: str | None = None,
        name: str | None = None,
        first: int = 10,
    ) -> CallerLookupResult:
        if not 1 <= first <= MAX_CALLERS:
            raise InvalidInput(f"first must be between 1 and {MAX_CALLERS}")
        if name is not None and len(name) > 100:
            raise InvalidInput("a name is at most 100 characters")
        secret = info.context.services.settings.identity_key
        identifiers = []
        for field, kind, raw in (
            ("phone", IdentifierKind.PHONE, phone),
            ("idNumber", IdentifierKind.ID_CARD, id_number),
        ):
            if raw and raw.strip():
                try:
                    identifiers.append(make_identifier(secret, kind, raw))
                except InvalidIdentifier as error:
                    return InvalidCallerIdentity(field=field, message=error.message)
        if not identifiers and not (name and name.strip()):
            raise InvalidInput("give a phone, an ID number or a name")
        found = await info.context.repo(CallerLookup).find(
            identifiers, name.strip() if name else None, first
        )
        return CallerMatches(matches=[_view(m) for m in found])

    @strawberry.field(permission_classes=BRANCH_READERS, description="Every branch, by code.")
    async def branches(self, info: Info[Context, None]) -> list[r.Branch]:
        found = await info.context.repo(BranchRepository).list()
        return [r.Branch(code=b.code, name=b.name) for b in found]


@strawberry.type
class ComplaintIntakeMutation:
    @strawberry.mutation(
        permission_classes=allow(Role.ADMIN), description="Create or rename a branch (机构)."
    )
    async def define_branch(self, info: Info[Context, None], code: str, name: str) -> r.Branch:
        branch = await info.context.repo(BranchRepository).define(code, name, info.context.actor)
        return r.Branch(code=branch.code, name=branch.name)
