"""The demo's live feeds: with RISKWATCH_DEMO=true the app serves the corpus as RSS, and the
monitor polls it over real HTTP on loopback through the demo's own allowance, while every
other loopback URL stays blocked; without the setting the route does not exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.demo_seed import DemoPlan, seed_demo
from api.runtime.media import media_monitor
from api.settings import Settings
from graph.client import Graph
from graph.media.feeds import FeedRepository
from models.demo_coverage import load_corpus
from tests.integration.conftest import serve_in_thread
from tests.integration.media_support import KeywordScorer
from tests.integration.webhook_receiver import free_port

pytestmark = pytest.mark.integration

# The live tail published in the two hours since the (backdated) seeding.
SINCE_SEEDING = timedelta(hours=2)


async def test_the_monitor_polls_the_apps_demo_feeds_and_nothing_else_on_loopback(
    graph: Graph, settings: Settings
) -> None:
    port = free_port()
    demo = settings.model_copy(
        update={
            "demo": True,
            "port": port,
            "feeds": settings.feeds.model_copy(update={"allow_private": False}),
        }
    )
    seeded_at = datetime.now(UTC) - SINCE_SEEDING
    plan = DemoPlan(customers=60, seed=7, rules=False, rings=False)
    report = await seed_demo(graph, demo, plan, seeded_at, KeywordScorer, lambda _: None)
    assert report is not None
    assert report.cycle.new_stories > 150
    feeds = await FeedRepository(graph).all()
    demo_urls = {f.url for f in feeds}
    assert all(
        f.enabled and f.url.startswith(f"http://127.0.0.1:{port}/demo/feeds/") for f in feeds
    )
    # Another URL on the same server is caller input like any other: the guard refuses it.
    await FeedRepository(graph).add(
        url=f"http://127.0.0.1:{port}/graphql",
        name="not a demo feed",
        language=None,
        poll_interval_s=300,
        enabled=True,
        high_impact=False,
        weight=1.0,
        now=seeded_at,
    )

    with serve_in_thread(demo, port) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            rss = await http.get("/demo/feeds/dushi.xml")
            missing = await http.get("/demo/feeds/nope.xml")
        assert rss.status_code == 200
        assert rss.headers["content-type"].startswith("application/rss+xml")
        assert "<rss" in rss.text
        assert missing.status_code == 404
        async with media_monitor(demo, graph, KeywordScorer()) as worker:
            polled = await worker.run_once()

    live = [
        item
        for item in load_corpus()
        if item.phase == "live" and (item.minutes or 0) <= SINCE_SEEDING.total_seconds() / 60 - 1
    ]
    assert polled.feeds == len(demo_urls) + 1
    assert polled.new_stories >= len(live) - 1, "the live tail published since seeding"
    health = {f.url: f for f in await FeedRepository(graph).all()}
    assert all(health[url].last_error is None for url in demo_urls)
    assert "blocked" in str(health[f"http://127.0.0.1:{port}/graphql"].last_error)


async def test_without_the_demo_setting_there_is_no_demo_route(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/demo/feeds/dushi.xml")
    assert response.status_code == 404
    assert "<rss" not in response.text
