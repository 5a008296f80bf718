"""Management's complaint report and the regulator report on a small seeded book, checked
against a hand count; the CSV and XLSX downloads open in a spreadsheet library and hold the
same figures as GraphQL; who may read and download them."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import openpyxl
import pytest

from graph.client import Graph
from graph.complaints.actions import ComplaintRecordRepository
from graph.complaints.intake import BranchRepository
from graph.complaints.lifecycle import ComplaintRepository, NewComplaint
from models.complaint_record import ContactKind, Satisfaction
from models.nfra_categories import NfraCategory
from models.records import ComplaintCategory, ComplaintChannel
from models.roles import Role
from tests.integration.complaint_fixtures import T0, write_small_book
from tests.integration.conftest import KeyFactory, gql

D = timedelta(days=1)
FROM, TO = "2026-03-01T00:00:00+08:00", "2026-05-01T00:00:00+08:00"
REPORT = """query Report($from: DateTime!, $to: DateTime!, $groupBy: [ReportDimension!]) {
  complaintReport(from: $from, to: $to, groupBy: $groupBy) {
    groupBy groups { keys { dimension key label } figures { ...F } } total { ...F }
  }
}
fragment F on ComplaintFigures {
  received finished open onTime late onTimeRate averageHandlingDays ageing { bucket open }
  viaRegulator surveyed satisfied satisfactionRate compensation { amount currency }
}"""
REGULATOR = """query Regulator($from: DateTime!, $to: DateTime!) {
  regulatorComplaintReport(from: $from, to: $to) {
    lines { category { code nameZh } coarseCategory figures { received onTime late } }
    subtotals { kind nameZh figures { received } }
    total { received }
  }
}"""


def _complaint(
    no: str,
    customer: str,
    received: timedelta,
    channel: ComplaintChannel = ComplaintChannel.HOTLINE,
    category: ComplaintCategory = ComplaintCategory.CLAIMS,
    **links: Any,
) -> NewComplaint:
    return NewComplaint(
        customer_no=customer,
        channel=channel,
        category=category,
        summary="投诉",
        received_at=T0 + received,
        complaint_no=no,
        **links,
    )


async def seed_book(graph: Graph) -> None:
    """The book counted by hand in the tests below (T0 = 2026-03-01 09:00 UTC):

    A  C1/GD HOTLINE CLAIMS, claim L1 (车损险, shop S1), answered day 10 of 15: on time;
       callback SATISFIED, compensation 800.00
    B  C1/GD ONLINE SALES, policy P1 (车损险), day 2, answered day 20 (due 17): late, 18 days
    C  C2/SZ HOTLINE CLAIMS, policy P2 (车损险), day 5, still open: late, over 61 days old
    D  C2/SZ REGULATOR, NFRA SURRENDER, day 40 (April), extended, answered day 60 of 70
    E  C1 duplicate of A, merged into it: counted once, in A
    F  C2, received in February: outside the period
    """
    await write_small_book(graph)
    branches = BranchRepository(graph)
    await branches.define("GD", "广东分公司", "admin")
    await branches.define("SZ", "深圳分公司", "admin")
    await graph.write(
        "MATCH (c:Customer {id: 'customer:C1'}) SET c.branch = 'GD' "
        "WITH c MATCH (d:Customer {id: 'customer:C2'}) SET d.branch = 'SZ'"
    )
    repo, desk = ComplaintRepository(graph), ComplaintRecordRepository(graph)
    await repo.file(_complaint("A", "C1", 0 * D, claim_nos=("L1",)), actor="desk")
    await repo.file(_complaint("E", "C1", 1 * D), actor="desk")
    await desk.merge("E", into="A", reason="重复", actor="desk", now=T0 + 2 * D)
    await repo.resolve("A", resolution="已赔付", actor="desk", now=T0 + 10 * D)
    await desk.log_contact(
        "A",
        kind=ContactKind.CALLBACK,
        note="满意",
        satisfaction=Satisfaction.SATISFIED,
        at=None,
        actor="desk",
        now=T0 + 11 * D,
    )
    await desk.record_amounts(
        "A", compensation=(Decimal(800), "CNY"), in_dispute=None, actor="desk", now=T0 + 11 * D
    )
    await repo.file(
        _complaint(
            "B",
            "C1",
            2 * D,
            ComplaintChannel.ONLINE,
            ComplaintCategory.SALES,
            policy_nos=("P1",),
        ),
        actor="desk",
    )
    await repo.resolve("B", resolution="已解释", actor="desk", now=T0 + 20 * D)
    await repo.file(_complaint("C", "C2", 5 * D, policy_nos=("P2",)), actor="desk")
    await repo.file(
        NewComplaint(
            customer_no="C2",
            channel=ComplaintChannel.REGULATOR,
            category=ComplaintCategory.UNDERWRITING,
            nfra_category=NfraCategory.SURRENDER,
            summary="退保纠纷",
            received_at=T0 + 40 * D,
            complaint_no="D",
        ),
        actor="desk",
    )
    await repo.extend("D", reason="需核实", approver=None, actor="desk", now=T0 + 41 * D)
    await repo.resolve("D", resolution="已退保", actor="desk", now=T0 + 60 * D)
    await repo.file(_complaint("F", "C2", -10 * D), actor="desk")


async def _report(client: httpx.AsyncClient, key: str, group_by: list[str]) -> dict[str, Any]:
    body = (await gql(client, key, REPORT, {"from": FROM, "to": TO, "groupBy": group_by})).json()
    assert "errors" not in body, body
    report: dict[str, Any] = body["data"]["complaintReport"]
    return report


def _ageing(figures: dict[str, Any]) -> dict[str, int]:
    return {b["bucket"]: b["open"] for b in figures["ageing"]}


@pytest.fixture
async def keys(graph: Graph, make_key: KeyFactory) -> dict[Role, str]:
    await seed_book(graph)
    return {role: await make_key(role) for role in Role}


async def test_the_report_matches_the_hand_count(
    client: httpx.AsyncClient, keys: dict[Role, str]
) -> None:
    report = await _report(client, keys[Role.MANAGEMENT], ["BRANCH", "MONTH"])
    total = report["total"]
    assert {k: total[k] for k in ("received", "finished", "open", "onTime", "late")} == {
        "received": 4,
        "finished": 3,
        "open": 1,
        "onTime": 2,
        "late": 2,
    }
    assert (total["onTimeRate"], total["averageHandlingDays"]) == (0.5, 16.0)
    assert _ageing(total) == {"0-7": 0, "8-15": 0, "16-30": 0, "31-60": 0, "61+": 1}
    assert (total["viaRegulator"], total["surveyed"], total["satisfactionRate"]) == (1, 1, 1.0)
    assert total["compensation"] == {"amount": "800.00", "currency": "CNY"}
    groups = {
        tuple(k["key"] for k in g["keys"]): (
            g["figures"]["received"],
            g["figures"]["onTime"],
            g["figures"]["late"],
            g["figures"]["averageHandlingDays"],
        )
        for g in report["groups"]
    }
    assert groups == {
        ("GD", "2026-03"): (2, 1, 1, 14.0),
        ("SZ", "2026-03"): (1, 0, 1, None),
        ("SZ", "2026-04"): (1, 1, 0, 20.0),
    }
    assert report["groups"][0]["keys"][0]["label"] == "广东分公司"

    by_product = await _report(client, keys[Role.COMPLAINTS], ["PRODUCT", "SHOP"])
    got = {
        tuple(k["key"] for k in g["keys"]): g["figures"]["received"] for g in by_product["groups"]
    }
    assert got == {("车损险", "shop:S1"): 1, ("车损险", ""): 2, ("", ""): 1}


async def test_the_regulator_report_in_the_nfra_scheme(
    client: httpx.AsyncClient, keys: dict[Role, str]
) -> None:
    body = (await gql(client, keys[Role.MANAGEMENT], REGULATOR, {"from": FROM, "to": TO})).json()
    report = body["data"]["regulatorComplaintReport"]
    assert [line["category"]["code"] for line in report["lines"]] == [c.value for c in NfraCategory]
    received = {
        line["category"]["code"]: line["figures"]["received"]
        for line in report["lines"]
        if line["figures"]["received"]
    }
    assert received == {"CLAIM_OTHER": 2, "SALES_OTHER": 1, "SURRENDER": 1}
    surrender = next(x for x in report["lines"] if x["category"]["code"] == "SURRENDER")
    assert (surrender["category"]["nameZh"], surrender["coarseCategory"]) == (
        "退保纠纷",
        "UNDERWRITING",
    )
    assert surrender["figures"] == {"received": 1, "onTime": 1, "late": 0}
    assert {s["kind"]: s["figures"]["received"] for s in report["subtotals"]} == {
        "CONTRACT_DISPUTE": 4,
        "SUSPECTED_VIOLATION": 0,
    }
    assert report["total"] == {"received": 4}


async def test_csv_and_xlsx_downloads_hold_the_graphql_figures(
    client: httpx.AsyncClient, keys: dict[Role, str]
) -> None:
    key = keys[Role.MANAGEMENT]
    report = await _report(client, key, ["BRANCH", "MONTH"])
    expected = {(g["keys"][0]["key"], g["keys"][1]["key"]): g["figures"] for g in report["groups"]}
    expected[("TOTAL", "TOTAL")] = report["total"]
    params = {"from": FROM, "to": TO, "groupBy": "BRANCH,MONTH"}
    auth = {"Authorization": f"Bearer {key}"}

    as_csv = await client.get("/reports/complaints.csv", params=params, headers=auth)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    as_xlsx = await client.get("/reports/complaints.xlsx", params=params, headers=auth)
    assert as_xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    header = [str(v) for v in values[0]]
    xlsx_rows = [dict(zip(header, row, strict=True)) for row in values[1:]]
    # CSV cells are text and XLSX cells typed values: the checks below convert either.
    tables: tuple[Sequence[Mapping[str, Any]], ...] = (rows, xlsx_rows)
    for table in tables:
        assert len(table) == len(expected)
        for row in table:
            figures = expected[(str(row["branch"]), str(row["month"]))]
            assert int(row["received"]) == figures["received"]
            assert int(row["late"]) == figures["late"]
            assert _number(row["on_time_rate"]) == figures["onTimeRate"]
            assert _number(row["average_handling_days"]) == figures["averageHandlingDays"]
            assert int(row["ageing_61+"]) == _ageing(figures)["61+"]
            assert Decimal(str(row["compensation_cny"])) == Decimal(
                figures["compensation"]["amount"]
            )
    gd = next(r for r in xlsx_rows if r["branch"] == "GD")
    assert gd["branch_label"] == "广东分公司"

    regulator = await client.get("/reports/regulator.xlsx", params=params, headers=auth)
    regulator_sheet = openpyxl.load_workbook(io.BytesIO(regulator.content)).active
    assert regulator_sheet is not None
    lines = list(regulator_sheet.iter_rows(values_only=True))
    surrender = next(line for line in lines if line[2] == "SURRENDER")
    assert (surrender[3], surrender[5]) == ("退保纠纷", 1)
    assert lines[-1][:2] == ("TOTAL", "合计")


def _number(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


async def test_reports_are_for_management_and_the_desk_only(
    client: httpx.AsyncClient, keys: dict[Role, str]
) -> None:
    params = {"from": FROM, "to": TO}
    assert (await client.get("/reports/complaints.csv", params=params)).status_code == 401
    allowed = {Role.MANAGEMENT, Role.COMPLAINTS, Role.ADMIN}
    for role in Role:
        status = 200 if role in allowed else 403
        auth = {"Authorization": f"Bearer {keys[role]}"}
        got = await client.get("/reports/complaints.csv", params=params, headers=auth)
        assert got.status_code == status, role
        graphql = (await gql(client, keys[role], REPORT, {"from": FROM, "to": TO})).json()
        assert ("errors" in graphql) == (status == 403), role
    auth = {"Authorization": f"Bearer {keys[Role.MANAGEMENT]}"}
    bad = await client.get(
        "/reports/complaints.csv", params={**params, "groupBy": "COLOUR"}, headers=auth
    )
    assert bad.status_code == 400
    assert "COLOUR" in bad.json()["errors"][0]["message"]
    no_zone = await client.get(
        "/reports/complaints.xlsx", params={"from": "2026-03-01", "to": TO}, headers=auth
    )
    assert no_zone.status_code == 400
    backwards = await client.get(
        "/reports/complaints.csv", params={"from": TO, "to": FROM}, headers=auth
    )
    assert backwards.status_code == 400
    assert (await client.get("/reports/other.csv", params=params, headers=auth)).status_code == 404
