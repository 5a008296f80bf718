"""The front desk and the claims queue in the browser: attention check by phone in Chinese or
English, guides for what a customer said, a grievance recorded and made a complaint, and the
claims queue by handler. Each role lands on its own views."""

from __future__ import annotations

from playwright.async_api import Page, expect

from api.settings import Settings
from graph.client import Graph
from graph.complaints.handling_guides import HandlingGuideRepository
from graph.watchlist.entries import WatchlistRepository
from models.roles import Role
from models.watchlist import WatchlistReason, entry_id
from tests.integration.conftest import KeyFactory
from tests.integration.console.conftest import requires_api, screenshot, sign_in
from tests.integration.watchlist_book import run_rules, seed_demo

RING_MEMBER = "customer:C8000001"


async def _book(graph: Graph, settings: Settings) -> None:
    await seed_demo(graph, settings.identity_key)
    await run_rules(graph)
    wid = entry_id(RING_MEMBER, WatchlistReason.FRAUD_LINKED)
    await WatchlistRepository(graph).review(wid, True, "confirmed", "reviewer", "key-r")
    await HandlingGuideRepository(graph).seed_defaults()


@requires_api("attentionFlag", "suggestHandlingGuides", "convertGrievance")
async def test_front_desk_checks_a_caller_finds_a_guide_and_records_a_grievance(
    page: Page, graph: Graph, settings: Settings, make_key: KeyFactory
) -> None:
    await _book(graph, settings)
    await sign_in(page, await make_key(Role.FRONTLINE))
    await expect(page.locator("#nav-frontline")).to_be_visible()
    await expect(page.locator("header.top nav a")).to_have_count(1)  # its own view only

    await page.select_option("#attention-by", "phone")
    await page.fill("#attention-value", "139 2288 7766")
    await page.click("#attention-form button")
    matches = page.locator("#attention-result li.attention")
    await expect(matches).to_have_count(5)
    first = matches.first
    await expect(first).to_have_class("attention flagged")
    await expect(first.locator(".reason")).to_contain_text("涉嫌欺诈")
    await expect(page.locator("#attention-result")).not_to_contain_text("22887766")
    await page.select_option("#attention-language", "EN")
    await page.click("#attention-form button")
    await expect(matches.first.locator(".reason")).to_contain_text("fraud investigation")

    await page.fill("#guide-text", "定损金额太低，修理厂报价比你们高")
    await page.click("#guide-form button")
    guide = page.locator("#guide-result li.guide").first
    await expect(guide).to_have_attribute("data-guide-key", "claims-low-assessment")
    await expect(guide.locator(".why")).to_contain_text("定损")

    await page.select_option("#note-kind", "GRIEVANCE")
    await page.select_option("#note-category", "CLAIMS")
    await page.fill("#note-text", "客户不满定损金额，电话13922887766")
    await page.fill("#note-customer", "C8000001")
    await page.click("#note-form button[type=submit]")
    note = page.locator('#my-notes li.note[data-kind="GRIEVANCE"]')
    await expect(note).to_have_count(1)
    await expect(note).to_contain_text("139****7766")  # stored scrubbed
    await expect(note.locator(".status")).to_have_text("not converted")
    await note.locator("button.convert").click()
    await expect(note.locator(".status")).to_contain_text("complaint Q")
    await expect(note.locator("button.convert")).to_have_count(0)
    await screenshot(page, "front-desk")


@requires_api("pendingClaims", "pendingClaimsByHandler")
async def test_claims_staff_see_the_queue_by_handler(
    page: Page, graph: Graph, settings: Settings, make_key: KeyFactory
) -> None:
    await _book(graph, settings)
    await graph.write(
        "MATCH (c:Claim {status: 'PENDING'}) WITH c ORDER BY c.id LIMIT 3 SET c.handler = 'E7'"
    )
    await sign_in(page, await make_key(Role.CLAIMS))
    await expect(page.locator("header.top nav a")).to_have_count(2)
    await page.click("#nav-claims")
    loads = page.locator("#handler-loads tbody tr")
    await expect(loads.first).to_be_visible()
    await expect(page.locator('#handler-loads tr[data-handler="E7"] td').nth(1)).to_have_text("3")
    ages = await page.locator("#pending-claims tbody tr td:first-child").all_inner_texts()
    assert ages
    assert [int(a) for a in ages] == sorted((int(a) for a in ages), reverse=True)
    await screenshot(page, "claims-queue")
