"""The PR view: an alert raised in the graph arrives live over the subscription, is
acknowledged with a click, its crisis case is a checklist, and its trend is drawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory
from tests.integration.console.conftest import requires_api, screenshot, sign_in


async def raise_alert(graph: Graph) -> tuple[str, str | None]:
    """Raises a CRISIS spike alert the way the detector does; returns its id and case id."""
    from graph.alerts import AlertRepository
    from models.crisis import AlertDraft, AlertKind, Severity
    from monitors.crisis.plans import PlanStore

    draft = AlertDraft(
        subject_id="company:console-test",
        subject_name="瑞安保险",
        kind=AlertKind.SPIKE,
        severity=Severity.CRISIS,
        explanation={"reason": "negative coverage above its baseline", "threshold": 7.5},
        window_count=14.0,
        baseline_mean=2.0,
        baseline_std=1.0,
    )
    plan = await PlanStore(graph).active()
    raised = await AlertRepository(graph).raise_alert(
        draft, plan, datetime.now(UTC), timedelta(hours=6)
    )
    return raised.id, raised.case_id


@requires_api("alerts", "alertRaised", "acknowledgeAlert", "crisisCases", "completeStep")
async def test_alert_arrives_live_and_is_acknowledged(
    page: Page, make_key: KeyFactory, graph: Graph
) -> None:
    await sign_in(page, await make_key(Role.PR))
    await expect(page.locator("#alerts-live")).to_have_text("live")
    await expect(page.locator("#alerts .panel-body")).not_to_contain_text("error")
    assert await page.locator("li.alert").count() == 0

    alert_id, case_id = await raise_alert(graph)
    row = page.locator(f'li.alert[data-alert-id="{alert_id}"]')
    await expect(row).to_be_visible()
    await expect(row).to_have_attribute("data-status", "OPEN")
    await expect(row.locator(".badge")).to_have_text("CRISIS")
    await screenshot(page, "pr-alert-arrived")

    await row.locator("button.acknowledge").click()
    await expect(row).to_have_attribute("data-status", "ACKNOWLEDGED")
    await expect(row.locator("button.acknowledge")).to_have_count(0)
    stored = await graph.read("MATCH (a:Alert {id: $id}) RETURN a.status AS status", id=alert_id)
    assert stored[0]["status"] == "ACKNOWLEDGED"

    # The crisis case the alert opened appears live: a checklist whose steps count down and
    # can be done (acknowledging did the plan's first step, notifying the duty officer).
    assert case_id is not None
    case = page.locator(f'article.case[data-case-id="{case_id}"]')
    await expect(case).to_be_visible()
    await expect(case.locator("li.step.done")).to_have_count(1)
    pending = case.locator("li.step:not(.done)")
    assert await pending.count() > 0
    await expect(pending.first.locator(".deadline")).to_contain_text("left")
    step_id = await pending.first.get_attribute("data-step-id")
    await pending.first.locator("button.complete-step").click()
    await expect(case.locator(f'li.step.done[data-step-id="{step_id}"]')).to_be_visible()
    done = await graph.read(
        "MATCH (s {id: $id}) RETURN s.status AS status, s.completed_by AS by", id=step_id
    )
    assert done[0]["status"] == "DONE"
    assert done[0]["by"] == "test-pr"

    await screenshot(page, "pr-view")


@requires_api("alerts", "alertRaised", "sentimentTrend", "stories", "mentions")
async def test_trend_of_an_alert_subject_with_thresholds(
    page: Page, make_key: KeyFactory, graph: Graph
) -> None:
    await sign_in(page, await make_key(Role.PR))
    await expect(page.locator("#alerts-live")).to_have_text("live")
    alert_id, _ = await raise_alert(graph)
    await page.locator(f'li.alert[data-alert-id="{alert_id}"] button.subject').click()
    chart = page.locator("#sentiment svg.chart")
    await expect(chart).to_be_visible()
    # The alert's threshold and baseline, and one line per sentiment.
    await expect(chart.locator("line.threshold")).to_have_count(2)
    await expect(chart.locator("polyline.series")).to_have_count(3)
    await screenshot(page, "pr-trend")
