"""The complaint desk: open complaints sorted by deadline, the overdue ones highlighted."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from playwright.async_api import Page, expect

from api.settings import Settings
from graph.bulk.demo import write_demo_book
from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory, gql
from tests.integration.console.conftest import requires_api, screenshot, sign_in

FILE = """mutation {
  fileComplaint(input: {customerNo: "C8000001", channel: HOTLINE, category: CLAIMS,
                        summary: "理赔进度无人答复"}) { __typename }
}"""


@requires_api("complaints", "fileComplaint")
async def test_open_complaints_by_deadline_with_overdue_highlighted(
    page: Page, make_key: KeyFactory, graph: Graph, settings: Settings, client: httpx.AsyncClient
) -> None:
    await write_demo_book(graph, 200, 7, settings.identity_key)
    key = await make_key(Role.COMPLAINTS)
    filed = await gql(client, key, FILE)
    assert filed.json()["data"]["fileComplaint"]["__typename"] == "FiledComplaint"

    await sign_in(page, key)
    rows = page.locator("table.complaints tbody tr")
    await expect(rows.first).to_be_visible()
    dues = [
        datetime.fromisoformat(str(due))
        for due in await rows.evaluate_all("rows => rows.map(r => r.dataset.due)")
    ]
    assert dues == sorted(dues)
    now = datetime.now(UTC)
    highlighted = await rows.evaluate_all("rows => rows.map(r => r.classList.contains('overdue'))")
    assert highlighted == [due < now for due in dues]
    assert any(highlighted)
    assert not all(highlighted)
    await expect(page.locator("tr.overdue .deadline").first).to_contain_text("overdue")
    await screenshot(page, "complaint-desk")
