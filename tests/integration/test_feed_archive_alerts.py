"""Baselines from a feed's own archive: on a feed's first poll, items published before the
current window count into the baseline at their publication time, so a shop with two weeks
of archive and a burst in the last hour alerts at once, while a flood of old items (however
negative) never looks like a spike. Real HTTP feed server, real pipeline, real Neo4j."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from api.settings import Settings
from graph.bulk.ingest import GraphWriter
from graph.client import Graph
from models.names import fold_name, pinyin_key
from models.records import PartyKind, PartyRow, party_id
from monitors.crisis.detector import CrisisDetector
from monitors.feeds.pipeline import NewStoriesCallback
from tests.feed_server import FeedServer, Item, Route, rss_document
from tests.integration.crisis_fixtures import MovableClock, make_detector
from tests.integration.media_support import T0, KeywordScorer, add_feeds, monitor, tuned_settings

BURSTING = ("S1", "宏信汽修")
STEADY = ("S2", "佳驰汽车服务中心")
FLOODED = ("S3", "永泰快修")

pytestmark = pytest.mark.integration

# Filler drawn per item, so no two stories are near-duplicates of each other.
_FILLER = "春夏秋冬东西南北山水田林花草云雨风雪江河湖海城乡街巷桥路楼台车船灯火金木石竹"
# KeywordScorer's words: 投诉 reads negative, 推出 positive, anything else neutral.
_ORDINARY = ("门店发布营业时间调整公告", "推出夜间接车服务", "车主投诉等待时间过长")


def _filler(rng: random.Random) -> str:
    return "".join(rng.choice(_FILLER) for _ in range(14))


def _item(shop: str, n: int, event: str, at: datetime, rng: random.Random) -> Item:
    return Item(
        title=f"{shop}{event}，{_filler(rng)}",
        description=f"据了解，{_filler(rng)}。{_filler(rng)}。",
        guid=f"{shop}-{n}",
        link=f"https://news.example.cn/{fold_name(shop)}/{n}",
        published=at,
    )


def _alerting(detector: CrisisDetector) -> NewStoriesCallback:
    """The detector as the pipeline calls it: told of new stories, its alerts left in the graph."""

    async def check(story_ids: list[str]) -> None:
        await detector.on_new_stories(story_ids)

    return check


def archive(shop: str, days: int, rng: random.Random, only: str | None = None) -> list[Item]:
    """Three stories a day for ``days`` days before ``T0`` (none in the last two hours)."""
    items: list[Item] = []
    for day in range(days):
        for slot, event in enumerate(_ORDINARY):
            at = T0 - timedelta(days=day, hours=3 + 5 * slot, minutes=rng.randrange(60))
            items.append(_item(shop, len(items), only or event, at, rng))
    return items


def burst(shop: str, count: int, rng: random.Random) -> list[Item]:
    """``count`` distinct negative stories published within the last hour."""
    return [
        _item(shop, 1000 + n, "遭多名车主投诉", T0 - timedelta(minutes=4 + 6 * n), rng)
        for n in range(count)
    ]


async def _add_shops(graph: Graph, *shops: tuple[str, str]) -> None:
    rows: list[PartyRow] = [
        {
            "id": party_id(PartyKind.REPAIR_SHOP, ref),
            "props": {
                "ref": ref,
                "name": name,
                "name_key": fold_name(name),
                "pinyin_key": pinyin_key(name),
            },
            "identifiers": [],
        }
        for ref, name in shops
    ]
    await GraphWriter(graph).parties(PartyKind.REPAIR_SHOP, rows)


async def _alerts(graph: Graph) -> list[dict[str, object]]:
    records = await graph.read(
        "MATCH (a:Alert) RETURN a {.subject_id, .kind, .severity, .explanation} AS a "
        "ORDER BY a.subject_id, a.kind"
    )
    return [dict(r["a"]) for r in records]


async def test_a_burst_over_a_fortnight_of_archive_alerts_on_the_first_poll(
    graph: Graph, settings: Settings
) -> None:
    rng = random.Random(17)
    await _add_shops(graph, BURSTING, STEADY, FLOODED)
    bursting = burst(BURSTING[1], 8, rng)
    # The archive also holds a story that one of the burst's repeats word for word, ten days
    # earlier: two stories, each counted at its own date, not one dated ten days ago.
    rerun = replace(bursting[0], guid="rerun", published=T0 - timedelta(days=10))
    local = [*archive(BURSTING[1], 14, rng), rerun, *bursting]
    local += archive(STEADY[1], 14, rng)
    # Two weeks of nothing but complaints, all of it old: history, not a spike.
    forum = archive(FLOODED[1], 14, rng, only="遭车主投诉")
    clock = MovableClock(T0)
    detector = make_detector(graph, clock)
    async with FeedServer() as server:
        server.routes["/local"] = Route(rss_document("本地新闻", local))
        server.routes["/forum"] = Route(rss_document("车友论坛", forum))
        await add_feeds(graph, {"本地新闻": server.url("/local"), "车友论坛": server.url("/forum")})
        async with monitor(
            tuned_settings(settings), graph, KeywordScorer(), _alerting(detector)
        ) as worker:
            report = await worker.run_once()
            assert report.new_stories == len(local) + len(forum), "every story is distinct"
            alerts = await _alerts(graph)
            assert [(a["subject_id"], a["kind"]) for a in alerts] == [
                (party_id(PartyKind.REPAIR_SHOP, BURSTING[0]), "SPIKE")
            ]
            explanation = json.loads(str(alerts[0]["explanation"]))
            assert explanation["stories"] == 8
            assert explanation["history_days"] > 13, "warm-up runs from the archive's start"
            assert explanation["baseline"] == "same hour of day"

            # Stories count where they were published: fourteen days of them, not one poll.
            days = await graph.read(
                "MATCH (s:Story) RETURN count(DISTINCT date(s.published_at)) AS days, "
                "max(s.published_at) <= min(s.first_seen_at) AS none_after_seen"
            )
            assert days[0]["days"] >= 14
            assert days[0]["none_after_seen"]

            # A later poll that brings nothing new changes nothing.
            clock.advance(timedelta(minutes=10))
            await graph.write("MATCH (f:Feed) SET f.next_poll_at = $at", at=T0)
            again = await worker.run_once()
    assert again.new_stories == 0
    assert len(await _alerts(graph)) == 1


async def test_only_current_news_from_a_high_impact_source_raises_its_trigger(
    graph: Graph, settings: Settings
) -> None:
    rng = random.Random(18)
    await _add_shops(graph, STEADY)
    old = _item(STEADY[1], 1, "遭车主投诉", T0 - timedelta(days=3), rng)
    recent = _item(STEADY[1], 2, "再遭车主投诉", T0 - timedelta(minutes=20), rng)
    clock = MovableClock(T0)
    detector = make_detector(graph, clock)
    async with FeedServer() as server:
        server.routes["/tv"] = Route(rss_document("财经频道", [old, recent]))
        await add_feeds(graph, {"财经频道": server.url("/tv")}, high_impact=True)
        async with monitor(
            tuned_settings(settings), graph, KeywordScorer(), _alerting(detector)
        ) as worker:
            await worker.run_once()
    [alert] = await _alerts(graph)
    assert alert["kind"] == "HIGH_IMPACT_SOURCE"
    cited = json.loads(str(alert["explanation"]))["stories"]
    assert [story["title"] for story in cited] == [recent.title]
