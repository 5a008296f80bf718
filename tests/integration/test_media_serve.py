"""The monitor loop inside ``riskwatch serve`` (RISKWATCH_MONITOR_IN_SERVE)."""

from __future__ import annotations

import anyio
import pytest

import api.runtime.media
from api.app import create_app
from api.settings import Settings
from graph.client import Graph
from tests.feed_server import FeedServer, Route
from tests.integration.media_support import KeywordScorer, add_feeds, fixture, tuned_settings

pytestmark = pytest.mark.integration


async def test_serve_runs_the_monitor_when_enabled_and_stops_it_cleanly(
    graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorer = KeywordScorer()
    loads: list[Settings] = []

    def load_scorer(loaded_for: Settings) -> KeywordScorer:
        loads.append(loaded_for)
        return scorer

    monkeypatch.setattr(api.runtime.media, "load_scorer", load_scorer)
    app = create_app(tuned_settings(settings, feeds={"idle_s": 0.1}, monitor_in_serve=True))
    async with FeedServer() as server:
        server.routes["/atom"] = Route(fixture("atom.xml"))
        await add_feeds(graph, {"atom": server.url("/atom")})
        async with app.router.lifespan_context(app):
            assert len(loads) == 1, "the lifespan loads the scorer once"
            for _ in range(600):  # poll with a deadline (30 s) until the loop has written
                if await graph.read("MATCH (m:Mention) RETURN m.id AS id"):
                    break
                await anyio.sleep(0.05)
            else:
                pytest.fail("the monitor loop in serve wrote no mentions within 30 s")
        subjects = await graph.read("MATCH (s:Subject) RETURN s.id AS id")
    assert [r["id"] for r in subjects] == ["subject:ruianbaoxian"]
    assert server.hits["/atom"] == 1
    # The story naming the company is scored in the poll cycle; the other one waits for an
    # idle moment (it may or may not have come before the lifespan ended).
    assert scorer.batches[0] == 1
    assert sum(scorer.batches) <= 2
