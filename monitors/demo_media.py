"""The demo's media: seeded through the real pipeline, and served as the demo feeds.

``riskwatch seed-demo`` registers the demo feeds, then polls them once through the media
pipeline (parse, dedup, link, score with the model, write) with a fetcher that answers the
feeds' URLs from the corpus in memory, since no server runs yet. Stories are first seen now
and count at their publication dates, spread over the fortnight before; the crisis detector,
run as of now, sees the planted burst against that baseline and raises the alert and its
crisis case. With ``RISKWATCH_DEMO=true`` the app serves the same documents over HTTP
(:func:`demo_feed_document`), live tail included, so ``riskwatch monitor`` polls them for real.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph.bulk.demo import DemoFeedState, demo_feed_state, register_demo_feeds
from graph.client import Graph
from graph.crisis.alerts import RaisedAlert
from graph.media.feeds import FeedRepository
from graph.media.mentions import MentionRepository
from graph.network.relations import RelationsRepository
from models.demo_coverage import (
    DemoCast,
    DemoFeed,
    anchor_minute,
    cast_ids,
    demo_company,
    feed_document,
    load_corpus,
    load_feeds,
    schedule,
)
from models.media import SubjectSpec
from monitors.crisis.detector import CrisisDetector
from monitors.feeds.fetch import FetchOutcome, FetchResult
from monitors.feeds.linking import LinkerCache, ensure_subjects
from monitors.feeds.pipeline import CycleReport, MediaPipeline, PipelineConfig
from monitors.feeds.scoring import ScorerLike

DEMO_POLL_INTERVAL_S = 300
DISABLED_REASON = "a demo feed: the app serves it only with RISKWATCH_DEMO=true"


def demo_feed_id(slug: str) -> str:
    """The node id of a demo feed."""
    return f"feed:demo-{slug}"


def demo_feed_url(base_url: str, slug: str) -> str:
    """Where the app serves a demo feed (``base_url`` ends with ``/demo/feeds/``)."""
    return f"{base_url}{slug}.xml"


class CorpusFetcher:
    """Answers the demo feeds' URLs from documents in memory (a pipeline ``DocumentFetcher``)."""

    def __init__(self, documents: Mapping[str, bytes]) -> None:
        self.documents = documents

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """The document for ``url``, or a failure for a URL that is not a demo feed."""
        body = self.documents.get(url)
        if body is None:
            return FetchResult(FetchOutcome.FAILED, url, status_code=404, error="HTTP 404")
        return FetchResult(FetchOutcome.OK, url, body=body, status_code=200)


@dataclass
class MediaSeedReport:
    """What seeding the demo's media did."""

    company: SubjectSpec
    company_is_default: bool
    feeds: int = 0
    cycle: CycleReport = field(default_factory=CycleReport)
    alerts: list[RaisedAlert] = field(default_factory=list)


async def demo_cast(graph: Graph, company: SubjectSpec) -> DemoCast:
    """The names the corpus's placeholders stand for, read from the demo book in the graph."""
    parties = await RelationsRepository(graph).parties(cast_ids(load_corpus()))
    names = {pid: str(row["name"]) for pid, row in parties.items() if row.get("name")}
    alias = company.aliases[0] if company.aliases else company.name
    return DemoCast(company.name, alias, names)


async def seed_demo_media(
    graph: Graph,
    scorer: ScorerLike,
    detector: CrisisDetector,
    *,
    subjects: Sequence[SubjectSpec],
    feeds_url: str,
    feeds_enabled: bool,
    seed: int,
    now: datetime,
    link_min_chars: int = 3,
) -> MediaSeedReport:
    """Register the demo feeds and poll them once through the pipeline as of ``now``; then run
    the crisis detector on the new stories (its clock must read ``now``)."""
    company, is_default = demo_company(subjects)
    report = MediaSeedReport(company, is_default)
    mentions = MentionRepository(graph)
    await ensure_subjects(mentions, [*subjects, company] if is_default else subjects)
    feeds = load_feeds()
    anchor = anchor_minute(now)
    state = DemoFeedState(anchor, seed, await demo_cast(graph, company))
    records, state = await register_demo_feeds(
        graph, _feed_rows(feeds, feeds_url, feeds_enabled, now), state, now
    )
    stories = schedule(load_corpus(), feeds, state.cast, state.anchor, state.seed)
    documents = {
        demo_feed_url(feeds_url, feed.slug): feed_document(feed, stories, now) for feed in feeds
    }
    report.feeds = len(records)
    feed_repo = FeedRepository(graph)
    pipeline = MediaPipeline(
        feed_repo,
        mentions,
        CorpusFetcher(documents),
        scorer,
        LinkerCache(mentions, link_min_chars),
        PipelineConfig(concurrency=len(feeds)),
    )
    report.cycle = await pipeline.poll(records, "seed-demo", now)
    report.alerts = await detector.on_new_stories(report.cycle.stories_with_new_mentions)
    return report


def _feed_rows(
    feeds: Sequence[DemoFeed], base_url: str, enabled: bool, now: datetime
) -> list[dict[str, object]]:
    return [
        {
            "id": demo_feed_id(feed.slug),
            "url": demo_feed_url(base_url, feed.slug),
            "name": feed.name,
            "poll_interval_s": DEMO_POLL_INTERVAL_S,
            "enabled": enabled,
            "disabled_reason": None if enabled else DISABLED_REASON,
            "high_impact": feed.high_impact,
            "weight": feed.weight,
            "next_poll_at": now + timedelta(seconds=DEMO_POLL_INTERVAL_S),
        }
        for feed in feeds
    ]


async def demo_feed_document(graph: Graph, slug: str, now: datetime) -> bytes | None:
    """A demo feed's RSS at ``now`` (the live tail grows with time); None if there is no such
    demo feed (seed-demo registers them)."""
    feed = next((f for f in load_feeds() if f.slug == slug), None)
    if feed is None:
        return None
    state = await demo_feed_state(graph, demo_feed_id(slug))
    if state is None:
        return None
    stories = schedule(load_corpus(), load_feeds(), state.cast, state.anchor, state.seed)
    return feed_document(feed, stories, now)
