"""Browser fixtures for the web console: headless Debian Chromium driven by Playwright.

Chromium is Debian's (scripts/setup --test installs it); Playwright only drives it, so nothing is
downloaded. Each test gets its own browser profile, and ``screenshot`` saves what the page
shows under test-artifacts/console/ for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from api.schema import build_schema
from api.settings import PROJECT_ROOT
from tests.integration.conftest import LiveServer

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
SCHEMA_TEXT = build_schema().as_str()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skips the console's browser tests, saying why, where Chromium or the build is missing."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = "needs Debian's chromium (scripts/setup --test installs it)"
    elif not (PROJECT_ROOT / "api" / "console_static" / "index.html").exists():
        reason = "the console is not built: run scripts/setup"
    if reason is None:
        return
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.skip(reason=reason))


def requires_api(*fields: str) -> pytest.MarkDecorator:
    """Skips a test until every named root field is in the schema (an API not merged yet)."""
    missing = [f for f in fields if f"  {f}(" not in SCHEMA_TEXT and f"  {f}:" not in SCHEMA_TEXT]
    return pytest.mark.skipif(bool(missing), reason=f"pending API: {', '.join(missing)}")


@pytest.fixture
async def page(live_server: LiveServer, tmp_path: Path) -> AsyncIterator[Page]:
    """A fresh browser page on the live server's console, with its own profile."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        browser_page = context.pages[0] if context.pages else await context.new_page()
        await browser_page.goto(f"{live_server.url}/console/")
        try:
            yield browser_page
        finally:
            await context.close()


async def sign_in(page: Page, key: str) -> None:
    """Types the key into the sign-in form and waits for the console's header."""
    await page.fill("#api-key", key)
    await page.click("#sign-in button[type=submit]")


async def screenshot(page: Page, name: str) -> None:
    """Saves the whole page as test-artifacts/console/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
