"""Complaint reports for management and the regulator: figures grouped by several dimensions
at once, the on-time rate, ageing and average handling days (definitions in
``models.complaint_report``), and the periodic regulator report in the NFRA scheme.

Management reads them; so does the complaint desk, which prepares the regulator's
submission (报送). The same figures download as CSV or XLSX from ``/reports/...``
(``api.report_download``), under the same keys and roles.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.complaints import record_types as r
from api.services import Services
from graph.complaints.report import ComplaintReportRepository
from models.complaint_report import (
    AGEING_BUCKETS,
    Figures,
    Report,
    ReportDimension,
    regulator_lines,
)
from models.nfra_categories import KIND_NAMES_ZH, NFRA_CATEGORIES
from models.roles import Role

REPORT_ROLES = (Role.MANAGEMENT, Role.COMPLAINTS)
REPORTERS = allow(*REPORT_ROLES)

# Registered under its GraphQL name on the Enum itself; fields are annotated with it.
strawberry.enum(ReportDimension, name="ReportDimension")


@strawberry.type
class AgeingBucket:
    bucket: str = strawberry.field(description="Days since receipt: 0-7, 8-15, 16-30, 31-60, 61+.")
    open: int


@strawberry.type(description="The figures of one group, or of the whole report.")
class ComplaintFigures:
    received: int
    finished: int = strawberry.field(description="Answered (RESOLVED) or closed.")
    open: int
    on_time: int = strawberry.field(description="Finished by the deadline.")
    late: int = strawberry.field(description="Finished late, or open past the deadline.")
    on_time_rate: float | None = strawberry.field(description="onTime / (onTime + late).")
    average_handling_days: float | None = strawberry.field(
        description="Mean days from receipt to answer, finished complaints."
    )
    ageing: list[AgeingBucket] = strawberry.field(description="Open complaints by age.")
    via_regulator: int = strawberry.field(description="Came through the regulator.")
    surveyed: int = strawberry.field(description="Callbacks (回访) that reached the complainant.")
    satisfied: int
    satisfaction_rate: float | None
    compensation: r.Money


@strawberry.type
class ReportGroupKey:
    dimension: ReportDimension
    key: str = strawberry.field(description='The value ("" when the complaint has none).')
    label: str


@strawberry.type
class ComplaintReportGroup:
    keys: list[ReportGroupKey]
    figures: ComplaintFigures


@strawberry.type(description="Complaints received in [from, to), figures as of asOf.")
class ComplaintReport:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    as_of: datetime
    group_by: list[ReportDimension]
    groups: list[ComplaintReportGroup]
    total: ComplaintFigures


@strawberry.type
class RegulatorReportLine:
    category: r.NfraCategoryInfo
    coarse_category: str
    figures: ComplaintFigures


@strawberry.type
class RegulatorReportSubtotal:
    kind: r.NfraKind
    name_zh: str
    figures: ComplaintFigures


@strawberry.type(description="The periodic submission (报送) in the regulator's categories.")
class RegulatorComplaintReport:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    as_of: datetime
    lines: list[RegulatorReportLine] = strawberry.field(description="Every category, zeros too.")
    subtotals: list[RegulatorReportSubtotal]
    total: ComplaintFigures


def figures(f: Figures) -> ComplaintFigures:
    return ComplaintFigures(
        received=f.received,
        finished=f.finished,
        open=f.open,
        on_time=f.on_time,
        late=f.late,
        on_time_rate=f.on_time_rate,
        average_handling_days=f.average_handling_days,
        ageing=[AgeingBucket(bucket=label, open=f.ageing[label]) for label, _, _ in AGEING_BUCKETS],
        via_regulator=f.via_regulator,
        surveyed=f.surveyed,
        satisfied=f.satisfied,
        satisfaction_rate=f.satisfaction_rate,
        compensation=r.Money(amount=f.compensation, currency="CNY"),
    )


async def build(
    services: Services, from_: datetime, to: datetime, group_by: list[ReportDimension]
) -> Report:
    """The report as of now: what GraphQL answers and what the downloads write."""
    max_rows = services.settings.complaint_report_max_rows
    repo = ComplaintReportRepository(services.graph, max_rows)
    return await repo.report(from_, to, group_by, datetime.now(UTC))


@strawberry.type
class ComplaintReportQuery:
    @strawberry.field(
        permission_classes=REPORTERS,
        description="Complaint figures grouped by up to four dimensions at once (none: the "
        "total only); CSV/XLSX at /reports/complaints.csv|.xlsx with the same arguments.",
    )
    async def complaint_report(
        self,
        info: Info[Context, None],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        group_by: list[ReportDimension] | None = None,
    ) -> ComplaintReport:
        dims = [ReportDimension(d) for d in group_by or []]
        report = await build(info.context.services, from_, to, dims)
        return ComplaintReport(
            from_=report.from_at,
            to=report.to_at,
            as_of=report.as_of,
            group_by=list(report.group_by),
            groups=[
                ComplaintReportGroup(
                    keys=[
                        ReportGroupKey(dimension=k.dimension, key=k.key, label=k.label)
                        for k in g.keys
                    ],
                    figures=figures(g.figures),
                )
                for g in report.groups
            ],
            total=figures(report.total),
        )

    @strawberry.field(
        permission_classes=REPORTERS,
        description="The regulator report for a period in the NFRA complaint categories; "
        "CSV/XLSX at /reports/regulator.csv|.xlsx.",
    )
    async def regulator_complaint_report(
        self,
        info: Info[Context, None],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> RegulatorComplaintReport:
        report = await build(info.context.services, from_, to, [ReportDimension.NFRA_CATEGORY])
        lines, subtotals = regulator_lines(report)
        return RegulatorComplaintReport(
            from_=report.from_at,
            to=report.to_at,
            as_of=report.as_of,
            lines=[
                RegulatorReportLine(
                    category=r.nfra_info(category),
                    coarse_category=NFRA_CATEGORIES[category].coarse.value,
                    figures=figures(f),
                )
                for category, f in lines
            ],
            subtotals=[
                RegulatorReportSubtotal(kind=kind, name_zh=KIND_NAMES_ZH[kind], figures=figures(f))
                for kind, f in subtotals.items()
            ],
            total=figures(report.total),
        )
