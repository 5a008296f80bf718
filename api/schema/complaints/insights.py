"""What the complaint desk learns from: complaint risk, hot topics and handling guides (the
guides also for frontline and claims staff, matched to what a customer said)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.complaints import types as t
from api.schema.complaints.lifecycle import READER_ROLES
from api.schema.language import Language
from graph.complaints import insights
from graph.complaints.handling_guides import HandlingGuideRepository
from models.complaint_risk import RiskSignalCode
from models.errors import InvalidInput
from models.reason_texts import guide_reason_text
from models.records import ComplaintCategory
from models.roles import Role

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(RiskSignalCode, name="ComplaintRiskSignalCode")

MAX_TEXT = 5_000
GUIDE_READERS = allow(Role.COMPLAINTS, Role.FRONTLINE, Role.CLAIMS)


@strawberry.type(description="A handling guide that fits what a customer said, and why.")
class GuideSuggestion:
    guide: t.HandlingGuide
    score: int = strawberry.field(description="Keywords found; 0 for a category's fallback.")
    matched_keywords: list[str]
    matched_terms: list[str] = strawberry.field(description="The text's topic terms.")
    fallback: bool = strawberry.field(
        description="No keyword matched: the category's general guide."
    )

    @strawberry.field(description="Why it fits, in plain words (Chinese unless asked for EN).")
    def why(self, language: Language = Language.ZH) -> str:
        category = ComplaintCategory(self.guide.category)
        return guide_reason_text(self.matched_keywords, category.value, Language(language))


@strawberry.type
class ComplaintRiskSignal:
    code: RiskSignalCode
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
    category: t.ComplaintCategory
    count: int
    previous_count: int
    trend: str = strawberry.field(description="UP, DOWN or FLAT")
    terms: list[HotTerm]


def _min_complaints_per_term(info: Info[Context, None]) -> int:
    """Roles that may read the complaints themselves see every term; the others see a term
    only when enough complaints share it to say nothing about any one of them."""
    principal = info.context.principal
    if principal is not None and principal.role in (Role.ADMIN, *READER_ROLES):
        return 1
    return info.context.services.settings.complaint_topic_min_complaints


@strawberry.type
class ComplaintInsightsQuery:
    @strawberry.field(
        permission_classes=allow(Role.RISK, Role.COMPLAINTS, Role.CLAIMS),
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
        permission_classes=allow(Role.COMPLAINTS, Role.RISK, Role.PR, Role.MANAGEMENT),
        description="Complaints per category and their most frequent terms in [from, to), "
        "with the trend against the previous period of the same length. Terms are never "
        "numbers or identifiers; roles that may not read complaints (PR, management) see a "
        "term only when enough complaints share it (RISKWATCH_COMPLAINT_TOPIC_MIN_COMPLAINTS).",
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
            info.context.graph,
            start=from_,
            end=to,
            top_terms=top_terms,
            min_complaints=_min_complaints_per_term(info),
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

    @strawberry.field(permission_classes=GUIDE_READERS, description="Handling guides (scripts).")
    async def handling_guides(
        self,
        info: Info[Context, None],
        category: t.ComplaintCategory | None = None,
    ) -> list[t.HandlingGuide]:
        guides = await info.context.repo(HandlingGuideRepository).list(
            ComplaintCategory(category) if category else None
        )
        return [t.handling_guide(g) for g in guides]

    @strawberry.field(
        permission_classes=GUIDE_READERS,
        description="The handling guides that fit what a customer said, best first, with the "
        "keywords that matched (前置化解: before a grievance becomes a complaint).",
    )
    async def suggest_handling_guides(
        self,
        info: Info[Context, None],
        text: str,
        category: t.ComplaintCategory | None = None,
        first: int = 5,
    ) -> list[GuideSuggestion]:
        if not 1 <= first <= 20:
            raise InvalidInput("first must be between 1 and 20")
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"text is at most {MAX_TEXT:,} characters")
        suggested = await info.context.repo(HandlingGuideRepository).suggest(
            text, ComplaintCategory(category) if category else None
        )
        return [
            GuideSuggestion(
                guide=t.handling_guide(s.guide),
                score=s.score,
                matched_keywords=list(s.keywords),
                matched_terms=list(s.terms),
                fallback=s.fallback,
            )
            for s in suggested[:first]
        ]


@strawberry.type
class ComplaintInsightsMutation:
    @strawberry.mutation(
        permission_classes=allow(Role.ADMIN), description="Create or replace a handling guide."
    )
    async def upsert_handling_guide(
        self,
        info: Info[Context, None],
        key: str,
        title: str,
        category: t.ComplaintCategory,
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
