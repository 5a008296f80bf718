"""The risk view on the demo book: search a party, draw its network (cytoscape), expand a
node, show the path to a ring partner, see the rings drawn, and review the watchlist with
four eyes."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page, expect

from api.settings import Settings
from graph.access.apikeys import ApiKeyRepository
from graph.bulk.demo import write_demo_book
from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import gql
from tests.integration.console.conftest import requires_api, screenshot, sign_in

# How many of the drawn nodes cytoscape placed inside the visible canvas.
NODES_IN_VIEW = """() => {
  const cy = document.querySelector('#network-canvas').cy;
  const inside = cy.nodes().filter((n) => {
    const p = n.renderedPosition();
    return p.x >= 0 && p.y >= 0 && p.x <= cy.width() && p.y <= cy.height();
  });
  return [cy.nodes().length, inside.length];
}"""

# Where cytoscape drew a node, in canvas pixels.
RENDERED_AT = """(id) => {
  const p = document.querySelector('#network-canvas').cy.getElementById(id).renderedPosition();
  return [p.x, p.y];
}"""

PROPOSE = """mutation($partyId: String!) {
  proposeWatchlistEntry(partyId: $partyId, comment: "shares a phone with a flagged claim") { id }
}"""


@requires_api("searchParties", "network", "path", "rings")
async def test_search_network_expand_and_path(page: Page, graph: Graph, settings: Settings) -> None:
    from graph.network.rings import refresh_rings

    await write_demo_book(graph, 200, 7, settings.identity_key)
    await refresh_rings(graph)
    _, key = await ApiKeyRepository(graph).create("risk-analyst", Role.RISK, "tests")
    await sign_in(page, key)

    await page.fill("#party-query", "C8000001")
    await page.click("#party-search button")
    await page.click('button.open-network[data-party-id="customer:C8000001"]')
    canvas = page.locator("#network-canvas")
    await expect(canvas).to_have_attribute("data-nodes", re.compile(r"^[1-9]\d*$"))
    total, in_view = await page.evaluate(NODES_IN_VIEW)
    assert total > 3
    assert in_view == total

    # A tap on a ring partner expands its neighbourhood into the drawing.
    x, y = await page.evaluate(RENDERED_AT, "customer:C8000003")
    await canvas.click(position={"x": x, "y": y})
    await expect(page.locator("#network-info")).to_contain_text("C8000003) expanded")
    assert int(str(await canvas.get_attribute("data-nodes"))) > total

    await page.fill("#path-to", "customer:C8000003")
    await page.click("#path-form button")
    await expect(canvas).to_have_attribute("data-path-length", "2")
    await expect(page.locator("#network-info")).to_contain_text("shares")

    ring = page.locator("li.ring", has=page.locator('[data-party-id="customer:C8000001"]'))
    await expect(ring.locator("circle.ring-member")).to_have_count(5)
    await screenshot(page, "risk-view")


@requires_api("watchlist", "reviewWatchlistEntry", "proposeWatchlistEntry")
async def test_watchlist_review_needs_a_second_person(
    page: Page, graph: Graph, settings: Settings, client: httpx.AsyncClient
) -> None:
    await write_demo_book(graph, 60, 7, settings.identity_key)
    keys = ApiKeyRepository(graph)
    _, proposer = await keys.create("analyst-a", Role.RISK, "tests")
    _, reviewer = await keys.create("analyst-b", Role.RISK, "tests")
    proposed = await gql(client, proposer, PROPOSE, {"partyId": "customer:C8000002"})
    entry_id = proposed.json()["data"]["proposeWatchlistEntry"]["id"]
    row = page.locator(f'li.entry[data-entry-id="{entry_id}"]')

    await sign_in(page, proposer)
    await expect(row).to_contain_text("another reviewer decides")
    await expect(row.locator("button.activate")).to_be_disabled()
    await page.click("#sign-out")

    await sign_in(page, reviewer)
    await expect(row.locator("button.activate")).to_be_enabled()
    await row.locator(".review-comment").fill("confirmed with claims")
    await row.locator("button.activate").click()
    await expect(row.locator(".status")).to_have_text("active")
    stored = await graph.read(
        "MATCH (w:WatchlistEntry {id: $id}) RETURN w.status AS status", id=entry_id
    )
    assert stored[0]["status"] == "ACTIVE"
    await screenshot(page, "risk-watchlist-reviewed")
