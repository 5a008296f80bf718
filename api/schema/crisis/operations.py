"""Public-opinion alerts, crisis cases and plans, webhook targets, and ``alertRaised``."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any
from urllib.parse import urlsplit

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.runtime.crisis import CrisisRuntime
from api.schema.crisis.types import (
    Alert,
    AlertStatus,
    CaseStatus,
    CrisisCase,
    CrisisStep,
    Severity,
    TargetKind,
    alert_from_row,
    case_from_row,
    step_from_row,
)
from api.schema.pagination import Connection, connection
from graph.crisis.alerts import AlertRepository
from graph.crisis.cases import CrisisCaseRepository
from graph.outbox import WebhookTargetRepository
from graph.outbox_records import StoredTarget
from models.crisis_plan import CrisisPlan, parse_plan, plan_as_dict
from models.errors import InvalidInput, NotFound
from models.roles import Role
from monitors.clock import utc_now
from monitors.delivery.formats import recipients

CRISIS_ROLES = allow(Role.PR, Role.RISK)
# Management reads the crisis cases and the plan; it does not work them.
CASE_READERS = allow(Role.PR, Role.RISK, Role.MANAGEMENT)
ADMIN_ONLY = allow(Role.ADMIN)


def _actor(info: Info[Context, None]) -> str:
    principal = info.context.principal
    return principal.name if principal else "unknown"


def _runtime(info: Info[Context, None]) -> CrisisRuntime:
    runtime = info.context.services.crisis
    if runtime is None:
        raise NotFound("crisis monitoring is not running in this process")
    return runtime


@strawberry.type
class CrisisPlanView:
    name: str
    document: str = strawberry.field(description="The plan as stored (YAML or JSON).")
    plan: JSON = strawberry.field(description="The parsed plan.")


def _plan_view(plan: CrisisPlan, document: str) -> CrisisPlanView:
    parsed: Any = plan_as_dict(plan)
    return CrisisPlanView(name=plan.name, document=document, plan=parsed)


@strawberry.type(description="A plan or webhook target that was refused, and why.")
class InvalidCrisisInput:
    message: str


@strawberry.type
class WebhookTarget:
    id: strawberry.ID
    name: str
    kind: TargetKind
    url: str = strawberry.field(description="Without its query string, which may hold a key.")
    has_secret: bool
    min_severity: Severity | None
    event_types: list[str]


def _target_from_row(target: StoredTarget) -> WebhookTarget:
    parts = urlsplit(target.url)
    shown = (
        target.url if parts.scheme == "mailto" else f"{parts.scheme}://{parts.netloc}{parts.path}"
    )
    return WebhookTarget(
        id=strawberry.ID(target.id),
        name=target.name,
        kind=TargetKind(target.kind),
        url=shown,
        has_secret=bool(target.secret),
        min_severity=Severity(target.min_severity) if target.min_severity else None,
        event_types=list(target.event_types),
    )


CrisisPlanResult = Annotated[
    CrisisPlanView | InvalidCrisisInput, strawberry.union("CrisisPlanResult")
]
WebhookTargetResult = Annotated[
    WebhookTarget | InvalidCrisisInput, strawberry.union("WebhookTargetResult")
]


@strawberry.input
class WebhookTargetInput:
    name: str
    kind: TargetKind
    url: str
    secret: str | None = None
    min_severity: Severity | None = strawberry.field(
        default=None, description="Alerts at or above this severity; none: no alerts."
    )
    event_types: list[str] = strawberry.field(
        default_factory=list, description="Domain events, e.g. complaint.escalated."
    )


def _validate_target(target: WebhookTargetInput) -> None:
    if not target.name.strip():
        raise InvalidInput("a webhook target needs a name")
    kind = TargetKind(target.kind)
    if kind is TargetKind.EMAIL:
        if not recipients(target.url) or not all("@" in a for a in recipients(target.url)):
            raise InvalidInput("an EMAIL target's url is mailto:address[,address...]")
    elif urlsplit(target.url).scheme not in ("http", "https") or not urlsplit(target.url).netloc:
        raise InvalidInput("a webhook url must be http(s)://host/...")
    if target.min_severity is None and not target.event_types:
        raise InvalidInput("a target needs a minSeverity, some eventTypes, or both")


@strawberry.type
class CrisisQuery:
    @strawberry.field(permission_classes=CRISIS_ROLES, description="Alerts, newest first.")
    async def alerts(
        self,
        info: Info[Context, None],
        status: AlertStatus | None = None,
        min_severity: Severity = Severity.WATCH,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Alert]:
        page = await info.context.repo(AlertRepository).page(
            AlertStatus(status).value if status else None,
            Severity(min_severity).rank,
            first=first,
            after=after,
        )
        return connection(page, alert_from_row)

    @strawberry.field(permission_classes=CRISIS_ROLES, description="One alert.")
    async def alert(self, info: Info[Context, None], id: strawberry.ID) -> Alert | None:
        row = await info.context.repo(AlertRepository).get(str(id))
        return alert_from_row(row) if row else None

    @strawberry.field(permission_classes=CASE_READERS, description="Crisis cases, newest first.")
    async def crisis_cases(
        self,
        info: Info[Context, None],
        status: CaseStatus | None = None,
    ) -> list[CrisisCase]:
        rows = await info.context.repo(CrisisCaseRepository).list_cases(
            CaseStatus(status).value if status else None
        )
        return [case_from_row(r) for r in rows]

    @strawberry.field(permission_classes=CASE_READERS, description="One crisis case.")
    async def crisis_case(self, info: Info[Context, None], id: strawberry.ID) -> CrisisCase | None:
        row = await info.context.repo(CrisisCaseRepository).get(str(id))
        return case_from_row(row) if row else None

    @strawberry.field(permission_classes=CASE_READERS, description="The active crisis plan.")
    async def crisis_plan(self, info: Info[Context, None]) -> CrisisPlanView:
        document = await _runtime(info).plans.active_document()
        return _plan_view(parse_plan(document), document)

    @strawberry.field(permission_classes=ADMIN_ONLY, description="Where alerts and events go.")
    async def webhook_targets(self, info: Info[Context, None]) -> list[WebhookTarget]:
        rows = await info.context.repo(WebhookTargetRepository).list_targets()
        return [_target_from_row(r) for r in rows]


@strawberry.type
class CrisisMutation:
    @strawberry.mutation(permission_classes=CRISIS_ROLES, description="Acknowledge an alert.")
    async def acknowledge_alert(self, info: Info[Context, None], id: strawberry.ID) -> Alert:
        row = await info.context.repo(AlertRepository).acknowledge(str(id), _actor(info), utc_now())
        if row is None:
            raise NotFound(f"no alert {id}")
        return alert_from_row(row)

    @strawberry.mutation(permission_classes=CRISIS_ROLES, description="Mark a crisis step done.")
    async def complete_step(
        self, info: Info[Context, None], id: strawberry.ID, note: str | None = None
    ) -> CrisisStep:
        row = await info.context.repo(CrisisCaseRepository).complete_step(
            str(id), _actor(info), note, utc_now()
        )
        if row is None:
            raise NotFound(f"no crisis step {id}")
        return step_from_row(row)

    @strawberry.mutation(permission_classes=CRISIS_ROLES, description="Assign a crisis step.")
    async def assign_step(
        self, info: Info[Context, None], id: strawberry.ID, assignee: str
    ) -> CrisisStep:
        if not assignee.strip():
            raise InvalidInput("assignee must not be empty")
        row = await info.context.repo(CrisisCaseRepository).assign_step(
            str(id), assignee.strip(), _actor(info), utc_now()
        )
        if row is None:
            raise NotFound(f"no crisis step {id}")
        return step_from_row(row)

    @strawberry.mutation(
        permission_classes=CRISIS_ROLES, description="Resolve a case and its alerts."
    )
    async def resolve_crisis_case(
        self, info: Info[Context, None], id: strawberry.ID, resolution: str | None = None
    ) -> CrisisCase:
        row = await info.context.repo(CrisisCaseRepository).resolve(
            str(id), resolution, _actor(info), utc_now()
        )
        if row is None:
            raise NotFound(f"no crisis case {id}")
        return case_from_row(row)

    @strawberry.mutation(
        permission_classes=ADMIN_ONLY, description="Replace the crisis plan (YAML or JSON)."
    )
    async def update_crisis_plan(
        self, info: Info[Context, None], document: str
    ) -> CrisisPlanResult:
        try:
            plan = await _runtime(info).plans.update(document, _actor(info))
        except InvalidInput as problem:
            return InvalidCrisisInput(message=problem.message)
        return _plan_view(plan, document)

    @strawberry.mutation(permission_classes=ADMIN_ONLY, description="Add a webhook target.")
    async def add_webhook_target(
        self, info: Info[Context, None], target: WebhookTargetInput
    ) -> WebhookTargetResult:
        try:
            _validate_target(target)
        except InvalidInput as problem:
            return InvalidCrisisInput(message=problem.message)
        row = await info.context.repo(WebhookTargetRepository).add(
            name=target.name.strip(),
            kind=TargetKind(target.kind).value,
            url=target.url.strip(),
            secret=target.secret,
            min_severity=Severity(target.min_severity) if target.min_severity else None,
            event_types=target.event_types,
            actor=_actor(info),
            now=utc_now(),
        )
        return _target_from_row(row)

    @strawberry.mutation(permission_classes=ADMIN_ONLY, description="Remove a webhook target.")
    async def remove_webhook_target(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        return await info.context.repo(WebhookTargetRepository).remove(
            str(id), _actor(info), utc_now()
        )


@strawberry.type
class CrisisSubscription:
    @strawberry.subscription(
        permission_classes=CRISIS_ROLES,
        description="Alerts as they are raised or become more severe, from any process.",
    )
    async def alert_raised(
        self,
        info: Info[Context, None],
        min_severity: Severity = Severity.WATCH,
    ) -> AsyncGenerator[Alert, None]:
        rank = Severity(min_severity).rank
        async with _runtime(info).broker.subscription() as queue:
            while True:
                alert = await queue.get()
                if alert.severity.rank >= rank:
                    yield alert_from_row(alert)
