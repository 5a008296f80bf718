"""The demo's media corpus: well formed, dated deterministically from an anchor, placeholders
filled from the cast, served as RSS up to now; and the demo feeds' narrow URL allowance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.demo_coverage import (
    CRISIS_SHOP,
    DEFAULT_COMPANY,
    DemoCast,
    cast_ids,
    demo_company,
    feed_document,
    load_corpus,
    load_feeds,
    schedule,
)
from models.media import SubjectKind, SubjectSpec
from monitors.feeds.demo_allowance import within_demo_allowance
from monitors.feeds.parse import parse_document

ANCHOR = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8000/demo/feeds/"
# Real insurers' names the corpus must never use (a sample of the project's avoid list).
REAL_INSURERS = ("平安", "人寿", "人保", "太平洋", "泰康", "华泰", "众诚", "大地", "阳光", "众安")


def _cast() -> DemoCast:
    return DemoCast(
        "瑞安保险", "瑞安财险", {pid: f"演示{pid[-2:]}号" for pid in cast_ids(load_corpus())}
    )


def test_the_corpus_is_well_formed_and_fictional() -> None:
    items = load_corpus()
    feeds = {feed.slug for feed in load_feeds()}
    assert len(items) >= 200
    assert len({item.id for item in items}) == len(items)
    assert {item.phase for item in items} == {"archive", "crisis", "live"}
    assert {item.feed for item in items} | {s for item in items for s in item.also} <= feeds
    assert {item.day for item in items if item.phase == "archive"} == set(range(14))
    crisis = [item for item in items if item.phase == "crisis"]
    assert all(-60 < (item.minutes or 0) < 0 and item.label == "negative" for item in crisis)
    assert all(CRISIS_SHOP in item.title for item in crisis)
    assert any(item.feed == "caijing" for item in crisis), "one from the high-impact source"
    for item in items:
        assert not any(name in item.title + item.lead for name in REAL_INSURERS), item.id
        assert item.label in ("negative", "neutral", "positive")


def test_schedule_is_deterministic_and_spreads_the_archive_over_a_fortnight() -> None:
    one = schedule(load_corpus(), load_feeds(), _cast(), ANCHOR, seed=7)
    two = schedule(load_corpus(), load_feeds(), _cast(), ANCHOR, seed=7)
    other = schedule(load_corpus(), load_feeds(), _cast(), ANCHOR, seed=8)
    assert one == two
    assert [s.guid for s in one] == [s.guid for s in other]
    assert [s.published for s in one] != [s.published for s in other]
    archive = [s for s in one if s.item.phase == "archive"]
    assert len({(ANCHOR - s.published).days for s in archive}) == 14
    assert all(
        ANCHOR - timedelta(days=14) <= s.published <= ANCHOR - timedelta(hours=2) for s in archive
    )
    crisis = [s for s in one if s.item.phase == "crisis"]
    assert all(ANCHOR - timedelta(hours=1) < s.published < ANCHOR for s in crisis)
    assert not any("{" in s.title + s.lead for s in one), "every placeholder filled"
    copies = [s for s in one if s.guid.count(":") == 2]
    assert copies, "some stories are syndicated to a second feed"


def test_items_naming_a_party_outside_the_cast_are_left_out() -> None:
    lean = DemoCast("瑞安保险", "瑞安财险", {CRISIS_SHOP: "鑫达汽修"})
    stories = schedule(load_corpus(), load_feeds(), lean, ANCHOR, seed=7)
    assert stories
    assert all(set(cast_ids([story.item])) <= {CRISIS_SHOP} for story in stories)
    assert len(stories) < len(schedule(load_corpus(), load_feeds(), _cast(), ANCHOR, seed=7))


def test_a_feed_serves_what_is_published_by_now_newest_first() -> None:
    stories = schedule(load_corpus(), load_feeds(), _cast(), ANCHOR, seed=7)
    feed = next(f for f in load_feeds() if f.slug == "dushi")
    at_anchor = parse_document(feed_document(feed, stories, ANCHOR), "feed:x", ANCHOR)
    later = parse_document(
        feed_document(feed, stories, ANCHOR + timedelta(hours=3)),
        "feed:x",
        ANCHOR + timedelta(hours=3),
    )
    assert at_anchor.entries
    assert all(e.published_at <= ANCHOR for e in at_anchor.entries)
    assert len(later.entries) > len(at_anchor.entries), "the live tail appears as time passes"
    times = [e.published_at for e in later.entries]
    assert times == sorted(times, reverse=True)


def test_the_configured_company_or_the_fictional_default() -> None:
    configured = SubjectSpec(SubjectKind.COMPANY, "恒安达保险", ("恒安达财险",))
    product = SubjectSpec(SubjectKind.PRODUCT, "车险", ())
    assert demo_company([product, configured]) == (configured, False)
    assert demo_company([product]) == (DEFAULT_COMPANY, True)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (BASE + "dushi.xml", True),
        ("HTTP://127.0.0.1:8000/demo/feeds/caijing.xml", True),
        (BASE + "../graphql", False),
        ("http://127.0.0.1:8000/demo/feeds/%2e%2e/graphql", False),
        ("http://127.0.0.1:8000/graphql", False),
        ("http://127.0.0.1:8001/demo/feeds/dushi.xml", False),
        ("http://localhost:8000/demo/feeds/dushi.xml", False),
        ("https://127.0.0.1:8000/demo/feeds/dushi.xml", False),
        ("http://user:pw@127.0.0.1:8000/demo/feeds/dushi.xml", False),
        (BASE + "dushi.xml?x=1", False),
        (BASE + "a/dushi.xml", False),
        ("http://127.0.0.1:99999/demo/feeds/dushi.xml", False),
        ("http://10.0.0.1:8000/demo/feeds/dushi.xml", False),
    ],
)
def test_the_demo_allowance_covers_exactly_the_demo_documents(url: str, allowed: bool) -> None:
    assert within_demo_allowance(url, BASE) is allowed
    assert within_demo_allowance(url, None) is False
