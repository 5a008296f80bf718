"""Frontline feedback over GraphQL: observations, grievances and staff suggestions; the review
a suggestion goes through (management and the complaint desk decide); a grievance converted
into a complaint.

Frontline and claims staff read only the feedback they submitted themselves and convert only
their own grievances; the complaint desk, risk and management read all of it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.complaints import types as t
from api.schema.pagination import Connection, connection
from graph.complaints import feedback as stored
from graph.complaints.lifecycle import ComplaintRepository
from models.complaints import UnknownCustomer, UnknownSubjects
from models.errors import AuthenticationError
from models.feedback import FeedbackKind, GrievanceAlreadyConverted, SuggestionStatus
from models.records import ComplaintCategory, ComplaintChannel
from models.roles import Role

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(FeedbackKind, name="FrontlineFeedbackKind")
strawberry.enum(SuggestionStatus, name="SuggestionStatus")

# Roles that see (and convert) only what they submitted themselves.
OWN_ONLY = frozenset({Role.FRONTLINE, Role.CLAIMS})
SUBMITTERS = (Role.COMPLAINTS, Role.RISK, Role.FRONTLINE, Role.CLAIMS, Role.MANAGEMENT)
READERS = (Role.COMPLAINTS, Role.RISK, Role.MANAGEMENT, Role.FRONTLINE, Role.CLAIMS)
DECIDERS = (Role.COMPLAINTS, Role.MANAGEMENT)
CONVERTERS = (Role.COMPLAINTS, Role.FRONTLINE, Role.CLAIMS)


@strawberry.type(description="One decision in a suggestion's review.")
class SuggestionDecision:
    status: SuggestionStatus
    previous_status: SuggestionStatus
    decided_by: str
    decided_at: datetime
    comment: str
    rating: int | None
    reward: str | None


@strawberry.type(description="A note from frontline staff: the seed of early warning.")
class FrontlineFeedback:
    id: strawberry.ID
    kind: FeedbackKind
    text: str = strawberry.field(description="As typed, personal data masked.")
    at: datetime
    submitted_by: str
    about: list[t.ComplaintSubject]
    category: t.ComplaintCategory | None
    review_status: SuggestionStatus | None = strawberry.field(
        description="A suggestion's review status; null for other kinds."
    )
    reviewed_by: str | None
    reviewed_at: datetime | None
    rating: int | None
    reward: str | None
    decisions: list[SuggestionDecision]
    complaint_no: str | None = strawberry.field(
        description="The complaint a grievance became, once converted."
    )
    converted_at: datetime | None
    converted_by: str | None


@strawberry.type(description="The grievance became a complaint before; nothing changed.")
class GrievanceAlreadyConvertedError:
    feedback_id: strawberry.ID
    complaint_no: str
    message: str


@strawberry.type(description="A grievance converted: the complaint filed and the grievance.")
class ConvertedGrievance:
    filed: t.FiledComplaint
    grievance: FrontlineFeedback


ConvertGrievanceResult = Annotated[
    ConvertedGrievance | GrievanceAlreadyConvertedError | t.UnknownCustomer | t.UnknownSubjects,
    strawberry.union("ConvertGrievanceResult"),
]


def _feedback(f: stored.FrontlineFeedback) -> FrontlineFeedback:
    return FrontlineFeedback(
        id=strawberry.ID(f.id),
        kind=f.kind,
        text=f.text,
        at=f.at,
        submitted_by=f.submitted_by,
        about=[t.subject(a) for a in f.about],
        category=f.category,
        review_status=f.review_status,
        reviewed_by=f.reviewed_by,
        reviewed_at=f.reviewed_at,
        rating=f.rating,
        reward=f.reward,
        decisions=[
            SuggestionDecision(
                status=d.status,
                previous_status=d.before,
                decided_by=d.by,
                decided_at=d.at,
                comment=d.comment,
                rating=d.rating,
                reward=d.reward,
            )
            for d in f.decisions
        ],
        complaint_no=f.complaint_no,
        converted_at=f.converted_at,
        converted_by=f.converted_by,
    )


def _actor(info: Info[Context, None]) -> stored.Actor:
    principal = info.context.principal
    if principal is None:
        raise AuthenticationError("not authenticated")
    return stored.Actor(name=principal.name, key=principal.key_id, role=principal.role.value)


def _repo(info: Info[Context, None]) -> stored.FrontlineFeedbackRepository:
    return info.context.repo(stored.FrontlineFeedbackRepository)


@strawberry.type
class FeedbackQuery:
    @strawberry.field(
        permission_classes=allow(*READERS),
        description="Frontline feedback, newest first; frontline and claims staff see their "
        "own only.",
    )
    async def frontline_feedback(
        self,
        info: Info[Context, None],
        first: int = 20,
        after: str | None = None,
        kind: list[FeedbackKind] | None = None,
        review_status: list[SuggestionStatus] | None = None,
        mine: bool = False,
    ) -> Connection[FrontlineFeedback]:
        actor = _actor(info)
        own = mine or Role(actor.role) in OWN_ONLY
        page = await _repo(info).list(
            first=first,
            after=after,
            kinds=[FeedbackKind(k) for k in kind] if kind else None,
            statuses=[SuggestionStatus(s) for s in review_status] if review_status else None,
            submitted_by_key=actor.key if own else None,
        )
        return connection(page, _feedback)


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        permission_classes=allow(*SUBMITTERS),
        description="Record a frontline observation, grievance or suggestion. Observations "
        "and grievances name a customer, policy or claim; a suggestion may be general.",
    )
    async def submit_frontline_feedback(
        self,
        info: Info[Context, None],
        kind: FeedbackKind,
        text: str,
        customer_nos: list[str] | None = None,
        policy_nos: list[str] | None = None,
        claim_nos: list[str] | None = None,
        category: t.ComplaintCategory | None = None,
    ) -> FrontlineFeedback:
        actor = _actor(info)
        feedback = await _repo(info).submit(
            kind=FeedbackKind(kind),
            text=text,
            customer_nos=customer_nos or [],
            policy_nos=policy_nos or [],
            claim_nos=claim_nos or [],
            actor=actor.name,
            actor_key=actor.key,
            role=actor.role,
            now=datetime.now(UTC),
            category=ComplaintCategory(category) if category else None,
        )
        return _feedback(feedback)

    @strawberry.mutation(
        permission_classes=allow(*DECIDERS),
        description="Decide on a staff suggestion: UNDER_REVIEW, ADOPTED, REJECTED, then "
        "REWARDED (with what was given). The submitter cannot decide on their own.",
    )
    async def review_suggestion(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        status: SuggestionStatus,
        comment: str,
        rating: int | None = None,
        reward: str | None = None,
    ) -> FrontlineFeedback:
        feedback = await _repo(info).review_suggestion(
            str(id),
            status=SuggestionStatus(status),
            comment=comment,
            actor=_actor(info),
            now=datetime.now(UTC),
            rating=rating,
            reward=reward,
        )
        return _feedback(feedback)

    @strawberry.mutation(
        permission_classes=allow(*CONVERTERS),
        description="Turn a grievance into a complaint received when the grievance was "
        "voiced, keeping the grievance linked; once only. Frontline and claims staff convert "
        "the grievances they recorded.",
    )
    async def convert_grievance(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        category: t.ComplaintCategory | None = None,
        channel: t.ComplaintChannel = ComplaintChannel.FRONTLINE,
        summary: str | None = None,
        customer_no: str | None = None,
        complaint_no: str | None = None,
    ) -> ConvertGrievanceResult:
        actor = _actor(info)
        settings = info.context.services.settings
        try:
            filing, grievance = await _repo(info).convert_grievance(
                str(id),
                stored.Conversion(
                    category=ComplaintCategory(category) if category else None,
                    channel=ComplaintChannel(channel),
                    summary=summary,
                    customer_no=customer_no,
                    complaint_no=complaint_no,
                ),
                complaints=ComplaintRepository(
                    info.context.graph, settings.complaint_repeat_window_days
                ),
                actor=actor,
                now=datetime.now(UTC),
                only_own=Role(actor.role) in OWN_ONLY,
            )
        except GrievanceAlreadyConverted as error:
            return GrievanceAlreadyConvertedError(
                feedback_id=strawberry.ID(error.feedback_id),
                complaint_no=error.complaint_no,
                message=error.message,
            )
        except UnknownCustomer as error:
            return t.UnknownCustomer(customer_no=error.customer_no, message=error.message)
        except UnknownSubjects as error:
            return t.UnknownSubjects(missing=error.missing, message=error.message)
        now = datetime.now(UTC)
        return ConvertedGrievance(
            filed=t.FiledComplaint(
                complaint=t.complaint(filing.complaint, now),
                guide=t.handling_guide(filing.guide) if filing.guide else None,
                joint_review=t.joint_review(filing.joint_review) if filing.joint_review else None,
            ),
            grievance=_feedback(grievance),
        )
