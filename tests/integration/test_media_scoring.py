"""Scoring what people read first: stories that name a subject or party are scored in the
poll cycle, each link on its own; the rest wait as ``:Unscored`` stories that scoring
workers work off (linked first, with leases, surviving restarts); the crisis detector counts
a story only against the subject it is negative about."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest

from api.runtime.media import scoring_worker
from api.settings import Settings
from graph.bulk.demo import write_demo_book
from graph.client import Graph
from graph.crisis.alerts import AlertRepository
from graph.media.story_scores import StoryScoreRepository
from models.records import PartyKind, party_id
from tests.feed_server import FeedServer, Item, Route, rss_document
from tests.integration.media_support import (
    T0,
    FixedScore,
    PairScorer,
    add_feeds,
    fixture,
    generated_feed,
    monitor,
    tuned_settings,
)

pytestmark = pytest.mark.integration

SHOP = party_id(PartyKind.REPAIR_SHOP, "S9000001")
COMPANY = "subject:ruianbaoxian"
BOTH = "车主投诉鑫达汽修虚报配件 瑞安保险先行赔付获点赞"


@pytest.fixture
async def server(graph: Graph, settings: Settings) -> FeedServer:  # type: ignore[misc]
    await write_demo_book(graph, 20, 7, settings.identity_key)
    async with FeedServer() as feeds:
        yield feeds


async def _rows(graph: Graph, cypher: str) -> list[dict[str, object]]:
    return [dict(r) for r in await graph.read(cypher)]


async def test_linked_stories_are_scored_per_link_and_the_backlog_survives_a_restart(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    server.routes["/rss2"] = Route(fixture("rss2.xml"))
    server.routes["/plain"] = Route(generated_feed("plain", 5))
    await add_feeds(graph, {name: server.url(f"/{name}") for name in ("rss2", "plain")})
    scorer = PairScorer(negative_about={"鑫达汽修"})
    async with monitor(tuned_settings(settings), graph, scorer) as worker:
        report = await worker.run_once()
    # rss2 names the company in one story and the shop in another; the rest name nobody.
    assert (report.new_stories, report.scored_stories, report.queued_stories) == (8, 2, 6)
    assert scorer.batches == [2]
    assert len(scorer.pairs) == 1, "every link of the cycle in one batch"
    assert sorted(entity for _, entity in scorer.pairs[0]) == ["瑞安保险", "鑫达汽修"]
    links = await _rows(
        graph,
        "MATCH (s:Story)-[r:MENTIONS]->(x) RETURN x.id AS node, r.surface AS surface, "
        "r.sentiment AS sentiment, r.p_negative AS p_negative, s.sentiment AS story "
        "ORDER BY node",
    )
    assert links == [
        {
            "node": SHOP,
            "surface": "鑫达汽修",
            "sentiment": "negative",
            "p_negative": 0.9,
            "story": "negative",
        },
        {
            "node": COMPANY,
            "surface": "瑞安保险",
            "sentiment": "positive",
            "p_negative": 0.05,
            "story": "positive",
        },
    ]
    waiting = await _rows(
        graph,
        "MATCH (s:Unscored)<-[:IN_STORY]-(m:Mention) RETURN s.score_priority AS priority, "
        "s.sentiment AS story, m.sentiment AS mention",
    )
    assert waiting == [{"priority": 1, "story": None, "mention": None}] * 6

    # A new monitor process (another lease owner) finds the queue as it was and works it off.
    async with monitor(tuned_settings(settings), graph, scorer, owner="restarted") as again:
        assert again.backlog is not None
        assert await again.backlog.work_off() == 6
    assert await StoryScoreRepository(graph).waiting() == {}
    unscored = await _rows(graph, "MATCH (m:Mention) WHERE m.sentiment IS NULL RETURN m.id AS id")
    assert unscored == []


async def test_a_story_counts_only_against_the_subject_it_is_negative_about(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    item = Item(BOTH, "记者获悉，涉事门店已被约谈。", "both-1", "https://x.example.cn/1", T0)
    server.routes["/both"] = Route(rss_document("快讯", [item]))
    await add_feeds(graph, {"both": server.url("/both")})
    async with monitor(
        tuned_settings(settings), graph, PairScorer(negative_about={"鑫达汽修"})
    ) as worker:
        report = await worker.run_once()
    (story_id,) = report.stories_with_new_mentions
    alerts = AlertRepository(graph)
    subjects = await alerts.subjects_of_stories([story_id])
    assert [s.subject_id for s in subjects] == [SHOP]
    since = T0 - timedelta(days=1)
    assert await alerts.negative_stories(COMPANY, since, T0 + timedelta(minutes=1)) == []
    against_shop = await alerts.negative_stories(SHOP, since, T0 + timedelta(minutes=1))
    assert [(r.story_id, r.confidence) for r in against_shop] == [(story_id, 0.9)]


async def test_scoring_workers_share_the_queue_linked_first_and_never_skips_the_backlog(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    server.routes["/rss2"] = Route(fixture("rss2.xml"))
    server.routes["/plain"] = Route(generated_feed("plain", 3))
    await add_feeds(graph, {name: server.url(f"/{name}") for name in ("rss2", "plain")})
    scorer = PairScorer(negative_about=set())
    # Scoring left to `riskwatch score` workers: the cycle scores nothing.
    offline = tuned_settings(settings, sentiment_inline=False, sentiment_backlog="never")
    async with monitor(offline, graph, scorer) as worker:
        report = await worker.run_once()
    assert (report.scored_stories, report.queued_stories, scorer.batches) == (0, 6, [])
    queue = StoryScoreRepository(graph)
    assert await queue.waiting() == {0: 2, 1: 4}

    first = await queue.claim("a", T0, timedelta(minutes=2), 1, max_priority=1)
    second = await queue.claim("b", T0, timedelta(minutes=2), 5, max_priority=1)
    assert [bool(s.links) for s in first] == [True], "a linked story comes first"
    assert first[0].id not in {s.id for s in second}
    assert sorted(bool(s.links) for s in second) == [False, False, False, False, True]
    assert await queue.release("a") == 1
    assert await queue.release("b") == 5

    told: list[list[str]] = []

    async def on_scored(ids: list[str]) -> None:
        told.append(ids)

    only_linked = scoring_worker(offline, graph, scorer, on_scored, owner="w")
    only_linked.clock = lambda: T0
    assert await only_linked.work_off() == 2
    assert await queue.waiting() == {1: 4}, "with RISKWATCH_SENTIMENT_BACKLOG=never"
    assert len(told) == 1
    assert len(told[0]) == 2
    linked = await _rows(
        graph,
        "MATCH (s:Story)-[r:MENTIONS]->() RETURN s.sentiment AS story, r.sentiment AS link",
    )
    assert len(linked) == 2
    assert all(r["story"] and r["link"] == "positive" for r in linked)


async def test_a_queued_story_that_gains_a_linked_mention_moves_to_the_front(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    # The wire story, first seen in a copy that names nobody, then in one naming the company.
    anonymous = fixture("syndicated_a.xml").replace("瑞安保险".encode(), "一家保险公司".encode())
    server.routes["/anonymous"] = Route(anonymous)
    await add_feeds(graph, {"anonymous": server.url("/anonymous")})
    offline = tuned_settings(settings, sentiment_inline=False)
    queue = StoryScoreRepository(graph)
    async with monitor(offline, graph, PairScorer(negative_about=set())) as worker:
        first = await worker.run_once()
        assert (first.new_stories, first.queued_stories) == (1, 1)
        assert await queue.waiting() == {1: 1}

        server.routes["/named"] = Route(fixture("syndicated_b.xml"))
        await add_feeds(graph, {"named": server.url("/named")})
        worker.clock = lambda: T0 + timedelta(minutes=1)
        joined = await worker.run_once()
    assert (joined.new_mentions, joined.new_stories) == (1, 0)
    assert joined.stories_with_new_mentions == first.stories_with_new_mentions
    assert await queue.waiting() == {0: 1}


class _ReleasingScorer(PairScorer):
    """A PairScorer that, once it has scored a text, lets the held feed answer."""

    def __init__(self, release: asyncio.Event) -> None:
        super().__init__(negative_about={"鑫达汽修"})
        self.release = release
        self.loop = asyncio.get_running_loop()
        self.fail_first = False

    def score(self, texts: Sequence[str]) -> list[FixedScore]:
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("the scorer's first call fails")
        scores = super().score(texts)
        self.loop.call_soon_threadsafe(self.release.set)
        return scores


async def test_linked_stories_are_scored_while_other_feeds_are_still_fetched(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    # The held feed answers only once the scorer has scored something: if linked stories
    # waited for the whole fetch, it would time out (1 s) and fail.
    release = asyncio.Event()
    server.routes["/rss2"] = Route(fixture("rss2.xml"))
    server.routes["/held"] = Route(generated_feed("held", 3), hold=release)
    await add_feeds(graph, {name: server.url(f"/{name}") for name in ("rss2", "held")})
    scorer = _ReleasingScorer(release)
    async with monitor(tuned_settings(settings), graph, scorer) as worker:
        report = await worker.run_once()
        assert report.outcomes == {"ok": 2}
        assert (report.scored_stories, report.scored_ahead) == (2, 2)
        assert scorer.batches == [2], "each linked story scored once, while fetching"
        assert report.linked_stored_s is not None
        links = await _rows(
            graph,
            "MATCH (s:Story)-[r:MENTIONS]->(x) RETURN x.id AS node, r.sentiment AS sentiment, "
            "s.sentiment AS story ORDER BY node",
        )
        assert links == [
            {"node": SHOP, "sentiment": "negative", "story": "negative"},
            {"node": COMPANY, "sentiment": "positive", "story": "positive"},
        ]

        # A re-poll finds both mentions stored: nothing is scored again, ahead or after.
        worker.clock = lambda: T0 + timedelta(minutes=10)
        again = await worker.run_once()
    assert (again.feeds, again.new_mentions, again.scored_ahead) == (2, 0, 0)
    assert scorer.batches == [2]


async def test_when_scoring_ahead_fails_the_cycle_scores_the_stories_itself(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    release = asyncio.Event()
    release.set()
    server.routes["/rss2"] = Route(fixture("rss2.xml"))
    await add_feeds(graph, {"rss2": server.url("/rss2")})
    scorer = _ReleasingScorer(release)
    scorer.fail_first = True
    async with monitor(tuned_settings(settings), graph, scorer) as worker:
        report = await worker.run_once()
    assert (report.scored_stories, report.scored_ahead) == (2, 0)
    assert scorer.batches == [2]
    scored = await _rows(graph, "MATCH (s:Story) WHERE s.sentiment IS NOT NULL RETURN s.id AS id")
    assert len(scored) == 2
