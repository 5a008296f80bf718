"""The claims queue over GraphQL: pending claims by age and handler (claims staff), and the
load per handler by age bucket (claims staff and management)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.pagination import Connection, connection
from graph.complaints import pending_claims as stored
from models.roles import Role


@strawberry.type(description="A pending claim: its age, handler and complaint risk (masked).")
class PendingClaim:
    id: strawberry.ID
    claim_no: str
    reported_at: datetime
    age_days: int = strawberry.field(description="Whole days since it was reported.")
    handler: str | None
    amount: float | None
    policy_no: str | None
    product: str | None
    holder_customer_no: str | None
    holder_masked_name: str | None
    holder_masked_phone: str | None
    repair_shop: str | None
    grievances: int = strawberry.field(description="Frontline grievances about this claim.")
    complaints: int = strawberry.field(description="Complaints about this claim.")
    holder_flagged: bool = strawberry.field(description="The holder needs special attention.")


@strawberry.input
class PendingClaimFilterInput:
    handler: str | None = None
    unassigned: bool | None = strawberry.field(
        default=None, description="true: only claims without a handler; false: only with one."
    )
    min_age_days: int | None = None
    max_age_days: int | None = None


@strawberry.type
class AgeBucket:
    label: str = strawberry.field(description="Days since report: 0-6, 7-29, 30-89, 90+.")
    count: int


@strawberry.type(description="One handler's pending claims (handler null: not assigned).")
class HandlerLoad:
    handler: str | None
    pending: int
    oldest_days: int
    average_days: float
    by_age: list[AgeBucket]


def _claim(c: stored.PendingClaim) -> PendingClaim:
    # The GraphQL type has exactly the stored record's fields, under the same names.
    return PendingClaim(**asdict(c))


@strawberry.type
class PendingClaimsQuery:
    @strawberry.field(
        permission_classes=allow(Role.CLAIMS),
        description="Pending claims, oldest first, by age and handler.",
    )
    async def pending_claims(
        self,
        info: Info[Context, None],
        filter: PendingClaimFilterInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[PendingClaim]:
        f = filter or PendingClaimFilterInput()
        page = await info.context.repo(stored.PendingClaimsRepository).page(
            stored.PendingClaimFilter(
                min_age_days=f.min_age_days,
                max_age_days=f.max_age_days,
                handler=f.handler,
                unassigned=f.unassigned,
            ),
            first=first,
            after=after,
            now=datetime.now(UTC),
        )
        return connection(page, _claim)

    @strawberry.field(
        permission_classes=allow(Role.CLAIMS, Role.MANAGEMENT),
        description="Pending claims per handler by age bucket, most pending first.",
    )
    async def pending_claims_by_handler(self, info: Info[Context, None]) -> list[HandlerLoad]:
        loads = await info.context.repo(stored.PendingClaimsRepository).by_handler(
            datetime.now(UTC)
        )
        return [
            HandlerLoad(
                handler=load.handler,
                pending=load.pending,
                oldest_days=load.oldest_days,
                average_days=load.average_days,
                by_age=[AgeBucket(label=k, count=n) for k, n in load.buckets.items()],
            )
            for load in loads
        ]
