"""The monitor loop: claim due feeds with a lease, poll them, release, repeat.

Any number of workers (processes or hosts) may run this loop against one graph: a feed is
claimed by one atomic Cypher statement that sets a lease, so no two workers poll it at
once, and a worker that dies leaves a lease that simply expires. ``stop`` is honoured
between cycles, so a shutdown never abandons a half-written batch.
"""

from __future__ import annotations

import logging
import socket
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

import anyio

from graph.media.feeds import FeedRepository
from monitors.clock import Clock, utc_now
from monitors.feeds.pipeline import CycleReport, MediaPipeline
from monitors.leases import release_leases, run_leased_rounds

if TYPE_CHECKING:
    from monitors.feeds.score_worker import ScoringWorker

log = logging.getLogger(__name__)


def worker_id() -> str:
    """A lease owner name unique to this process: the host name and a random suffix."""
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


class MonitorWorker:
    """Claims batches of due feeds and runs them through the pipeline."""

    def __init__(
        self,
        feeds: FeedRepository,
        pipeline: MediaPipeline,
        *,
        lease: timedelta,
        batch_size: int = 200,
        idle_s: float = 5.0,
        owner: str | None = None,
        clock: Clock = utc_now,
        backlog: ScoringWorker | None = None,
    ) -> None:
        self.feeds = feeds
        self.pipeline = pipeline
        self.lease = lease
        self.batch_size = batch_size
        self.idle_s = idle_s
        self.owner = owner or worker_id()
        self.clock = clock
        # Scores queued stories while no feed is due (None: leave them to `riskwatch score`).
        self.backlog = backlog

    async def run_once(self) -> CycleReport:
        """Claim due feeds (up to ``batch_size``) and poll them once."""
        now = self.clock()
        claimed = await self.feeds.claim_due(self.owner, now, self.lease, self.batch_size)
        if not claimed:
            return CycleReport()
        async with anyio.create_task_group() as group:
            group.start_soon(self._keep_leases)
            report = await self.pipeline.poll(claimed, self.owner, now)
            group.cancel_scope.cancel()
        log.info(
            "polled %d feeds: %s; %d entries, %d new mentions, %d new stories",
            report.feeds,
            report.outcomes,
            report.entries,
            report.new_mentions,
            report.new_stories,
        )
        return report

    async def _keep_leases(self) -> None:
        """Renew this worker's leases every third of a lease while a cycle runs, so a
        cycle longer than one lease (a slow model, a huge batch) never loses its feeds."""
        while True:
            await anyio.sleep(self.lease.total_seconds() / 3)
            try:
                await self.feeds.renew_leases(self.owner, self.clock(), self.lease)
            except Exception:  # retried at the next beat; the lease is still valid meanwhile
                log.exception("lease renewal failed")

    async def run_until(self, stop: anyio.Event) -> None:
        """Poll until ``stop`` is set; when nothing is due, score a batch of queued stories
        (``backlog``), or idle ``idle_s`` when there is none either, so polling always
        comes first and scoring the backlog only uses time the monitor would sleep.

        A cycle that fails (Neo4j down, say) is logged and retried after the idle wait, with
        no backlog scored in that round (the database it would write to is likely down too);
        the leases it held expire on their own. On the way out (stopped, or cancelled mid-cycle)
        any lease still held is handed back, so another worker polls those feeds at once.
        """
        try:
            # Any feed polled or story scored means there may be more: go again at once.
            await run_leased_rounds(
                self._poll_or_score,
                self.feeds.release_leases,
                self.owner,
                "feed",
                batch=1,
                interval_s=self.idle_s,
                stop=stop,
            )
        finally:
            if self.backlog is not None:
                await release_leases(self.backlog.queue.release, self.backlog.owner, "story")

    async def _poll_or_score(self) -> int:
        return (await self.run_once()).feeds or await self._score_backlog()

    async def _score_backlog(self) -> int:
        if self.backlog is None:
            return 0
        try:
            return await self.backlog.run_once()
        except Exception:  # polling goes on; the batch's leases expire and it is retried
            log.exception("scoring a backlog batch failed")
            return 0
