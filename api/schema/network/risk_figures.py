"""Explainable risk rankings and complaint statistics for the risk team's dashboards."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from graph.labels import Label
from graph.network.risk_figures import WEIGHTS, RankedParty, RiskFigures
from models.errors import InvalidInput
from models.roles import Role


@strawberry.enum(description="Kinds of party a risk ranking covers.")
class RankedKind(Enum):
    REPAIR_SHOP = Label.REPAIR_SHOP.value
    AGENT = Label.AGENT.value
    BROKER = Label.BROKER.value
    DEALER = Label.DEALER.value
    ADJUSTER = Label.ADJUSTER.value


@strawberry.enum(description="How complaint statistics are grouped.")
class ComplaintGrouping(Enum):
    CHANNEL = "CHANNEL"
    CATEGORY = "CATEGORY"
    SHOP = "SHOP"
    AGENT = "AGENT"
    MONTH = "MONTH"


@strawberry.type(description="A shop, agent, broker, dealer or adjuster and why it ranks.")
class RiskRankingEntry:
    party_id: strawberry.ID
    ref: str
    name: str
    volume: int = strawberry.field(
        description="Claims repaired or assessed (shops, adjusters), or policies sold."
    )
    complaints: int = strawberry.field(description="About it, its policies or its claims.")
    repeat_complaints: int = strawberry.field(description="From people who complained again.")
    flagged_claims: int = strawberry.field(description="Fraud-flagged claims in its volume.")
    ring_linked: int = strawberry.field(description="Claims or policies of ring members.")
    complaint_rate: float = strawberry.field(description="complaints / volume")
    repeat_complaint_share: float = strawberry.field(description="repeatComplaints / complaints")
    flagged_claim_share: float = strawberry.field(description="flaggedClaims / volume")
    ring_share: float = strawberry.field(description="ringLinked / volume")
    score: float = strawberry.field(description="Weighted sum of the shares, out of 100.")
    explanation: str

    @classmethod
    def from_ranked(cls, p: RankedParty) -> RiskRankingEntry:
        explanation = " + ".join(
            f"{WEIGHTS[name]:g}×{name.replace('_', ' ')} {value:.2f}"
            for name, value in p.shares.items()
        )
        return cls(
            party_id=strawberry.ID(p.id),
            ref=p.ref,
            name=p.name,
            volume=p.volume,
            complaints=p.complaints,
            repeat_complaints=p.repeat_complaints,
            flagged_claims=p.flagged_claims,
            ring_linked=p.ring_linked,
            complaint_rate=p.complaint_rate,
            repeat_complaint_share=p.repeat_complaint_share,
            flagged_claim_share=p.flagged_claim_share,
            ring_share=p.ring_share,
            score=p.score,
            explanation=f"{explanation} = {p.score:g}",
        )


@strawberry.type(description="A count of complaints in one group.")
class ComplaintStatBucket:
    key: str
    label: str
    count: int


@strawberry.type
class RiskFiguresQuery:
    @strawberry.field(
        permission_classes=allow(Role.RISK, Role.MANAGEMENT),
        description="Shops, agents, brokers, dealers or adjusters by explainable risk score.",
    )
    async def risk_ranking(
        self,
        info: Info[Context, None],
        kind: RankedKind,
        first: int = 20,
        min_volume: int = 5,
    ) -> list[RiskRankingEntry]:
        if not 1 <= first <= 100:
            raise InvalidInput("first must be between 1 and 100")
        if min_volume < 1:
            raise InvalidInput("minVolume must be at least 1")
        ranked = await info.context.repo(RiskFigures).ranking(Label(kind.value), first, min_volume)
        return [RiskRankingEntry.from_ranked(p) for p in ranked]

    @strawberry.field(
        permission_classes=allow(Role.RISK, Role.MANAGEMENT),
        description="Complaint counts by channel, category, shop, agent or month.",
    )
    async def complaint_stats(
        self,
        info: Info[Context, None],
        group_by: ComplaintGrouping,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int = 50,
    ) -> list[ComplaintStatBucket]:
        if not 1 <= first <= 500:
            raise InvalidInput("first must be between 1 and 500")
        for value in (from_, to):
            if value is not None and value.tzinfo is None:
                raise InvalidInput("from and to need a time zone (e.g. 2026-01-01T00:00:00Z)")
        buckets = await info.context.repo(RiskFigures).complaint_stats(
            group_by.value, from_, to, first
        )
        return [ComplaintStatBucket(key=b.key, label=b.label, count=b.count) for b in buckets]
