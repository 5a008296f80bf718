"""Complaint figures for management and the regulator, computed from one row per complaint.

Definitions (the same in the GraphQL report, the CSV and XLSX downloads and the regulator
report):

* **received**: complaints received in the period ``[from, to)``; a duplicate merged into
  another complaint is counted once, in the complaint it was merged into.
* **finished**: answered (RESOLVED) or closed; **open**: OPEN, EXTENDED or OVERDUE now.
* **on time**: finished no later than its deadline (the deadline after any allowed
  extension); **late**: finished after its deadline, or still open past it at ``as_of``.
  Open complaints not yet due are neither. **On-time rate** = on time / (on time + late).
* **average handling days**: the mean of (finished - received) in days over finished ones.
* **ageing**: open complaints by their age at ``as_of`` in whole days, in the buckets of
  ``AGEING_BUCKETS`` (the 15/30/60-day rules' steps).
* **satisfaction**: callbacks (回访) that reached the complainant; satisfied counts
  SATISFIED and BASICALLY_SATISFIED.
* Grouping: by one or more dimensions at once; months are calendar months in China Standard
  Time; a complaint about several products, shops or agents is counted under the first by
  id, so the groups always add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from models.complaint_record import SATISFIED_RESULTS, Satisfaction, fen_to_yuan
from models.complaints import OPEN_STATUSES
from models.errors import InvalidInput
from models.import_columns import DEFAULT_TZ
from models.nfra_categories import KIND_NAMES_ZH, NFRA_CATEGORIES, NfraCategory, NfraKind
from models.records import ComplaintStatus


class ReportDimension(StrEnum):
    """What the report can group by."""

    CHANNEL = "CHANNEL"
    CATEGORY = "CATEGORY"
    NFRA_CATEGORY = "NFRA_CATEGORY"
    BRANCH = "BRANCH"
    PRODUCT = "PRODUCT"
    SHOP = "SHOP"
    AGENT = "AGENT"
    MONTH = "MONTH"
    TEAM = "TEAM"
    HANDLER = "HANDLER"


MAX_DIMENSIONS = 4
NONE_LABEL = "(none)"
# (label, first day, last day or None): days of age, whole days since receipt.
AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-15", 8, 15),
    ("16-30", 16, 30),
    ("31-60", 31, 60),
    ("61+", 61, None),
)
FINISHED = frozenset({ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED})
_SURVEYED = frozenset(Satisfaction) - {Satisfaction.UNREACHABLE}


@dataclass(frozen=True)
class ReportRow:
    """One complaint as the report sees it; ``dims`` holds (key, label) per dimension."""

    id: str
    received_at: datetime
    due_at: datetime
    closed_at: datetime | None
    status: ComplaintStatus
    dims: Mapping[ReportDimension, tuple[str, str]]
    satisfaction: Satisfaction | None = None
    compensation_fen: int = 0
    via_regulator: bool = False


@dataclass
class Figures:
    """The figures of one group (or of the whole report)."""

    received: int = 0
    finished: int = 0
    open: int = 0
    on_time: int = 0
    late: int = 0
    via_regulator: int = 0
    surveyed: int = 0
    satisfied: int = 0
    compensation_fen: int = 0
    handling_days_sum: float = 0.0
    ageing: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in AGEING_BUCKETS})

    @property
    def on_time_rate(self) -> float | None:
        """On time / (on time + late), 4 decimals; None when nothing is due yet."""
        due = self.on_time + self.late
        return round(self.on_time / due, 4) if due else None

    @property
    def average_handling_days(self) -> float | None:
        """Mean days from receipt to answer over finished complaints, 1 decimal."""
        return round(self.handling_days_sum / self.finished, 1) if self.finished else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied / surveyed callbacks, 4 decimals."""
        return round(self.satisfied / self.surveyed, 4) if self.surveyed else None

    @property
    def compensation(self) -> Decimal:
        """Compensation paid or agreed, in yuan."""
        return fen_to_yuan(self.compensation_fen)

    def absorb(self, other: Figures) -> None:
        """Add another group's figures to these (for subtotals)."""
        for name in (
            "received",
            "finished",
            "open",
            "on_time",
            "late",
            "via_regulator",
            "surveyed",
            "satisfied",
            "compensation_fen",
            "handling_days_sum",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for bucket, count in other.ageing.items():
            self.ageing[bucket] += count

    def add(self, row: ReportRow, as_of: datetime) -> None:
        """Count one complaint."""
        self.received += 1
        self.compensation_fen += row.compensation_fen
        self.via_regulator += row.via_regulator
        if row.satisfaction in _SURVEYED:
            self.surveyed += 1
            self.satisfied += row.satisfaction in SATISFIED_RESULTS
        if row.status in FINISHED and row.closed_at is not None:
            self.finished += 1
            self.handling_days_sum += (row.closed_at - row.received_at).total_seconds() / 86400
            if row.closed_at <= row.due_at:
                self.on_time += 1
            else:
                self.late += 1
        elif row.status in OPEN_STATUSES:
            self.open += 1
            if as_of > row.due_at:
                self.late += 1
            self.ageing[ageing_bucket(row.received_at, as_of)] += 1


def ageing_bucket(received_at: datetime, as_of: datetime) -> str:
    """The ageing bucket of a complaint received at ``received_at``, at ``as_of``."""
    days = max(int((as_of - received_at).total_seconds() // 86400), 0)
    for label, _, last in AGEING_BUCKETS:
        if last is None or days <= last:
            return label
    return AGEING_BUCKETS[-1][0]


def month_key(instant: datetime) -> str:
    """The calendar month of an instant in China Standard Time, ``YYYY-MM``."""
    return instant.astimezone(DEFAULT_TZ).strftime("%Y-%m")


@dataclass(frozen=True)
class GroupKey:
    """One dimension's value of a group."""

    dimension: ReportDimension
    key: str
    label: str


@dataclass
class ReportGroup:
    """A group of the report and its figures."""

    keys: tuple[GroupKey, ...]
    figures: Figures = field(default_factory=Figures)


@dataclass
class Report:
    """A complaint report for ``[from_at, to_at)``, figures as of ``as_of``."""

    from_at: datetime
    to_at: datetime
    as_of: datetime
    group_by: tuple[ReportDimension, ...]
    groups: list[ReportGroup]
    total: Figures


def check_dimensions(group_by: Sequence[ReportDimension]) -> tuple[ReportDimension, ...]:
    """The dimensions to group by, each once, at most ``MAX_DIMENSIONS``."""
    dims = tuple(dict.fromkeys(group_by))
    if len(dims) != len(group_by):
        raise InvalidInput("groupBy names a dimension twice")
    if len(dims) > MAX_DIMENSIONS:
        raise InvalidInput(f"groupBy takes at most {MAX_DIMENSIONS} dimensions")
    return dims


def _sort_key(group: ReportGroup) -> tuple[tuple[int, str], ...]:
    # Groups by their keys in order, "(none)" after the named ones.
    return tuple((key.key == "", key.key) for key in group.keys)


def build_report(
    rows: Iterable[ReportRow],
    group_by: Sequence[ReportDimension],
    from_at: datetime,
    to_at: datetime,
    as_of: datetime,
) -> Report:
    """Group the complaints and compute each group's figures and the total."""
    dims = check_dimensions(group_by)
    groups: dict[tuple[str, ...], ReportGroup] = {}
    total = Figures()
    for row in rows:
        total.add(row, as_of)
        if not dims:
            continue
        values = [row.dims.get(d, ("", NONE_LABEL)) for d in dims]
        index = tuple(key for key, _ in values)
        if index not in groups:
            keys = zip(dims, values, strict=True)
            groups[index] = ReportGroup(
                tuple(GroupKey(d, key, label or NONE_LABEL) for d, (key, label) in keys)
            )
        groups[index].figures.add(row, as_of)
    ordered = sorted(groups.values(), key=_sort_key)
    return Report(from_at, to_at, as_of, dims, ordered, total)


def regulator_groups(report: Report) -> list[ReportGroup]:
    """A report grouped by NFRA category with every category present (zeros included), in
    the scheme's order: what the periodic submission (报送) lists."""
    found = {g.keys[0].key: g for g in report.groups}
    out = []
    for category, info in NFRA_CATEGORIES.items():
        group = found.get(category.value)
        if group is None:
            key = GroupKey(ReportDimension.NFRA_CATEGORY, category.value, info.name_zh)
            group = ReportGroup((key,))
        out.append(group)
    return out


def nfra_label(category: NfraCategory) -> str:
    """``涉嫌违法违规 / 涉嫌销售违法违规``: the kind and the category in Chinese."""
    info = NFRA_CATEGORIES[category]
    return f"{KIND_NAMES_ZH[info.kind]} / {info.name_zh}"


# -- the table behind the CSV and XLSX downloads -------------------------------------------------

FIGURE_COLUMNS: tuple[str, ...] = (
    "received",
    "finished",
    "open",
    "on_time",
    "late",
    "on_time_rate",
    "average_handling_days",
    *(f"ageing_{label}" for label, _, _ in AGEING_BUCKETS),
    "via_regulator",
    "surveyed",
    "satisfaction_rate",
    "compensation_cny",
)


def figure_cells(figures: Figures) -> list[Any]:
    """The figure columns of one row, in ``FIGURE_COLUMNS`` order."""
    return [
        figures.received,
        figures.finished,
        figures.open,
        figures.on_time,
        figures.late,
        figures.on_time_rate,
        figures.average_handling_days,
        *(figures.ageing[label] for label, _, _ in AGEING_BUCKETS),
        figures.via_regulator,
        figures.surveyed,
        figures.satisfaction_rate,
        figures.compensation,
    ]


def report_table(report: Report) -> tuple[list[str], list[list[Any]]]:
    """The report as a header and rows: per dimension a key and a label column, then the
    figures; the last row is the total (its dimension cells say TOTAL)."""
    header: list[str] = []
    for dim in report.group_by:
        header += [dim.value.lower(), f"{dim.value.lower()}_label"]
    header += FIGURE_COLUMNS
    rows: list[list[Any]] = []
    for group in report.groups:
        cells: list[Any] = []
        for key in group.keys:
            cells += [key.key, key.label]
        rows.append(cells + figure_cells(group.figures))
    total_cells: list[Any] = ["TOTAL", "合计"] * len(report.group_by)
    rows.append(total_cells + figure_cells(report.total))
    return header, rows


def regulator_lines(
    report: Report,
) -> tuple[list[tuple[NfraCategory, Figures]], dict[NfraKind, Figures]]:
    """The regulator report's lines (every NFRA category in the scheme's order, zeros too)
    and the subtotal of each kind (合同纠纷 / 涉嫌违法违规)."""
    lines: list[tuple[NfraCategory, Figures]] = []
    subtotals: dict[NfraKind, Figures] = {}
    for group in regulator_groups(report):
        category = NfraCategory(group.keys[0].key)
        subtotals.setdefault(NFRA_CATEGORIES[category].kind, Figures()).absorb(group.figures)
        lines.append((category, group.figures))
    return lines, subtotals


def regulator_table(report: Report) -> tuple[list[str], list[list[Any]]]:
    """The regulator report as a header and rows: every category, a subtotal per kind, then
    the total."""
    header = ["nfra_kind", "nfra_kind_zh", "nfra_category", "nfra_category_zh", "category"]
    header += FIGURE_COLUMNS
    lines, subtotals = regulator_lines(report)
    rows: list[list[Any]] = []
    for category, figures in lines:
        info = NFRA_CATEGORIES[category]
        kind = info.kind
        cells = [kind.value, KIND_NAMES_ZH[kind], category.value, info.name_zh, info.coarse.value]
        rows.append(cells + figure_cells(figures))
    for kind, figures in subtotals.items():
        cells = [kind.value, KIND_NAMES_ZH[kind], "SUBTOTAL", "小计", ""]
        rows.append(cells + figure_cells(figures))
    rows.append(["TOTAL", "合计", "TOTAL", "合计", "", *figure_cells(report.total)])
    return header, rows
