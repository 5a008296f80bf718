"""The web console in a real browser: headless Debian Chromium driven by Playwright.

Each test signs in with a key of one role against the live server and the real Neo4j, and
saves a screenshot of what it saw under test-artifacts/console/. Tests of a view whose API
is not in the schema yet are skipped with the name of the missing fields.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from api.schema import build_schema
from api.settings import PROJECT_ROOT
from models.roles import Role
from tests.integration.conftest import KeyFactory, LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "console"
# No outside network here: keep Chromium from calling home (refused connections flood the log).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(
        not (PROJECT_ROOT / "api" / "console_static" / "index.html").exists(),
        reason="the console is not built: run scripts/setup",
    ),
]

SCHEMA_TEXT = build_schema().as_str()


def requires_api(*fields: str) -> pytest.MarkDecorator:
    """Skips a test until every named operation field is in the schema (pending merges)."""
    missing = [field for field in fields if f"  {field}(" not in SCHEMA_TEXT]
    missing = [f for f in missing if f"  {f}:" not in SCHEMA_TEXT]
    return pytest.mark.skipif(bool(missing), reason=f"pending API: {', '.join(missing)}")


@pytest.fixture
async def page(live_server: LiveServer, tmp_path: Path) -> AsyncIterator[Page]:
    """A fresh browser page on the live server's console (its own profile in tmp_path)."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        browser_page = context.pages[0] if context.pages else await context.new_page()
        await browser_page.goto(f"{live_server.url}/console/")
        try:
            yield browser_page
        finally:
            await context.close()


async def sign_in(page: Page, key: str) -> None:
    await page.fill("#api-key", key)
    await page.click("#sign-in button[type=submit]")


async def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def test_wrong_key_is_refused_and_form_stays(page: Page, make_key: KeyFactory) -> None:
    await sign_in(page, "rw_deadbeef_not-a-real-key")
    error = page.locator("#sign-in .error")
    await expect(error).to_contain_text("unknown or revoked")
    stored = await page.evaluate("sessionStorage.getItem('riskwatch.apiKey')")
    assert stored is None
    await screenshot(page, "sign-in-refused")


async def test_each_role_sees_only_its_views(page: Page, make_key: KeyFactory) -> None:
    expected = {
        Role.PR: ["PR"],
        Role.RISK: ["Risk"],
        Role.COMPLAINTS: ["Complaint desk"],
        Role.ADMIN: ["PR", "Risk", "Complaint desk"],
        Role.RENEWAL: [],
    }
    for role, views in expected.items():
        await sign_in(page, await make_key(role))
        await expect(page.locator("#viewer")).to_contain_text(role.value.upper())
        assert await page.locator("nav a").all_inner_texts() == views
        if not views:
            await expect(page.locator("#view")).to_contain_text("no console views")
        key = await page.evaluate("sessionStorage.getItem('riskwatch.apiKey')")
        assert str(key).startswith("rw_")
        assert await page.evaluate("localStorage.length") == 0
        await page.click("#sign-out")
        await expect(page.locator("#api-key")).to_be_visible()
