"""``GET /reports/{complaints|regulator}.{csv|xlsx}``: the complaint reports as files.

The same authentication as ``/graphql`` (``Authorization: Bearer <key>``, 401 otherwise),
the same per-key rate limit, and the roles of the ``complaintReport`` field (403 for any
other role). Arguments as query parameters: ``from`` and ``to`` (ISO-8601 instants with an
offset) and, for ``complaints``, ``groupBy`` (comma-separated dimensions, e.g.
``BRANCH,MONTH``). The figures are those of the GraphQL report, computed the same way.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.graphql_view import admit, graphql_error_response
from api.schema.complaints.report import REPORT_ROLES, build
from api.services import AppState
from api.table_files import csv_bytes, xlsx_bytes
from models.complaint_report import ReportDimension, regulator_table, report_table
from models.errors import InvalidInput, NotFound, PermissionDenied, RiskwatchError
from models.roles import Role

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REPORTS = ("complaints", "regulator")


def _instant(request: Request[AppState], name: str) -> datetime:
    raw = request.query_params.get(name)
    if not raw:
        raise InvalidInput(f"{name} is required (an ISO-8601 instant with an offset)")
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name}: {raw!r} is not an ISO-8601 instant") from None
    if value.tzinfo is None:
        raise InvalidInput(f"{name} needs an offset (e.g. 2026-01-01T00:00:00+08:00)")
    return value


def _dimensions(request: Request[AppState]) -> list[ReportDimension]:
    raw = request.query_params.get("groupBy", "")
    dims = []
    for part in filter(None, (p.strip().upper() for p in raw.split(","))):
        try:
            dims.append(ReportDimension(part))
        except ValueError:
            known = ", ".join(d.value for d in ReportDimension)
            raise InvalidInput(f"groupBy: {part!r} is not one of {known}") from None
    return dims


async def download_report(request: Request[AppState]) -> Response:
    """One report as a CSV or XLSX attachment."""
    services = request.state["services"]
    name, fmt = request.path_params["name"], request.path_params["fmt"]
    admitted = await admit(services, request)
    if isinstance(admitted, Response):
        return admitted
    try:
        if admitted.role is not Role.ADMIN and admitted.role not in REPORT_ROLES:
            raise PermissionDenied("your role may not download complaint reports")
        if name not in REPORTS or fmt not in MEDIA_TYPES:
            raise NotFound("reports are complaints.csv|xlsx and regulator.csv|xlsx")
        start, end = _instant(request, "from"), _instant(request, "to")
        dims = [ReportDimension.NFRA_CATEGORY] if name == "regulator" else _dimensions(request)
        report = await build(services, start, end, dims)
    except RiskwatchError as error:
        return graphql_error_response(error)
    header, rows = regulator_table(report) if name == "regulator" else report_table(report)
    period = f"{report.from_at:%Y%m%d}-{report.to_at:%Y%m%d}"
    filename = f"{name}-report-{period}.{fmt}"
    body = (
        xlsx_bytes(f"{name} {period}", header, rows) if fmt == "xlsx" else csv_bytes(header, rows)
    )
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def report_routes() -> list[Route]:
    """The download routes, for ``create_app``."""
    return [Route("/reports/{name}.{fmt}", download_report, methods=["GET"])]
