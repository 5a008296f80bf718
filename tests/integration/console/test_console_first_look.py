"""What a new user sees after the demo seed, and nothing else: the PR view with the planted
crisis (alert, explanation, case checklist, trend and stories), the risk view with rings and
the review queue, and the complaint desk. Each view must show content, not just render.

The three screenshots are README's tour: with ``RISKWATCH_DOCS_SCREENSHOTS=1`` they are also
written to ``docs/images/`` (commit them when the console or the demo changes).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime

from playwright.async_api import Page, expect

from api.demo_seed import DemoPlan, seed_demo
from api.runtime.media import load_scorer
from api.settings import PROJECT_ROOT, Settings
from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory
from tests.integration.console.conftest import ARTIFACTS, requires_api, screenshot, sign_in
from tests.integration.media_support import skip_without_model

DOCS_IMAGES = PROJECT_ROOT / "docs" / "images"


async def _tour_shot(page: Page, name: str) -> None:
    await screenshot(page, name)
    if os.environ.get("RISKWATCH_DOCS_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ARTIFACTS / f"{name}.png", DOCS_IMAGES / f"{name}.png")


@requires_api("alerts", "crisisCases", "sentimentTrend", "rings", "watchlist", "complaints")
async def test_the_first_look_after_the_demo_seed(
    page: Page, make_key: KeyFactory, graph: Graph, settings: Settings
) -> None:
    skip_without_model(settings)
    scorer = load_scorer(settings)
    await seed_demo(
        graph, settings, DemoPlan(customers=1000), datetime.now(UTC), lambda: scorer, lambda _: None
    )
    await sign_in(page, await make_key(Role.ADMIN))

    # PR: the crisis about 鑫达汽修, explained, with its case's checklist and its trend.
    alert = page.locator("li.alert[data-status=OPEN]", has_text="鑫达汽修").first
    await expect(alert).to_be_visible()
    await expect(page.locator("li.alert", has_text="above its baseline")).to_have_count(1)
    case = page.locator("article.case", has_text="鑫达汽修")
    await expect(case).to_be_visible()
    assert await case.locator("li.step").count() >= 3
    await expect(case.locator("li.step:not(.done) .deadline").first).to_contain_text("left")
    chart = page.locator("#sentiment svg.chart")
    await expect(chart).to_be_visible()
    stories = page.locator("#sentiment li.story", has_text="鑫达汽修")
    await expect(stories.first).to_be_visible()
    assert await stories.count() >= 8
    await _tour_shot(page, "tour-pr")

    # Risk: the planted ring drawn, proposed entries waiting for a second person, and search
    # by a word inside names.
    await page.click("#nav-risk")
    await expect(page.locator("li.ring").first).to_be_visible()
    await expect(page.locator("li.ring circle.ring-member")).to_have_count(5)
    entries = page.locator("li.entry")
    await expect(entries.first).to_be_visible()
    assert await entries.count() >= 10
    await expect(page.locator("li.entry", has_text="鑫达汽修")).to_have_count(1)
    await page.fill("#party-query", "汽修")
    await page.click("#party-search button")
    await expect(page.locator("#party-hits li", has_text="北京宏发汽修4号店")).to_be_visible()
    await _tour_shot(page, "tour-risk")

    # Complaint desk: the book's open complaints by deadline, the overdue ones highlighted.
    await page.click("#nav-complaints")
    rows = page.locator("table.complaints tbody tr")
    await expect(rows.first).to_be_visible()
    assert await rows.count() >= 10
    await expect(page.locator("tr.overdue").first).to_be_visible()
    await _tour_shot(page, "tour-complaints")
