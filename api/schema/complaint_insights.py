"""What the complaint desk learns from: frontline feedback, complaint risk, hot topics and
handling guides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema import complaint_types as t
from api.schema.pagination import Connection, connection
from graph import complaint_insights as insights
from graph.handling_guides import HandlingGuideRepository
from models.errors import InvalidInput
from models.records import ComplaintCategory
from models.roles import Role

FeedbackKindType = strawberry.enum(insights.FeedbackKind, name="FrontlineFeedbackKind")
RiskSignalCodeType = strawberry.enum(insights.RiskSignalCode, name="ComplaintRiskSignalCode")

MAX_TEXT = 10_000


@strawberry.type(description="A note from frontline staff: the seed of early warning.")
class FrontlineFeedback:
    id: strawberry.ID
    kind: FeedbackKindType  # type: ignore[valid-type]
    text: str
    at: datetime
    submitted_by: str
    about: list[t.ComplaintSubject]


@strawberry.type
class ComplaintRiskSignal:
    code: RiskSignalCodeType  # type: ignore[valid-type]
    detail: str
    weight: int


@strawberry.type(description="A customer (and claim) likely to complain, and why.")
class ComplaintRisk:
    customer: t.ComplaintSubject
    claim_id: strawberry.ID | None
    score: int = strawberry.field(description="Sum of the signals' weights; ranked by it.")
    signals: list[ComplaintRiskSignal]


@strawberry.type
class HotTerm:
    term: str
    count: int
    previous_count: int
    change: int


@strawberry.type(description="One category's complaints in the period, against the one before.")
class HotTopicCategory:
    category: t.ComplaintCategoryType  # type: ignore[valid-type]
    count: int
    previous_count: int
    trend: str = strawberry.field(description="UP, DOWN or FLAT")
    terms: list[HotTerm]


def _feedback(f: insights.FrontlineFeedback) -> FrontlineFeedback:
    return FrontlineFeedback(
        id=strawberry.ID(f.id),
        kind=f.kind,
        text=f.text,
        at=f.at,
        submitted_by=f.submitted_by,
        about=[t.subject(a) for a in f.about],
    )


@strawberry.type
class ComplaintInsightsQuery:
    @strawberry.field(permission_classes=allow(Role.RISK), description="Frontline feedback.")
    async def frontline_feedback(
        self, info: Info[Context, None], first: int = 20, after: str | None = None
    ) -> Connection[FrontlineFeedback]:
        repo = info.context.repo(insights.FrontlineFeedbackRepository)
        return connection(await repo.list(first=first, after=after), _feedback)

    @strawberry.field(
        permission_classes=allow(Role.RISK, Role.COMPLAINTS),
        description="Customers and claims most likely to escalate into complaints.",
    )
    async def complaint_risk(
        self, info: Info[Context, None], first: int = 20
    ) -> list[ComplaintRisk]:
        settings = info.context.services.settings
        found = await insights.complaint_risk(
            info.context.graph,
            first=first,
            now=datetime.now(UTC),
            thresholds=insights.RiskThresholds(
                pending_days=settings.complaint_risk_pending_days,
                hotline_contacts=settings.complaint_risk_hotline_contacts,
                lookback_days=settings.complaint_risk_lookback_days,
            ),
        )
        return [
            ComplaintRisk(
                customer=t.subject(r.customer),
                claim_id=strawberry.ID(r.claim_id) if r.claim_id else None,
                score=r.score,
                signals=[
                    ComplaintRiskSignal(code=s.code, detail=s.detail, weight=s.weight)
                    for s in r.signals
                ],
            )
            for r in found
        ]

    @strawberry.field(
        permission_classes=allow(Role.COMPLAINTS, Role.RISK, Role.PR),
        description="Complaints per category and their most frequent terms in [from, to), "
        "with the trend against the previous period of the same length.",
    )
    async def complaint_hot_topics(
        self,
        info: Info[Context, None],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        top_terms: int = 10,
    ) -> list[HotTopicCategory]:
        if not 1 <= top_terms <= 50:
            raise InvalidInput("topTerms must be between 1 and 50")
        topics = await insights.complaint_hot_topics(
            info.context.graph, start=from_, end=to, top_terms=top_terms
        )
        return [
            HotTopicCategory(
                category=ComplaintCategory(c.category),
                count=c.count,
                previous_count=c.previous,
                trend=c.trend,
                terms=[
                    HotTerm(term=x.term, count=x.count, previous_count=x.previous, change=x.change)
                    for x in c.terms
                ],
            )
            for c in topics
        ]

    @strawberry.field(
        permission_classes=allow(Role.COMPLAINTS), description="Handling guides (scripts)."
    )
    async def handling_guides(
        self,
        info: Info[Context, None],
        category: t.ComplaintCategoryType | None = None,  # type: ignore[valid-type]
    ) -> list[t.HandlingGuide]:
        guides = await info.context.repo(HandlingGuideRepository).list(
            ComplaintCategory(category) if category else None
        )
        return [t.handling_guide(g) for g in guides]


@strawberry.type
class ComplaintInsightsMutation:
    @strawberry.mutation(
        permission_classes=allow(Role.COMPLAINTS, Role.RISK),
        description="Record a frontline observation, suggestion or grievance.",
    )
    async def submit_frontline_feedback(
        self,
        info: Info[Context, None],
        kind: FeedbackKindType,  # type: ignore[valid-type]
        text: str,
        customer_nos: list[str] | None = None,
        policy_nos: list[str] | None = None,
        claim_nos: list[str] | None = None,
    ) -> FrontlineFeedback:
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"feedback is at most {MAX_TEXT:,} characters")
        principal = info.context.principal
        feedback = await info.context.repo(insights.FrontlineFeedbackRepository).submit(
            kind=insights.FeedbackKind(kind),
            text=text,
            customer_nos=customer_nos or [],
            policy_nos=policy_nos or [],
            claim_nos=claim_nos or [],
            actor=principal.name if principal else "unknown",
            role=principal.role.value if principal else "unknown",
            now=datetime.now(UTC),
        )
        return _feedback(feedback)

    @strawberry.mutation(
        permission_classes=allow(Role.ADMIN), description="Create or replace a handling guide."
    )
    async def upsert_handling_guide(
        self,
        info: Info[Context, None],
        key: str,
        title: str,
        category: t.ComplaintCategoryType,  # type: ignore[valid-type]
        script: str,
        keywords: list[str] | None = None,
    ) -> t.HandlingGuide:
        principal = info.context.principal
        guide = await info.context.repo(HandlingGuideRepository).upsert(
            key=key,
            title=title,
            category=ComplaintCategory(category),
            keywords=keywords or [],
            script=script,
            actor=principal.name if principal else "unknown",
        )
        return t.handling_guide(guide)

    @strawberry.mutation(permission_classes=allow(Role.ADMIN), description="Delete a guide.")
    async def delete_handling_guide(self, info: Info[Context, None], key: str) -> bool:
        return await info.context.repo(HandlingGuideRepository).delete(key)
