"""The demo's media coverage: the corpus in ``models/demo_media``, dated and rendered as RSS.

The corpus (written for the project; its README describes the format) holds a fortnight of
ordinary Chinese headlines and leads, a planted crisis in the last hour (a burst of distinct
negative stories about the demo repair shop 鑫达汽修, one from the high-impact feed) and a
live tail published after the anchor. Texts name the company and demo partners through
placeholders (``{company}``, ``{alias}``, ``{shop:S0000004}``: a party id of the demo book)
that :class:`DemoCast` fills in. :func:`schedule` dates everything relative to an anchor
instant: archive items on their day before it at a time of day drawn from ``seed``, crisis
and live items at their fixed minutes from it; the same corpus, cast, anchor and seed give
the same stories. Pure: the corpus file is package data, read once.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from models.media import SubjectKind, SubjectSpec
from models.rss import RssItem, rss_document

CORPUS_DIR = Path(__file__).resolve().parent / "demo_media"
# The company the demo names when none is configured (fictional, like every name here).
DEFAULT_COMPANY = SubjectSpec(SubjectKind.COMPANY, "瑞安保险", ("瑞安财险",))
# The demo book's repair shop whose crisis the corpus plants (models.demo_book: S9000001).
CRISIS_SHOP = "shop:S9000001"
_PLACEHOLDER = re.compile(r"\{([a-z]+(?::[A-Z0-9]+)?)\}")
# Ordinary coverage stays out of the last two hours, so the planted burst stands alone.
_QUIET_BEFORE_ANCHOR = timedelta(hours=2)
_BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class DemoFeed:
    """One of the demo's news sources."""

    slug: str
    name: str
    high_impact: bool
    weight: float


@dataclass(frozen=True)
class CorpusItem:
    """One text of the corpus, as written (placeholders unfilled)."""

    id: str
    phase: str  # archive, crisis or live
    feed: str
    title: str
    lead: str
    label: str  # the sentiment it was written to carry (the model decides what is stored)
    day: int | None = None  # archive: days before the anchor
    minutes: int | None = None  # crisis and live: minutes from the anchor
    also: tuple[str, ...] = ()  # further feeds that carry a copy


@dataclass(frozen=True)
class DemoCast:
    """What the placeholders stand for: the company's name and alias, and party names by id."""

    company: str
    alias: str
    names: Mapping[str, str] = field(default_factory=dict)

    def fill(self, text: str) -> str | None:
        """The text with its placeholders filled; None if it names a party not in the cast."""
        missing = False

        def name(match: re.Match[str]) -> str:
            nonlocal missing
            key = match.group(1)
            if key == "company":
                return self.company
            if key == "alias":
                return self.alias
            if key not in self.names:
                missing = True
            return self.names.get(key, "")

        filled = _PLACEHOLDER.sub(name, text)
        return None if missing else filled

    def to_json(self) -> str:
        return json.dumps(
            {"company": self.company, "alias": self.alias, "names": dict(self.names)},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> DemoCast:
        row = json.loads(text)
        return cls(str(row["company"]), str(row["alias"]), dict(row["names"]))


@dataclass(frozen=True)
class DemoStory:
    """One dated item of one feed (a syndicated item is one story per feed carrying it)."""

    item: CorpusItem
    feed: str
    guid: str
    link: str
    title: str
    lead: str
    published: datetime

    def rss_item(self) -> RssItem:
        return RssItem(self.title, self.lead, self.guid, self.link, self.published)


@cache
def load_feeds() -> tuple[DemoFeed, ...]:
    """The demo's feeds (``feeds.json``)."""
    rows = json.loads((CORPUS_DIR / "feeds.json").read_text(encoding="utf-8"))
    return tuple(DemoFeed(r["slug"], r["name"], bool(r["high_impact"]), r["weight"]) for r in rows)


@cache
def load_corpus() -> tuple[CorpusItem, ...]:
    """The corpus (``stories.jsonl``), in file order."""
    items = []
    for line in (CORPUS_DIR / "stories.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(CorpusItem(**{**row, "also": tuple(row.get("also", ()))}))
    return tuple(items)


def demo_company(subjects: Iterable[SubjectSpec]) -> tuple[SubjectSpec, bool]:
    """The configured company subject, or the fictional default; and whether it is the default."""
    for subject in subjects:
        if subject.kind is SubjectKind.COMPANY:
            return subject, False
    return DEFAULT_COMPANY, True


def cast_ids(items: Iterable[CorpusItem]) -> list[str]:
    """The party ids the corpus's placeholders name, sorted."""
    found = {
        key for item in items for key in _PLACEHOLDER.findall(item.title + item.lead) if ":" in key
    }
    return sorted(found)


def anchor_minute(now: datetime) -> datetime:
    """``now`` cut to the minute: the anchor the coverage is dated from."""
    return now.replace(second=0, microsecond=0)


def _archive_time(rng: random.Random, anchor: datetime, day: int) -> datetime:
    # A moment in the day-long slot ``day`` days before the anchor, mostly in Beijing
    # daytime (people write news and posts between 07:00 and midnight).
    earliest = timedelta(days=day) + (_QUIET_BEFORE_ANCHOR if day == 0 else timedelta(0))
    span = int((timedelta(days=day + 1) - earliest).total_seconds() // 60)
    at = anchor
    for _ in range(12):
        at = anchor - earliest - timedelta(minutes=rng.randrange(span))
        if at.astimezone(_BEIJING).hour >= 7:
            break
    return at


def schedule(
    items: Sequence[CorpusItem],
    feeds: Sequence[DemoFeed],
    cast: DemoCast,
    anchor: datetime,
    seed: int,
) -> list[DemoStory]:
    """Every item dated from ``anchor`` (times of day drawn from ``seed``), one story per feed
    that carries it, placeholders filled; items naming a party the cast lacks are left out."""
    rng = random.Random(f"{seed}:demo-media")
    names = {feed.slug: feed.name for feed in feeds}
    stories: list[DemoStory] = []
    for item in items:
        if item.day is not None:
            published = _archive_time(rng, anchor, item.day)
        else:
            published = anchor + timedelta(minutes=item.minutes or 0)
        title, lead = cast.fill(item.title), cast.fill(item.lead)
        if title is None or lead is None:
            continue
        for copy, slug in enumerate((item.feed, *item.also)):
            if slug not in names:
                continue
            # A copy in another feed is a syndicated repost: its own guid, a source suffix.
            suffix = f" - {names[item.feed]}" if copy else ""
            stories.append(
                DemoStory(
                    item=item,
                    feed=slug,
                    guid=f"riskwatch-demo:{item.id}" + (f":{slug}" if copy else ""),
                    link=f"https://{slug}.news.example/{item.id}.html",
                    title=title + suffix,
                    lead=lead,
                    published=published + timedelta(minutes=7 * copy),
                )
            )
    return stories


def feed_document(
    feed: DemoFeed, stories: Iterable[DemoStory], now: datetime, limit: int = 500
) -> bytes:
    """The RSS document of one feed at ``now``: its stories published by then, newest first."""
    shown = sorted(
        (s for s in stories if s.feed == feed.slug and s.published <= now),
        key=lambda s: (s.published, s.guid),
        reverse=True,
    )
    return rss_document(
        feed.name,
        [story.rss_item() for story in shown[:limit]],
        link=f"https://{feed.slug}.news.example/",
    )
