"""The report files: CSV as spreadsheet programs read it, XLSX as openpyxl opens it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl

from api.table_files import Cell, column_name, csv_bytes, xlsx_bytes

HEADER = ["branch", "branch_label", "received", "on_time_rate", "compensation_cny"]
ROWS: list[list[Cell]] = [
    ["GD01", "广东分公司", 12, 0.75, Decimal("1234.50")],
    ["", "(none)", 3, None, Decimal("0.00")],
    ['=HYPERLINK("x")', "a\x01b & <c>", 0, None, Decimal("0.00")],
]


def test_column_names() -> None:
    assert [column_name(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_csv_has_a_bom_crlf_and_no_formulas() -> None:
    data = csv_bytes(HEADER, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert rows[1] == ["GD01", "广东分公司", "12", "0.75", "1234.50"]
    assert rows[2][3] == ""
    assert rows[3][0].startswith("'=")


def test_xlsx_opens_with_openpyxl_with_numbers_as_numbers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("complaints 2026Q1", HEADER, ROWS)))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "complaints 2026Q1"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert values[1] == ["GD01", "广东分公司", 12, 0.75, 1234.5]
    assert values[2] == ["", "(none)", 3, None, 0]
    assert values[3][1] == "ab & <c>"  # a control character XML cannot hold is dropped
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
