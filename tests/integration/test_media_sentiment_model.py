"""The poll -> mention path with the real transformer sentiment model loaded from disk.

Skipped, with the reason, where the model package or its built folder is absent (the
model is built by the sentiment issue's build step into ``settings.sentiment_model``).
"""

from __future__ import annotations

import math

import pytest

from api.runtime.media import load_scorer, scoring_worker
from api.settings import Settings
from graph.client import Graph
from tests.feed_server import FeedServer, Route
from tests.integration.media_support import (
    add_feeds,
    fixture,
    monitor,
    skip_without_model,
    tuned_settings,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def model_settings(settings: Settings) -> Settings:
    skip_without_model(settings)
    return settings


async def test_mentions_are_scored_by_the_transformer_model(
    graph: Graph, model_settings: Settings
) -> None:
    scorer = load_scorer(model_settings)
    async with FeedServer() as server:
        server.routes["/rss2"] = Route(fixture("rss2.xml"))
        server.routes["/a"] = Route(fixture("syndicated_a.xml"))
        server.routes["/b"] = Route(fixture("syndicated_b.xml"))
        await add_feeds(graph, {name: server.url(f"/{name}") for name in ("rss2", "a", "b")})
        async with monitor(tuned_settings(model_settings), graph, scorer) as worker:
            report = await worker.run_once()
    assert (report.new_mentions, report.new_stories) == (5, 4)
    # Stories that name no subject or party wait in the backlog, which a scoring worker
    # works off with the same model.
    worked_off = await scoring_worker(model_settings, graph, scorer).work_off()
    assert report.scored_stories + worked_off == 4
    records = await graph.read(
        "MATCH (m:Mention)-[:IN_STORY]->(s:Story) RETURN m.title AS title, m.sentiment AS label, "
        "m.p_negative AS neg, m.p_neutral AS neu, m.p_positive AS pos, s.sentiment AS story"
    )
    for r in records:
        assert r["label"] in ("negative", "neutral", "positive")
        assert math.isclose(r["neg"] + r["neu"] + r["pos"], 1.0, abs_tol=1e-4)
        assert r["label"] == r["story"], "a mention carries its story's score"
        probabilities = {"negative": r["neg"], "neutral": r["neu"], "positive": r["pos"]}
        assert max(probabilities, key=lambda k: probabilities[k]) == r["label"]
    by_title = {r["title"]: r["neg"] for r in records}
    complaint = by_title["深圳多名车主投诉鑫达汽修虚报配件 保险理赔遭拖延"]
    growth = by_title["瑞安保险三季度保费收入同比增长12%"]
    assert complaint > growth, "a complaint reads more negative than premium growth"
