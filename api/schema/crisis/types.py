"""GraphQL types of alerts and crisis cases, and how stored rows become them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from api.context import Context
from api.review_scope import neighbourhood_labels
from graph.crisis.alerts import AlertRepository
from graph.crisis.cases import CrisisCaseRepository
from graph.crisis.records import StoredAlert, StoredCase, StoredStep
from models.crisis import AlertKind, StepStatus

# Re-exported: schema modules import these from here, so their registration below has run.
from models.crisis import AlertStatus as AlertStatus
from models.crisis import CaseStatus as CaseStatus
from models.crisis import Severity as Severity
from monitors.clock import utc_now
from monitors.delivery.formats import TargetKind as TargetKind

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(Severity, name="Severity")
strawberry.enum(AlertStatus, name="AlertStatus")
strawberry.enum(AlertKind, name="AlertKind")
strawberry.enum(CaseStatus, name="CrisisCaseStatus")
strawberry.enum(StepStatus, name="CrisisStepStatus")
strawberry.enum(TargetKind, name="WebhookTargetKind")


@strawberry.type
class CitedMention:
    id: strawberry.ID
    title: str | None
    url: str | None
    published_at: datetime | None
    sentiment: str | None
    feed: str | None


async def _load_mentions(info: Info[Context, None], alert_id: str) -> list[CitedMention]:
    repo = info.context.repo(AlertRepository)

    async def batch(ids: list[str]) -> list[list[CitedMention]]:
        found: dict[str, list[CitedMention]] = {i: [] for i in ids}
        for cited in await repo.mentions(ids):
            found[cited.alert_id].append(
                CitedMention(
                    id=strawberry.ID(cited.id),
                    title=cited.title,
                    url=cited.url,
                    published_at=cited.published_at,
                    sentiment=cited.sentiment,
                    feed=cited.feed,
                )
            )
        return [found[i] for i in ids]

    loader = info.context.loader("alert_mentions", lambda: DataLoader(load_fn=batch))
    result: list[CitedMention] = await loader.load(alert_id)
    return result


@strawberry.type
class Alert:
    id: strawberry.ID
    subject_id: str
    subject_name: str | None
    severity: Severity
    status: AlertStatus
    kind: AlertKind
    opened_at: datetime
    updated_at: datetime
    explanation: JSON
    window_count: float | None
    baseline_mean: float | None
    baseline_std: float | None
    case_id: strawberry.ID | None

    @strawberry.field(description="The mentions behind the alert.")
    async def mentions(self, info: Info[Context, None]) -> list[CitedMention]:
        return await _load_mentions(info, str(self.id))


def alert_from_row(alert: StoredAlert) -> Alert:
    """The GraphQL view of a stored alert."""
    return Alert(
        id=strawberry.ID(alert.id),
        subject_id=alert.subject_id,
        subject_name=alert.subject_name,
        severity=alert.severity,
        status=alert.status,
        kind=alert.kind,
        opened_at=alert.opened_at,
        updated_at=alert.updated_at,
        explanation=JSON(dict(alert.explanation)),
        window_count=alert.window_count,
        baseline_mean=alert.baseline_mean,
        baseline_std=alert.baseline_std,
        case_id=strawberry.ID(alert.case_id) if alert.case_id else None,
    )


@strawberry.type
class CrisisStep:
    id: strawberry.ID
    key: str
    title: str
    role: str
    planned_role: str | None
    assignee: str | None
    status: StepStatus
    due_at: datetime
    escalation_level: int
    escalated_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    note: str | None

    @strawberry.field(description="Pending and past its deadline now.")
    def overdue(self) -> bool:
        return self.status == StepStatus.PENDING and self.due_at <= utc_now()


def step_from_row(step: StoredStep) -> CrisisStep:
    return CrisisStep(
        id=strawberry.ID(step.id),
        key=step.key,
        title=step.title,
        role=step.role,
        planned_role=step.planned_role,
        assignee=step.assignee,
        status=step.status,
        due_at=step.due_at,
        escalation_level=step.escalation_level,
        escalated_at=step.escalated_at,
        completed_at=step.completed_at,
        completed_by=step.completed_by,
        note=step.note,
    )


@strawberry.type
class TimelineEntry:
    at: datetime
    actor: str | None
    action: str
    subject_id: str | None
    before: str | None
    after: str | None


@strawberry.type
class RelatedComplaint:
    id: strawberry.ID
    complaint_no: str | None
    channel: str | None
    status: str | None
    category: str | None


@strawberry.type
class Neighbour:
    from_id: str
    id: str | None
    labels: list[str]
    name: str | None
    via: list[str]


@strawberry.type
class ClosingReview:
    timeline: list[TimelineEntry]
    mentions: list[CitedMention]
    complaints: list[RelatedComplaint]
    neighbourhood: list[Neighbour]


@strawberry.type
class CrisisCase:
    id: strawberry.ID
    title: str
    status: CaseStatus
    severity: Severity
    subject_id: str
    opened_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None

    @strawberry.field
    async def steps(self, info: Info[Context, None]) -> list[CrisisStep]:
        rows = await info.context.repo(CrisisCaseRepository).steps(str(self.id))
        return [step_from_row(row) for row in rows]

    @strawberry.field
    async def alerts(self, info: Info[Context, None]) -> list[Alert]:
        rows = await info.context.repo(CrisisCaseRepository).alerts(str(self.id))
        return [alert_from_row(row) for row in rows]

    @strawberry.field(description="Every action on the case, its steps and alerts, in order.")
    async def timeline(self, info: Info[Context, None]) -> list[TimelineEntry]:
        cases = info.context.repo(CrisisCaseRepository)
        ids = [step.id for step in await cases.steps(str(self.id))]
        ids += [alert.id for alert in await cases.alerts(str(self.id))]
        events = await cases.timeline(str(self.id), [str(self.id), *ids])
        return [TimelineEntry(**asdict(event)) for event in events]  # the same fields

    @strawberry.field(
        description="The closing review: timeline, mentions, related complaints and the "
        "subjects' graph neighbourhood, as far as the caller's role may see it "
        "(api/review_scope.py)."
    )
    async def review(self, info: Info[Context, None]) -> ClosingReview:
        cases = info.context.repo(CrisisCaseRepository)
        alerts = await cases.alerts(str(self.id))
        subjects = sorted({self.subject_id, *(a.subject_id for a in alerts)})
        mentions: list[CitedMention] = []
        for alert in alerts:
            mentions += await _load_mentions(info, alert.id)
        return ClosingReview(
            timeline=await self.timeline(info),
            mentions=mentions,
            complaints=[
                RelatedComplaint(
                    id=strawberry.ID(r.id),
                    complaint_no=r.complaint_no,
                    channel=r.channel,
                    status=r.status,
                    category=r.category,
                )
                for r in await cases.related_complaints(subjects)
            ],
            neighbourhood=[
                Neighbour(from_id=r.from_id, id=r.id, labels=r.labels, name=r.name, via=r.via)
                for r in await cases.neighbourhood(
                    subjects, labels=neighbourhood_labels(info.context.principal)
                )
            ],
        )


def case_from_row(case: StoredCase) -> CrisisCase:
    return CrisisCase(
        id=strawberry.ID(case.id),
        title=case.title,
        status=case.status,
        severity=case.severity,
        subject_id=case.subject_id,
        opened_at=case.opened_at,
        resolved_at=case.resolved_at,
        resolved_by=case.resolved_by,
        resolution=case.resolution,
    )
