"""The PR view: an alert raised in the graph arrives live over the subscription, is
acknowledged with a click, its crisis case is a checklist, and its trend is drawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from api.settings import Settings
from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory
from tests.integration.console.conftest import requires_api, screenshot, sign_in

COMPANY_SUBJECT = "subject:ruianbaoxian"


async def raise_alert(
    graph: Graph, subject_id: str = "company:console-test", at: datetime | None = None
) -> tuple[str, str | None]:
    """Raises a CRISIS spike alert the way the detector does; returns its id and case id."""
    from graph.crisis.alerts import AlertRepository
    from models.crisis import AlertDraft, AlertKind, Severity
    from monitors.crisis.plans import PlanStore

    draft = AlertDraft(
        subject_id=subject_id,
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
        draft, plan, at or datetime.now(UTC), timedelta(hours=6)
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


@requires_api("alerts", "sentimentTrend", "stories", "mentions")
async def test_trend_and_stories_behind_a_spike(
    page: Page, make_key: KeyFactory, graph: Graph, settings: Settings
) -> None:
    # Real coverage: three fixture feeds polled once by the media monitor (October 2024),
    # among them one story about the company carried by two sources on 17 October.
    from tests.feed_server import FeedServer, Route
    from tests.integration.media_support import (
        KeywordScorer,
        add_feeds,
        fixture,
        monitor,
        tuned_settings,
    )

    async with FeedServer() as server:
        for name, document in (("rss2", "rss2.xml"), ("a", "syndicated_a.xml")):
            server.routes[f"/{name}"] = Route(fixture(document))
        server.routes["/b"] = Route(fixture("syndicated_b.xml"))
        await add_feeds(graph, {name: server.url(f"/{name}") for name in ("rss2", "a", "b")})
        async with monitor(tuned_settings(settings), graph, KeywordScorer()) as worker:
            await worker.run_once()
    alert_id, _ = await raise_alert(
        graph, COMPANY_SUBJECT, at=datetime(2024, 10, 17, 3, 0, tzinfo=UTC)
    )

    await sign_in(page, await make_key(Role.PR))
    await page.locator(f'li.alert[data-alert-id="{alert_id}"] button.subject').click()
    chart = page.locator("#sentiment svg.chart")
    await expect(chart).to_be_visible()
    # One line per sentiment, and the alert's threshold and baseline.
    await expect(chart.locator("polyline.series")).to_have_count(3)
    await expect(chart.locator("line.threshold")).to_have_count(2)
    story = page.locator("#sentiment li.story")
    await expect(story).to_have_count(1)
    await expect(story).to_contain_text("暴雨致深圳上千辆汽车受损")
    await expect(story.locator(".sources a")).to_have_count(2)
    await screenshot(page, "pr-trend")
