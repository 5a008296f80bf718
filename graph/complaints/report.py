"""Reading the complaints of a period for the management and regulator reports; the figures
themselves are computed by ``models.complaint_report``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from graph.client import Graph
from graph.complaints import report_queries as q
from graph.values import native, utc
from models.complaint_record import Satisfaction
from models.complaint_report import (
    NONE_LABEL,
    Report,
    ReportDimension,
    ReportRow,
    build_report,
    month_key,
)
from models.complaints import require_aware
from models.errors import InvalidInput
from models.nfra_categories import NFRA_CATEGORIES, nfra_category
from models.records import ComplaintCategory, ComplaintStatus

DEFAULT_MAX_ROWS = 200_000


class ComplaintReportRepository:
    """Builds complaint reports from the graph."""

    def __init__(self, graph: Graph, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self.graph = graph
        self.max_rows = max_rows

    async def report(
        self,
        from_at: datetime,
        to_at: datetime,
        group_by: Sequence[ReportDimension],
        as_of: datetime,
    ) -> Report:
        """The report of complaints received in ``[from_at, to_at)``, figures at ``as_of``."""
        start = utc(require_aware(from_at, "from"))
        end = utc(require_aware(to_at, "to"))
        if end <= start:
            raise InvalidInput("to must lie after from")
        dims = set(group_by)
        records = await self.graph.read(
            q.REPORT_ROWS,
            from_at=start,
            to_at=end,
            limit=self.max_rows + 1,
            products=ReportDimension.PRODUCT in dims,
            shops=ReportDimension.SHOP in dims,
            agents=ReportDimension.AGENT in dims,
        )
        if len(records) > self.max_rows:
            raise InvalidInput(
                f"the period holds more than {self.max_rows:,} complaints; report on a "
                "shorter period"
            )
        rows = [_row(record.data()) for record in records]
        return build_report(rows, group_by, start, end, utc(as_of))


def _named(pair: Sequence[Any] | None) -> tuple[str, str]:
    if not pair:
        return "", NONE_LABEL
    return str(pair[0]), str(pair[1] or pair[0])


def _plain(value: str | None) -> tuple[str, str]:
    return (value, value) if value else ("", NONE_LABEL)


def _row(r: dict[str, Any]) -> ReportRow:
    received = native(r["received_at"])
    category = ComplaintCategory(r["category"])
    fine = nfra_category(category, r["nfra_category"])
    branch = r["branch"]
    satisfaction = r["satisfaction"]
    return ReportRow(
        id=r["id"],
        received_at=received,
        due_at=native(r["due_at"]),
        closed_at=native(r["closed_at"]),
        status=ComplaintStatus(r["status"]),
        satisfaction=Satisfaction(satisfaction) if satisfaction else None,
        compensation_fen=int(r["compensation_fen"]),
        via_regulator=bool(r["via_regulator"]),
        dims={
            ReportDimension.CHANNEL: _plain(r["channel"]),
            ReportDimension.CATEGORY: _plain(category.value),
            ReportDimension.NFRA_CATEGORY: (fine.value, NFRA_CATEGORIES[fine].name_zh),
            ReportDimension.BRANCH: (branch, r["branch_name"] or branch)
            if branch
            else ("", NONE_LABEL),
            ReportDimension.PRODUCT: _plain(r["product"]),
            ReportDimension.SHOP: _named(r["shop"]),
            ReportDimension.AGENT: _named(r["agent"]),
            ReportDimension.MONTH: _plain(month_key(received)),
            ReportDimension.TEAM: _plain(r["team"]),
            ReportDimension.HANDLER: _plain(r["handler"]),
        },
    )
