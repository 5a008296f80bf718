"""Scoring workers: claim unscored stories in leased batches, score them, record the scores.

The media pipeline scores the stories that name a subject or party as they arrive; the rest
wait as ``:Unscored`` stories in the graph. A ``ScoringWorker`` works that queue off,
linked stories first: inside ``riskwatch monitor`` when no feed is due (the scorer is idle),
or in its own process with ``riskwatch score`` on other cores or machines. Batches are
claimed with leases like feeds, so any number of workers share the queue, a dead worker's
batch is taken over when its lease runs out, and a restart loses nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import anyio
from prometheus_client import Counter

from graph.media.story_scores import BACKLOG, LINKED, StoryScoreRepository
from monitors.clock import Clock, utc_now
from monitors.feeds.pipeline import NewStoriesCallback
from monitors.feeds.scoring import ScorerLike, StoryToScore, score_with_links
from monitors.feeds.worker import worker_id
from monitors.leases import run_leased_rounds

log = logging.getLogger(__name__)

STORIES_SCORED = Counter(
    "riskwatch_stories_scored_total", "Stories scored from the queue", ["priority"]
)


def max_priority(backlog: str) -> int:
    """The lowest priority a worker takes: the backlog too (``idle``), or linked stories
    only (``never``: unlinked stories are never scored)."""
    return BACKLOG if backlog == "idle" else LINKED


class ScoringWorker:
    """Claims batches of unscored stories and scores each text once and each link once."""

    def __init__(
        self,
        queue: StoryScoreRepository,
        scorer: ScorerLike,
        *,
        lease: timedelta,
        batch_size: int = 64,
        priority: int = BACKLOG,
        idle_s: float = 5.0,
        owner: str | None = None,
        clock: Clock = utc_now,
        on_scored: NewStoriesCallback | None = None,
    ) -> None:
        self.queue = queue
        self.scorer = scorer
        self.lease = lease
        self.batch_size = batch_size
        self.priority = priority
        self.idle_s = idle_s
        self.owner = owner or worker_id()
        self.clock = clock
        self.on_scored = on_scored

    async def run_once(self) -> int:
        """Claim, score and record one batch; return how many stories it scored."""
        claimed = await self.queue.claim(
            self.owner, self.clock(), self.lease, self.batch_size, self.priority
        )
        if not claimed:
            return 0
        items = [StoryToScore(s.id, s.text, dict(s.links)) for s in claimed]
        scored = await score_with_links(self.scorer, items)
        await self.queue.record([story.row() for story in scored])
        linked = [s.id for s in claimed if s.links]
        STORIES_SCORED.labels("linked").inc(len(linked))
        STORIES_SCORED.labels("backlog").inc(len(claimed) - len(linked))
        if linked and self.on_scored is not None:
            try:
                await self.on_scored(linked)
            except Exception:  # the scores are stored; the detector's sweep catches up
                log.exception("on_scored failed for %d stories", len(linked))
        return len(claimed)

    async def work_off(self) -> int:
        """Score batches until the queue (down to this worker's priority) is empty."""
        total = 0
        while scored := await self.run_once():
            total += scored
        return total

    async def run_until(self, stop: anyio.Event) -> None:
        """Score until ``stop`` is set, waiting ``idle_s`` whenever the queue is empty; a
        failed batch is logged and retried; leases still held go back on the way out."""
        await run_leased_rounds(
            self.run_once,
            self.queue.release,
            self.owner,
            "story",
            batch=self.batch_size,
            interval_s=self.idle_s,
            stop=stop,
        )
