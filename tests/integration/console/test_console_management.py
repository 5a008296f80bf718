"""The management view: the complaint report grouped by branch and month (table and chart),
the regulator report in the NFRA categories, and the CSV download, on the book the report
tests count by hand."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.async_api import Page, expect

from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory
from tests.integration.console.conftest import requires_api, screenshot, sign_in
from tests.integration.test_complaint_report import seed_book


@requires_api("complaintReport", "regulatorComplaintReport")
async def test_reports_with_chart_and_download(
    page: Page, graph: Graph, make_key: KeyFactory, tmp_path: Path
) -> None:
    await seed_book(graph)
    await sign_in(page, await make_key(Role.MANAGEMENT))
    await expect(page.locator("#nav-management")).to_have_class("active")
    await page.fill("#report-from", "2026-03-01")
    await page.fill("#report-to", "2026-05-01")
    await page.check('input[name="groupBy"][value="BRANCH"]')
    await page.click("#run-report")

    groups = page.locator("#report-table tr.group")
    await expect(groups).to_have_count(3)
    gd = page.locator('tr[data-keys="2026-03|GD"]')  # MONTH comes first among the choices
    await expect(gd.locator("td").nth(1)).to_have_text("广东分公司")
    await expect(gd.locator('[data-figure="received"]')).to_have_text("2")
    await expect(gd.locator('[data-figure="onTimeRate"]')).to_have_text("50.0%")
    await expect(gd.locator('[data-figure="averageHandlingDays"]')).to_have_text("14.0")
    total = page.locator("#report-table tr.total")
    await expect(total.locator('[data-figure="received"]')).to_have_text("4")
    # One bar per series per group: received, on time, late.
    await expect(page.locator("#complaint-report svg.chart rect.bar[data-label]")).to_have_count(9)
    surrender = page.locator('#regulator-table tr[data-category="SURRENDER"]')
    await expect(surrender.locator("td").first).to_have_text("退保纠纷")
    await expect(surrender.locator('[data-figure="received"]')).to_have_text("1")
    await screenshot(page, "management-reports")

    async with page.expect_download() as waiting:
        await page.click("#download-csv")
    saved = await waiting.value
    assert saved.suggested_filename == "complaints-report-2026-03-01-2026-05-01.csv"
    target = tmp_path / saved.suggested_filename
    await saved.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    by_group = {(r["month"], r["branch"]): r for r in rows}
    assert by_group[("2026-03", "GD")]["received"] == "2"
    assert by_group[("TOTAL", "TOTAL")]["received"] == "4"


@requires_api("complaintReport")
async def test_roles_without_reports_do_not_see_the_view(page: Page, make_key: KeyFactory) -> None:
    await sign_in(page, await make_key(Role.RISK))
    await expect(page.locator("#viewer")).to_contain_text("RISK")
    await expect(page.locator("#nav-management")).to_have_count(0)
