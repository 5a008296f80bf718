"""Wiring the media monitor from the settings: the one place that knows every part.

Used by ``riskwatch monitor``, ``riskwatch score`` and, when ``RISKWATCH_MONITOR_IN_SERVE``
is set, by the app's lifespan. The HTTP client is opened here and closed when the context exits.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from api.runtime.crisis import CrisisRuntime
from api.settings import ENV_PREFIX, Settings
from graph.client import Graph
from graph.media.feeds import FeedRepository
from graph.media.mentions import MentionRepository
from graph.media.story_scores import StoryScoreRepository
from models.errors import ConfigurationError
from monitors.feeds.fetch import FeedFetcher, FetchLimits, make_client
from monitors.feeds.linking import LinkerCache, ensure_subjects
from monitors.feeds.pipeline import MediaPipeline, NewStoriesCallback, PipelineConfig
from monitors.feeds.score_worker import ScoringWorker, max_priority
from monitors.feeds.scoring import ScorerLike
from monitors.feeds.worker import MonitorWorker


def crisis_story_callback(crisis: CrisisRuntime | None) -> NewStoriesCallback | None:
    """New stories go straight to the crisis detector (absolute triggers and spikes)."""
    if crisis is None:
        return None
    detector = crisis.detector

    async def check_new_stories(story_ids: list[str]) -> None:
        await detector.on_new_stories(story_ids)

    return check_new_stories


def load_scorer(settings: Settings) -> ScorerLike:
    """The transformer sentiment scorer from the settings (model loaded now, once)."""
    try:
        sentiment = importlib.import_module("monitors.sentiment")
    except ImportError as error:
        raise ConfigurationError(
            "the sentiment model package monitors.sentiment is not installed in this build"
        ) from error
    scorer = sentiment.TransformerSentimentScorer(
        settings.sentiment_model,
        batch_size=settings.sentiment_batch_size,
        max_length=settings.sentiment_max_tokens,
        precision=settings.sentiment_precision,
        threads=settings.sentiment_threads,
    )
    try:
        scorer.load()
    except sentiment.SentimentModelMissing as error:
        raise ConfigurationError(f"{ENV_PREFIX}SENTIMENT_MODEL: {error}") from error
    loaded: ScorerLike = scorer
    return loaded


def scoring_worker(
    settings: Settings,
    graph: Graph,
    scorer: ScorerLike,
    on_scored: NewStoriesCallback | None = None,
    owner: str | None = None,
) -> ScoringWorker:
    """A worker for the queue of unscored stories, as the settings say."""
    return ScoringWorker(
        StoryScoreRepository(graph),
        scorer,
        lease=timedelta(seconds=settings.score_lease_s),
        batch_size=settings.score_batch,
        priority=max_priority(settings.sentiment_backlog),
        idle_s=settings.feeds.idle_s,
        owner=owner,
        on_scored=on_scored,
    )


def fetch_limits(settings: Settings) -> FetchLimits:
    """The fetch bounds from the settings."""
    return FetchLimits(
        timeout_s=settings.feeds.request_timeout_s,
        max_bytes=settings.feeds.max_response_bytes,
        max_redirects=settings.feeds.max_redirects,
        allow_private=settings.feeds.allow_private,
        demo_feeds_url=settings.demo_feeds_url() if settings.demo else None,
    )


@asynccontextmanager
async def media_monitor(
    settings: Settings,
    graph: Graph,
    scorer: ScorerLike,
    on_new_stories: NewStoriesCallback | None = None,
    owner: str | None = None,
) -> AsyncIterator[MonitorWorker]:
    """A ready worker (subjects created, HTTP client open); the client closes on exit."""
    mentions = MentionRepository(graph)
    await ensure_subjects(mentions, settings.subjects())
    limits = fetch_limits(settings)
    async with make_client(limits, max_connections=settings.feeds.poll_concurrency) as client:
        feeds = FeedRepository(graph)
        pipeline = MediaPipeline(
            feeds,
            mentions,
            FeedFetcher(client, limits),
            scorer,
            LinkerCache(mentions, settings.feeds.link_min_chars),
            PipelineConfig(
                concurrency=settings.feeds.poll_concurrency,
                failure_threshold=settings.feeds.failure_threshold,
                story_window=timedelta(hours=settings.feeds.story_window_h),
                score_inline=settings.sentiment_inline,
                write_chunk=settings.feeds.write_chunk,
            ),
            on_new_stories,
        )
        yield MonitorWorker(
            feeds,
            pipeline,
            lease=timedelta(seconds=settings.feeds.lease_s),
            batch_size=settings.feeds.poll_batch,
            idle_s=settings.feeds.idle_s,
            owner=owner,
            backlog=scoring_worker(settings, graph, scorer, on_new_stories, owner),
        )
