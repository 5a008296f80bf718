"""Signing in to the web console: a wrong key is refused, each role sees only its views."""

from __future__ import annotations

from playwright.async_api import Page, expect

from models.roles import Role
from tests.integration.conftest import KeyFactory
from tests.integration.console.conftest import screenshot, sign_in


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
        Role.COMPLAINTS: ["Complaint desk", "Management"],
        Role.FRONTLINE: ["Front desk"],
        Role.CLAIMS: ["Front desk", "Claims queue"],
        Role.MANAGEMENT: ["Management"],
        Role.ADMIN: ["PR", "Risk", "Complaint desk", "Front desk", "Claims queue", "Management"],
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
