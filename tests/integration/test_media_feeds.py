"""The poll -> mention path against a real local feed server and the real Neo4j."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import anyio
import pytest
from prometheus_client import REGISTRY

from api.settings import Settings
from graph.bulk.demo import write_demo_book
from graph.client import Graph
from graph.media.feeds import FeedRepository
from models.records import PartyKind, party_id
from monitors.feeds.pipeline import CycleReport
from tests.feed_server import FeedServer, Route
from tests.integration.media_support import (
    T0,
    KeywordScorer,
    add_feeds,
    feeds_by_name,
    fixture,
    generated_feed,
    monitor,
    tuned_settings,
)

pytestmark = pytest.mark.integration

ATOM = "application/atom+xml; charset=utf-8"


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


def _failed_polls() -> float:
    return REGISTRY.get_sample_value("riskwatch_feed_polls_total", {"outcome": "failed"}) or 0.0


async def _count(graph: Graph, cypher: str, **params: object) -> int:
    records = await graph.read(cypher, **params)
    return int(records[0]["n"])


async def test_good_feeds_land_bad_ones_are_recorded_and_repolls_add_nothing(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    server.routes.update(
        {
            "/rss2": Route(fixture("rss2.xml")),
            "/atom": Route(fixture("atom.xml"), content_type=ATOM),
            "/rss1": Route(fixture("rss1.xml")),
            "/malformed": Route(fixture("malformed.xml")),
            "/garbage": Route(fixture("garbage.html"), content_type="text/html"),
            "/etag": Route(generated_feed("etag", 2), etag='"v1"'),
            "/gzip": Route(generated_feed("gzip", 2), gzip=True),
            "/slow": Route(generated_feed("slow", 2), delay_s=5.0),
            "/broken": Route(b"oops", status=500, content_type="text/plain"),
            "/huge": Route(generated_feed("huge", 3000)),
            "/throttled": Route(b"", status=429, headers={"Retry-After": "7200"}),
            "/r1": Route(status=302, redirect_to="/r2"),
            "/r2": Route(status=301, redirect_to="/final"),
            "/final": Route(generated_feed("final", 1)),
            "/loop": Route(status=302, redirect_to="/loop"),
        }
    )
    paths = [p for p in server.routes if p not in ("/r2", "/final")]
    await add_feeds(graph, {p.strip("/"): server.url(p) for p in paths})
    failed_before = _failed_polls()
    scorer = KeywordScorer()

    async with monitor(tuned_settings(settings), graph, scorer) as worker:
        first = await worker.run_once()
        assert first.feeds == 13
        assert first.outcomes == {"ok": 7, "failed": 6}
        assert first.new_mentions == 3 + 2 + 2 + 2 + 2 + 2 + 1
        assert _failed_polls() - failed_before == 6
        # The two stories naming the company are scored in the cycle, each once (as their
        # feeds arrive, or after the fetch); the nine others wait in the queue until the
        # monitor is idle.
        assert (first.scored_stories, first.queued_stories) == (2, first.new_stories - 2)
        in_cycle = list(scorer.batches)
        assert sum(in_cycle) == 2, "each linked story scored once in the cycle"
        assert worker.backlog is not None
        assert await worker.backlog.work_off() == first.new_stories - 2
        assert scorer.batches == [*in_cycle, first.new_stories - 2]
        assert await _count(graph, "MATCH (s:Unscored) RETURN count(s) AS n") == 0

        feeds = await feeds_by_name(graph)
        for good, seen in {"rss2": 3, "atom": 2, "rss1": 2, "malformed": 2, "gzip": 2}.items():
            assert feeds[good].consecutive_failures == 0
            assert feeds[good].last_success_at == T0
            assert feeds[good].items_seen == seen
        assert feeds["malformed"].last_bozo is True
        assert feeds["rss2"].last_bozo is False
        assert feeds["etag"].etag == '"v1"'
        errors = {name: feeds[name].last_error or "" for name in feeds}
        assert errors["broken"] == "HTTP 500"
        assert errors["slow"].startswith("timed out")
        assert errors["huge"].startswith("response over 200000 bytes")
        assert errors["garbage"].startswith("not a usable feed")
        assert errors["throttled"] == "HTTP 429"
        assert errors["loop"] == "more than 5 redirects"
        assert feeds["throttled"].next_poll_at == T0 + timedelta(seconds=7200)
        assert feeds["broken"].next_poll_at == T0 + timedelta(seconds=600)
        assert all(feeds[name].consecutive_failures == 1 for name in ("broken", "slow", "huge"))
        assert server.hits["/r1"] == server.hits["/r2"] == server.hits["/final"] == 1
        assert feeds["r1"].items_seen == 1

        worker.clock = lambda: T0 + timedelta(hours=3)
        second = await worker.run_once()
        assert second.feeds == 13
        assert second.new_mentions == 0
        assert second.outcomes["not_modified"] == 1
        assert server.conditional_hits["/etag"] == 1
        assert await _count(graph, "MATCH (m:Mention) RETURN count(m) AS n") == 14

        worker.clock = lambda: T0 + timedelta(hours=30)
        await worker.run_once()
        broken = (await feeds_by_name(graph))["broken"]
        assert broken.enabled is False
        assert broken.consecutive_failures == 3
        assert broken.disabled_reason == "3 consecutive failures, last: HTTP 500"

        hits_before = server.hits["/broken"]
        worker.clock = lambda: T0 + timedelta(days=30)
        later = await worker.run_once()
        assert server.hits["/broken"] == hits_before, "a disabled feed is not polled"
        assert later.outcomes.get("ok", 0) + later.outcomes.get("not_modified", 0) == 7
        healthy = await feeds_by_name(graph)
        assert all(healthy[name].enabled for name in ("rss2", "atom", "gzip", "etag"))


async def test_a_syndicated_story_is_one_story_with_every_source(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    for name in ("a", "b", "c"):
        server.routes[f"/{name}"] = Route(fixture(f"syndicated_{name}.xml"))
    server.routes["/other"] = Route(fixture("rss2.xml"))
    await add_feeds(graph, {p: server.url(f"/{p}") for p in ("a", "b", "c", "other")})
    stories: list[list[str]] = []

    async def record(ids: list[str]) -> None:
        stories.append(ids)

    async with monitor(tuned_settings(settings), graph, KeywordScorer(), record) as worker:
        report = await worker.run_once()
    assert report.new_mentions == 6
    assert report.new_stories == 4
    records = await graph.read(
        "MATCH (s:Story)<-[:IN_STORY]-(m:Mention) WITH s, count(m) AS mentions "
        "WHERE mentions > 1 RETURN s.id AS id, s.source_count AS sources, mentions, "
        "s.sentiment AS sentiment"
    )
    assert [(r["sources"], r["mentions"], r["sentiment"]) for r in records] == [(3, 3, "negative")]
    assert stories == [report.stories_with_new_mentions]
    assert records[0]["id"] in stories[0]

    # The same wire story in a feed polled in a later cycle joins the stored story.
    late = fixture("syndicated_a.xml").replace(b"wire-a-20241017-rain", b"late-1")
    late = late.replace(b"wire-a.example.cn/2024/10/17", b"late.example.cn/x")
    server.routes["/late"] = Route(late)
    await add_feeds(graph, {"late": server.url("/late")})
    async with monitor(tuned_settings(settings), graph, KeywordScorer(), record) as worker:
        again = await worker.run_once()
    assert (again.new_mentions, again.new_stories) == (1, 0)
    assert stories[-1] == [records[0]["id"]]
    sources = await graph.read(
        "MATCH (s:Story {id: $id}) RETURN s.source_count AS n", id=records[0]["id"]
    )
    assert sources[0]["n"] == 4


async def test_items_seen_again_in_another_feed_add_that_source_and_nothing_else(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    server.routes["/first"] = Route(fixture("rss2.xml"))
    server.routes["/mirror"] = Route(fixture("rss2.xml"))
    await add_feeds(graph, {"first": server.url("/first")})
    async with monitor(tuned_settings(settings), graph, KeywordScorer()) as worker:
        first = await worker.run_once()
        await add_feeds(graph, {"mirror": server.url("/mirror")})
        mirrored = await worker.run_once()  # only the mirror is due
    assert (first.new_mentions, first.new_stories) == (3, 3)
    assert (mirrored.feeds, mirrored.new_mentions, mirrored.new_stories) == (1, 0, 0)
    stories = await graph.read(
        "MATCH (s:Story)<-[:IN_STORY]-(m:Mention) "
        "RETURN s.source_count AS sources, COUNT { (m)-[:FROM]->() } AS feeds"
    )
    assert [(r["sources"], r["feeds"]) for r in stories] == [(2, 2)] * 3
    feeds = await feeds_by_name(graph)
    assert (feeds["first"].items_seen, feeds["mirror"].items_seen) == (3, 3)


async def test_a_mention_naming_a_demo_repair_shop_is_linked_to_it(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    await write_demo_book(graph, 20, 7, settings.identity_key)
    server.routes["/rss2"] = Route(fixture("rss2.xml"))
    await add_feeds(graph, {"rss2": server.url("/rss2")})
    async with monitor(tuned_settings(settings), graph, KeywordScorer()) as worker:
        await worker.run_once()
    shop = party_id(PartyKind.REPAIR_SHOP, "S9000001")
    linked = await graph.read(
        "MATCH (n)-[:MENTIONS]->(:RepairShop {id: $shop}) "
        "RETURN labels(n)[0] AS label, n.title AS title, n.sentiment AS sentiment",
        shop=shop,
    )
    assert sorted((r["label"], r["sentiment"]) for r in linked) == [
        ("Mention", "negative"),
        ("Story", "negative"),
    ]
    assert all("鑫达汽修" in r["title"] for r in linked)
    company = await _count(
        graph,
        "MATCH (:Mention)-[:MENTIONS]->(s:Subject {kind: 'COMPANY'}) RETURN count(*) AS n",
    )
    assert company == 1, "only the growth story names the company"
    assert (
        await _count(graph, "MATCH (:Mention)-[:MENTIONS]->(:Customer) RETURN count(*) AS n") == 0
    )


async def test_loopback_feeds_are_refused_unless_allowed(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    server.routes["/rss2"] = Route(fixture("rss2.xml"))
    await add_feeds(graph, {"local": server.url("/rss2")})
    strict = tuned_settings(settings, feeds={"allow_private": False})
    async with monitor(strict, graph, KeywordScorer()) as worker:
        report = await worker.run_once()
    assert report.outcomes == {"failed": 1}
    assert server.hits["/rss2"] == 0, "nothing is sent to a blocked address"
    feed = (await feeds_by_name(graph))["local"]
    assert (feed.last_error or "").startswith("blocked:")


async def test_two_workers_never_poll_the_same_feed_and_dead_leases_expire(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    names = [f"f{n:02d}" for n in range(24)]
    for name in names:
        server.routes[f"/{name}"] = Route(generated_feed(name, 2), delay_s=0.05)
    await add_feeds(graph, {name: server.url(f"/{name}") for name in names})
    tuned = tuned_settings(settings, feeds={"poll_batch": 16})
    reports: list[CycleReport] = []
    async with (
        monitor(tuned, graph, KeywordScorer(), owner="worker-a") as a,
        monitor(tuned, graph, KeywordScorer(), owner="worker-b") as b,
    ):

        async def poll(worker: object) -> None:
            reports.append(await worker.run_once())  # type: ignore[attr-defined]

        for _ in range(2):
            async with anyio.create_task_group() as group:
                group.start_soon(poll, a)
                group.start_soon(poll, b)
            assert all(server.hits[f"/{name}"] <= 1 for name in names), "polled twice"
        assert sum(r.feeds for r in reports) == 24
        assert all(server.hits[f"/{name}"] == 1 for name in names)
        assert await _count(graph, "MATCH (m:Mention) RETURN count(m) AS n") == 48

    # A worker that claims and dies: its feeds wait until the lease runs out.
    repo = FeedRepository(graph)
    later = T0 + timedelta(hours=1)
    lease = timedelta(seconds=120)
    claimed = await repo.claim_due("dead-worker", later, lease, 100)
    assert len(claimed) == 24
    async with monitor(tuned, graph, KeywordScorer(), owner="worker-c") as c:
        c.clock = lambda: later + timedelta(seconds=60)
        assert (await c.run_once()).feeds == 0
        # A live worker renews its leases while its cycle runs; a dead one does not.
        assert await repo.renew_leases("dead-worker", later + timedelta(seconds=60), lease) == 24
        c.clock = lambda: later + timedelta(seconds=121)
        assert (await c.run_once()).feeds == 0
        c.clock = lambda: later + timedelta(seconds=181)
        assert (await c.run_once()).feeds == 16
        assert await repo.renew_leases("dead-worker", later + timedelta(seconds=181), lease) == 0


async def test_a_failing_story_callback_is_counted_and_polling_goes_on(
    graph: Graph, settings: Settings, server: FeedServer
) -> None:
    server.routes["/atom"] = Route(fixture("atom.xml"), content_type=ATOM)
    await add_feeds(graph, {"atom": server.url("/atom")})

    async def broken(ids: list[str]) -> None:
        raise RuntimeError("crisis detector down")

    before = REGISTRY.get_sample_value("riskwatch_story_callback_errors_total") or 0.0
    async with monitor(tuned_settings(settings), graph, KeywordScorer(), broken) as worker:
        report = await worker.run_once()
    assert report.new_mentions == 2
    assert (REGISTRY.get_sample_value("riskwatch_story_callback_errors_total") or 0) == before + 1
    assert (await feeds_by_name(graph))["atom"].lease_owner is None
