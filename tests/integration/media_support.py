"""Shared pieces of the media tests: a deterministic scorer, feed fixtures, monitor wiring."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.runtime.media import media_monitor
from api.settings import CompanySubject, Settings
from graph.client import Graph
from graph.media.feeds import FeedRecord, FeedRepository
from models.media import SubjectKind
from monitors.feeds.pipeline import NewStoriesCallback
from monitors.feeds.scoring import ScorerLike
from monitors.feeds.worker import MonitorWorker
from tests.feed_server import Item, rss_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
T0 = datetime(2024, 10, 18, 8, 0, tzinfo=UTC)
COMPANY = "瑞安保险"


@dataclass(frozen=True)
class FixedScore:
    label: str
    probabilities: dict[str, float]


class KeywordScorer:
    """Negative when the text has a complaint word, positive on growth words: deterministic."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def score(self, texts: Sequence[str]) -> list[FixedScore]:
        self.batches.append(len(texts))
        scores = []
        for text in texts:
            if any(word in text for word in ("投诉", "吐槽", "拖延", "受损")):
                label = "negative"
            elif any(word in text for word in ("增长", "推出", "下降")):
                label = "positive"
            else:
                label = "neutral"
            probabilities = {"negative": 0.1, "neutral": 0.1, "positive": 0.1}
            probabilities[label] = 0.8
            scores.append(FixedScore(label, probabilities))
        return scores


class PairScorer(KeywordScorer):
    """KeywordScorer that also reads a text about an entity: negative about the names in
    ``negative_about``, positive about anyone else (so links of one story can differ)."""

    def __init__(self, negative_about: set[str]) -> None:
        super().__init__()
        self.negative_about = negative_about
        self.pairs: list[list[tuple[str, str]]] = []

    def score_about(self, pairs: Sequence[tuple[str, str]]) -> list[FixedScore]:
        self.pairs.append(list(pairs))
        scores = []
        for _text, entity in pairs:
            label = "negative" if entity in self.negative_about else "positive"
            probabilities = {"negative": 0.05, "neutral": 0.05, "positive": 0.05}
            probabilities[label] = 0.9
            scores.append(FixedScore(label, probabilities))
        return scores


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def generated_feed(prefix: str, count: int, topic: str = "车险服务") -> bytes:
    """An RSS 2.0 document of ``count`` distinct items whose texts differ per prefix."""
    items = [
        Item(
            title=f"{prefix}第{n}期：{topic}观察 编号{prefix}{n * 7919}",
            description=(
                f"{prefix}报道第{n}篇，记者走访{n + 3}家门店，了解{topic}的变化。"
                f"样本编号{prefix}-{n * 104729}，受访者{n % 5 + 2}人。"
            ),
            guid=f"{prefix}-{n}",
            link=f"https://{prefix}.example.cn/{n}",
            published=T0 - timedelta(hours=n),
        )
        for n in range(1, count + 1)
    ]
    return rss_document(f"{prefix} 新闻", items)


def skip_without_model(settings: Settings) -> None:
    """Skip the test, saying why, where the sentiment model package or folder is missing."""
    if importlib.util.find_spec("monitors.sentiment") is None:
        pytest.skip("monitors.sentiment is not in this build")
    folder = settings.sentiment_model
    if not any((folder / name).is_file() for name in ("sentiment.json", "config.json")):
        pytest.skip(f"no sentiment model folder at {folder}")


def tuned_settings(
    settings: Settings, feeds: dict[str, object] | None = None, **overrides: object
) -> Settings:
    """The session settings, allowing loopback feeds, with small limits for fast failures;
    ``feeds`` overrides the feed settings (``settings.feeds``), the rest the top level."""
    feed_values: dict[str, object] = {
        "allow_private": True,
        "request_timeout_s": 1.0,
        "max_response_bytes": 200_000,
        "failure_threshold": 3,
        **(feeds or {}),
    }
    values: dict[str, object] = {
        "feeds": settings.feeds.model_copy(update=feed_values),
        "company_aliases": [
            CompanySubject(kind=SubjectKind.COMPANY, name=COMPANY, aliases=["瑞安财险"])
        ],
    }
    values.update(overrides)
    return settings.model_copy(update=values)


@asynccontextmanager
async def monitor(
    settings: Settings,
    graph: Graph,
    scorer: ScorerLike,
    on_new_stories: NewStoriesCallback | None = None,
    owner: str | None = None,
) -> AsyncIterator[MonitorWorker]:
    """A worker wired like ``riskwatch monitor``, with its clock at ``T0``."""
    async with media_monitor(settings, graph, scorer, on_new_stories, owner) as worker:
        worker.clock = lambda: T0
        yield worker


async def add_feeds(
    graph: Graph, urls: dict[str, str], interval_s: int = 300, high_impact: bool = False
) -> dict[str, str]:
    """Register feeds (name -> url) due at ``T0``; return name -> feed id."""
    repo = FeedRepository(graph)
    ids = {}
    for name, url in urls.items():
        feed = await repo.add(
            url=url,
            name=name,
            language=None,
            poll_interval_s=interval_s,
            enabled=True,
            high_impact=high_impact,
            weight=1.0,
            now=T0,
        )
        ids[name] = feed.id
    return ids


async def feeds_by_name(graph: Graph) -> dict[str, FeedRecord]:
    return {feed.name: feed for feed in await FeedRepository(graph).all()}
