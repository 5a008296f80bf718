"""The scheduled deadline checks: marks complaints past their deadline and counts them, and
reminds of deadlines coming within the lead time (``complaint.due_soon``, once per deadline).

``ComplaintDeadlineMonitor.run_overdue_check(now)`` and ``run_due_soon_check(now)`` do one
sweep each (tests call them with a moved clock); ``run_forever`` runs both every
``interval_s`` seconds until cancelled. Several processes may run them at once: the sweeps
lock each complaint before marking it, so each one is marked, and announced, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import anyio
from prometheus_client import Counter, Gauge

from graph.client import Graph
from graph.complaints.sweep import OverdueMark, OverdueSweep
from models.errors import RiskwatchError

log = logging.getLogger(__name__)

OVERDUE = Gauge("riskwatch_complaints_overdue", "Complaints past their deadline, not answered")
SWEEPS = Counter("riskwatch_complaint_sweeps_total", "Overdue sweeps run", ["outcome"])
MARKED = Counter("riskwatch_complaints_marked_overdue_total", "Complaints marked overdue")
REMINDED = Counter("riskwatch_complaint_due_soon_reminders_total", "Deadline reminders sent")


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
        due_soon: timedelta | None = None,
    ) -> None:
        self.sweep = OverdueSweep(graph)
        self.interval_s = interval_s
        self.clock = clock
        self.due_soon = due_soon  # lead time of the reminders; None: no reminders

    async def run_overdue_check(self, now: datetime | None = None) -> list[OverdueMark]:
        """One sweep at ``now`` (default: the clock); updates the metrics; returns the marks."""
        marked = await self.sweep.mark_overdue(now or self.clock())
        OVERDUE.set(await self.sweep.count_overdue())
        MARKED.inc(len(marked))
        SWEEPS.labels("ok").inc()
        if marked:
            log.info("marked %d complaint(s) overdue", len(marked))
        return marked

    async def run_due_soon_check(self, now: datetime | None = None) -> list[OverdueMark]:
        """Remind of the deadlines within the lead time at ``now``; returns the reminders."""
        if self.due_soon is None:
            return []
        reminded = await self.sweep.remind_due_soon(now or self.clock(), self.due_soon)
        REMINDED.inc(len(reminded))
        if reminded:
            log.info("reminded of %d complaint deadline(s)", len(reminded))
        return reminded

    async def run_forever(self) -> None:
        """Sweep every ``interval_s`` seconds; a failed sweep is logged, counted and retried
        at the next tick (the database may be briefly unavailable)."""
        while True:
            try:
                now = self.clock()
                await self.run_overdue_check(now)
                await self.run_due_soon_check(now)
            except RiskwatchError as error:
                SWEEPS.labels("failed").inc()
                log.warning("overdue sweep failed: %s", error.message)
            await anyio.sleep(self.interval_s)
