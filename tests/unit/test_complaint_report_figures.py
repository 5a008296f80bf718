"""Report figures on a handful of complaints counted by hand: on-time rate, ageing, average
handling days, satisfaction, several dimensions at once, months in China time, the tables
behind the downloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models.complaint_record import Satisfaction
from models.complaint_report import (
    FIGURE_COLUMNS,
    ReportDimension,
    ReportRow,
    ageing_bucket,
    build_report,
    month_key,
    regulator_table,
    report_table,
)
from models.errors import InvalidInput
from models.nfra_categories import NfraCategory
from models.records import ComplaintStatus

T0 = datetime(2026, 3, 1, tzinfo=UTC)
AS_OF = datetime(2026, 4, 10, tzinfo=UTC)
D = timedelta(days=1)
CH, BR = ReportDimension.CHANNEL, ReportDimension.BRANCH


def row(
    n: int,
    received_days: int,
    status: ComplaintStatus,
    closed_days: int | None = None,
    due_days: int = 15,
    channel: str = "HOTLINE",
    branch: str | None = "GD",
    satisfaction: Satisfaction | None = None,
    compensation_fen: int = 0,
) -> ReportRow:
    received = T0 + received_days * D
    return ReportRow(
        id=f"complaint:Q{n}",
        received_at=received,
        due_at=received + due_days * D,
        closed_at=received + closed_days * D if closed_days is not None else None,
        status=status,
        satisfaction=satisfaction,
        compensation_fen=compensation_fen,
        via_regulator=channel == "REGULATOR",
        dims={
            CH: (channel, channel),
            BR: (branch, f"{branch} branch") if branch else ("", "(none)"),
            ReportDimension.NFRA_CATEGORY: ("CLAIM_AMOUNT", "理赔金额争议"),
        },
    )


RES, CLO, OPEN, EXT, OVD = (
    ComplaintStatus.RESOLVED,
    ComplaintStatus.CLOSED,
    ComplaintStatus.OPEN,
    ComplaintStatus.EXTENDED,
    ComplaintStatus.OVERDUE,
)
# By hand, at AS_OF (day 40):
# Q1 HOTLINE GD  answered day 10 of 15        on time, 10 days, satisfied, 500.00
# Q2 HOTLINE GD  closed day 20 of 15          late, 20 days, dissatisfied
# Q3 ONLINE  GD  open, received day 35, due 50 pending, age 5 -> 0-7
# Q4 ONLINE  SZ  open, received day 0, due 15 late (overdue), age 40 -> 31-60
# Q5 REGULATOR SZ extended, day 20, due day 50 pending, age 20 -> 16-30, via regulator
# Q6 HOTLINE (no branch) answered day 4 of 15  on time, 4 days, callback unreachable, 12.34
ROWS = [
    row(1, 0, RES, closed_days=10, satisfaction=Satisfaction.SATISFIED, compensation_fen=50000),
    row(2, 0, CLO, closed_days=20, satisfaction=Satisfaction.DISSATISFIED),
    row(3, 35, OPEN, channel="ONLINE"),
    row(4, 0, OVD, channel="ONLINE", branch="SZ"),
    row(5, 20, EXT, due_days=30, channel="REGULATOR", branch="SZ"),
    row(
        6,
        1,
        RES,
        closed_days=4,
        branch=None,
        satisfaction=Satisfaction.UNREACHABLE,
        compensation_fen=1234,
    ),
]


def test_totals_counted_by_hand() -> None:
    report = build_report(ROWS, [], T0, T0 + 60 * D, AS_OF)
    t = report.total
    assert (t.received, t.finished, t.open, t.on_time, t.late) == (6, 3, 3, 2, 2)
    assert t.on_time_rate == 0.5
    assert t.average_handling_days == round((10 + 20 + 4) / 3, 1) == 11.3
    assert t.ageing == {"0-7": 1, "8-15": 0, "16-30": 1, "31-60": 1, "61+": 0}
    assert (t.surveyed, t.satisfied, t.satisfaction_rate) == (2, 1, 0.5)
    assert t.compensation == Decimal("512.34")
    assert t.via_regulator == 1
    assert report.groups == []


def test_several_dimensions_at_once_add_up_to_the_total() -> None:
    report = build_report(ROWS, [BR, CH], T0, T0 + 60 * D, AS_OF)
    got = {
        tuple(k.key for k in g.keys): (g.figures.received, g.figures.on_time, g.figures.late)
        for g in report.groups
    }
    assert got == {
        ("GD", "HOTLINE"): (2, 1, 1),
        ("GD", "ONLINE"): (1, 0, 0),
        ("SZ", "ONLINE"): (1, 0, 1),
        ("SZ", "REGULATOR"): (1, 0, 0),
        ("", "HOTLINE"): (1, 1, 0),
    }
    assert [tuple(k.key for k in g.keys) for g in report.groups][-1] == ("", "HOTLINE")
    assert sum(g.figures.received for g in report.groups) == report.total.received
    gd_hotline = report.groups[0]
    assert [k.label for k in gd_hotline.keys] == ["GD branch", "HOTLINE"]
    assert gd_hotline.figures.on_time_rate == 0.5
    assert gd_hotline.figures.average_handling_days == 15.0
    none_group = report.groups[-1]
    assert none_group.keys[0].label == "(none)"


def test_ageing_buckets_and_months_in_china_time() -> None:
    assert ageing_bucket(T0, T0 + 7 * D + timedelta(hours=23)) == "0-7"
    assert ageing_bucket(T0, T0 + 8 * D) == "8-15"
    assert ageing_bucket(T0, T0 + 61 * D) == "61+"
    assert ageing_bucket(T0, T0 - D) == "0-7"
    # 2026-03-31T17:00Z is already April 1st in Beijing.
    assert month_key(datetime(2026, 3, 31, 17, 0, tzinfo=UTC)) == "2026-04"
    assert month_key(datetime(2026, 3, 31, 15, 59, tzinfo=UTC)) == "2026-03"


def test_group_by_is_checked() -> None:
    with pytest.raises(InvalidInput, match="twice"):
        build_report(ROWS, [CH, CH], T0, AS_OF, AS_OF)
    with pytest.raises(InvalidInput, match="at most 4"):
        build_report(ROWS, list(ReportDimension)[:5], T0, AS_OF, AS_OF)


def test_the_download_tables_hold_the_same_figures() -> None:
    report = build_report(ROWS, [CH], T0, T0 + 60 * D, AS_OF)
    header, rows = report_table(report)
    assert header[:2] == ["channel", "channel_label"]
    assert header[2:] == list(FIGURE_COLUMNS)
    by_key = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_key["HOTLINE"]["received"] == 3
    assert by_key["HOTLINE"]["on_time_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert by_key["TOTAL"]["received"] == 6
    assert by_key["TOTAL"]["compensation_cny"] == Decimal("512.34")
    assert by_key["TOTAL"]["ageing_31-60"] == 1


def test_the_regulator_table_lists_every_category_with_subtotals() -> None:
    report = build_report(ROWS, [ReportDimension.NFRA_CATEGORY], T0, T0 + 60 * D, AS_OF)
    header, rows = regulator_table(report)
    categories = [r[2] for r in rows]
    assert categories[: len(NfraCategory)] == [c.value for c in NfraCategory]
    line = dict(zip(header, rows[0], strict=True))
    assert (line["nfra_category"], line["received"], line["category"]) == (
        "CLAIM_AMOUNT",
        6,
        "CLAIMS",
    )
    zero = dict(zip(header, rows[1], strict=True))
    assert zero["received"] == 0
    assert zero["on_time_rate"] is None
    subtotals = [r for r in rows if r[2] == "SUBTOTAL"]
    assert {r[0] for r in subtotals} == {"CONTRACT_DISPUTE", "SUSPECTED_VIOLATION"}
    assert rows[-1][:2] == ["TOTAL", "合计"]
    assert rows[-1][5] == 6
