"""The scheduled overdue check: marks complaints past their deadline and counts them.

``ComplaintDeadlineMonitor.run_overdue_check(now)`` does one sweep (tests call it with a moved
clock); ``run_forever`` calls it every ``interval_s`` seconds until cancelled. Several
processes may run it at once: the sweep locks each complaint before marking it, so each one is
marked, and announced, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import anyio
from prometheus_client import Counter, Gauge

from graph.client import Graph
from graph.complaint_sweep import OverdueMark, OverdueSweep
from models.errors import RiskwatchError

log = logging.getLogger(__name__)

OVERDUE = Gauge("riskwatch_complaints_overdue", "Complaints past their deadline, not answered")
SWEEPS = Counter("riskwatch_complaint_sweeps_total", "Overdue sweeps run", ["outcome"])
MARKED = Counter("riskwatch_complaints_marked_overdue_total", "Complaints marked overdue")


def utc_now() -> datetime:
    """The wall clock, timezone-aware."""
    return datetime.now(UTC)


class ComplaintDeadlineMonitor:
    """Runs the overdue sweep against ``graph`` on a schedule."""

    def __init__(
        self,
        graph: Graph,
        interval_s: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sweep = OverdueSweep(graph)
        self.interval_s = interval_s
        self.clock = clock

    async def run_overdue_check(self, now: datetime | None = None) -> list[OverdueMark]:
        """One sweep at ``now`` (default: the clock); updates the metrics; returns the marks."""
        marked = await self.sweep.mark_overdue(now or self.clock())
        OVERDUE.set(await self.sweep.count_overdue())
        MARKED.inc(len(marked))
        SWEEPS.labels("ok").inc()
        if marked:
            log.info("marked %d complaint(s) overdue", len(marked))
        return marked

    async def run_forever(self) -> None:
        """Sweep every ``interval_s`` seconds; a failed sweep is logged, counted and retried
        at the next tick (the database may be briefly unavailable)."""
        while True:
            try:
                await self.run_overdue_check()
            except RiskwatchError as error:
                SWEEPS.labels("failed").inc()
                log.warning("overdue sweep failed: %s", error.message)
            await anyio.sleep(self.interval_s)
