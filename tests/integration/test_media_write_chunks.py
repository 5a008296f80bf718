"""A poll cycle's writes in chunks of whole stories (RISKWATCH_FEED_WRITE_CHUNK), against a
real local feed server and the real Neo4j: every story lands once, a chunk lands whole or
not at all, and a round that failed part-way is completed by the next poll without
duplicates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from neo4j.exceptions import ConstraintError
from prometheus_client import REGISTRY

from api.settings import Settings
from graph.client import Graph
from tests.feed_server import FeedServer, Route
from tests.integration.media_support import (
    T0,
    KeywordScorer,
    add_feeds,
    fixture,
    generated_feed,
    monitor,
    tuned_settings,
)

pytestmark = pytest.mark.integration

CHUNK = 2
# One wire story in three feeds and one more story naming the company (both scored in the
# cycle, so they make the first chunk), and seven stories naming nobody (queued).
STORIES, MENTIONS, SCORED = 9, 11, 2
# (mentions, sources, still queued) of the two scored stories.
SCORED_STORIES = [(3, 3, False), (1, 1, False)]
BLOCKED_URL = "https://plain.example.cn/4"


@pytest.fixture
async def server(graph: Graph) -> AsyncIterator[FeedServer]:
    async with FeedServer() as feeds:
        for name in ("a", "b", "c"):
            feeds.routes[f"/{name}"] = Route(fixture(f"syndicated_{name}.xml"))
        feeds.routes["/named"] = Route(generated_feed("named", 1, topic="瑞安保险车险"))
        feeds.routes["/plain"] = Route(generated_feed("plain", 7))
        await add_feeds(graph, {path.strip("/"): feeds.url(path) for path in feeds.routes})
        yield feeds


def _created() -> tuple[float, float]:
    return tuple(  # type: ignore[return-value]
        REGISTRY.get_sample_value(f"riskwatch_{kind}_created_total") or 0.0
        for kind in ("mentions", "stories")
    )


async def _stories(graph: Graph) -> dict[str, tuple[int, int, bool]]:
    """Story id -> (its mentions, its source count, whether it is still queued)."""
    records = await graph.read(
        "MATCH (s:Story) RETURN s.id AS id, COUNT { (s)<-[:IN_STORY]-(:Mention) } AS mentions, "
        "s.source_count AS sources, s:Unscored AS queued"
    )
    return {r["id"]: (r["mentions"], r["sources"], r["queued"]) for r in records}


async def _assert_every_story_once(graph: Graph) -> None:
    stories = await _stories(graph)
    assert sorted(stories.values()) == sorted(SCORED_STORIES + [(1, 1, True)] * (STORIES - SCORED))
    in_story = await graph.read(
        "MATCH (m:Mention) RETURN m.url AS url, COUNT { (m)-[:IN_STORY]->() } AS stories"
    )
    assert len(in_story) == MENTIONS
    assert len({r["url"] for r in in_story}) == MENTIONS
    assert all(r["stories"] == 1 for r in in_story)
    await _assert_each_item_counted_once(graph)


async def _assert_each_item_counted_once(graph: Graph) -> None:
    """A feed's items_seen is the number of mentions from it, however the rounds went."""
    feeds = await graph.read(
        "MATCH (f:Feed) RETURN f.items_seen AS seen, COUNT { (f)<-[:FROM]-(:Mention) } AS items"
    )
    assert sum(r["items"] for r in feeds) > 0
    assert [r["seen"] for r in feeds] == [r["items"] for r in feeds]


async def test_a_round_of_more_stories_than_a_chunk_lands_each_once_and_a_repoll_adds_nothing(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    told: list[list[str]] = []

    async def record(ids: list[str]) -> None:
        told.append(ids)

    created = _created()
    tuned = tuned_settings(settings, {"write_chunk": CHUNK})
    async with monitor(tuned, graph, KeywordScorer(), record) as worker:
        report = await worker.run_once()
        assert (report.new_stories, report.new_mentions) == (STORIES, MENTIONS)
        assert (report.scored_stories, report.queued_stories) == (SCORED, STORIES - SCORED)
        assert report.new_stories > 3 * CHUNK, "the round needs several chunks"
        await _assert_every_story_once(graph)
        assert told == [sorted(await _stories(graph))]
        assert _created() == (created[0] + MENTIONS, created[1] + STORIES)

        worker.clock = lambda: T0 + timedelta(hours=1)
        again = await worker.run_once()
    assert again.feeds == len(server.routes)
    assert (again.new_mentions, again.new_stories) == (0, 0)
    await _assert_every_story_once(graph)
    assert _created() == (created[0] + MENTIONS, created[1] + STORIES)


async def test_a_failed_chunk_lands_nothing_and_the_next_poll_adds_the_rest_once(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    # A real failure inside one chunk's transaction: a mention of one plain story breaks a
    # uniqueness constraint, after its chunk's stories were created in the same transaction.
    await graph.write(
        "CREATE CONSTRAINT chunk_test_mention_url IF NOT EXISTS "
        "FOR (m:Mention) REQUIRE m.url IS UNIQUE"
    )
    told: list[list[str]] = []

    async def record(ids: list[str]) -> None:
        told.append(ids)

    created = _created()
    tuned = tuned_settings(settings, {"write_chunk": CHUNK})
    try:
        await graph.write("CREATE (:Mention {id: 'blocker', url: $url})", url=BLOCKED_URL)
        async with monitor(tuned, graph, KeywordScorer(), record) as worker:
            with pytest.RaisesGroup(ConstraintError):  # run_once's task group wraps it
                await worker.run_once()
            await graph.write("MATCH (m:Mention {id: 'blocker'}) DELETE m")
            landed = await _stories(graph)
            # Only whole chunks landed, the scored stories' first, and not the blocked one's.
            assert len(landed) % CHUNK == 0
            assert all(mentions for mentions, _, _ in landed.values()), "a story without mentions"
            assert CHUNK <= len(landed) < STORIES
            assert all(story in landed.values() for story in SCORED_STORIES)
            blocked = await graph.read(
                "MATCH (m:Mention {url: $url}) RETURN m.id AS id", url=BLOCKED_URL
            )
            assert blocked == []
            landed_mentions = sum(mentions for mentions, _, _ in landed.values())
            # The round failed, yet each feed counts the items of its that landed.
            await _assert_each_item_counted_once(graph)
            assert told == [sorted(landed)], "the crisis callback hears of what landed"
            assert _created() == (created[0] + landed_mentions, created[1] + len(landed))

            # The failed round recorded no poll: the feeds are due again once its leases end.
            worker.clock = lambda: T0 + timedelta(seconds=tuned.feeds.lease_s + 1)
            rest = await worker.run_once()
    finally:
        await graph.write("DROP CONSTRAINT chunk_test_mention_url IF EXISTS")
    assert rest.feeds == len(server.routes)
    assert rest.new_mentions == MENTIONS - landed_mentions
    assert rest.new_stories == STORIES - len(landed)
    await _assert_every_story_once(graph)
    assert told[1] == rest.stories_with_new_mentions
    assert sorted(told[0] + told[1]) == sorted(await _stories(graph))
    assert _created() == (created[0] + MENTIONS, created[1] + STORIES)
