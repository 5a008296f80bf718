"""Running a monitor job on an interval, forever, surviving a failed round."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from prometheus_client import Counter

log = logging.getLogger(__name__)

SCHEDULED_RUNS = Counter("riskwatch_scheduled_runs_total", "Scheduled job runs", ["job", "outcome"])


async def run_every(
    interval_s: float, job: Callable[[], Awaitable[Any]], name: str, *, first_wait: bool = False
) -> None:
    """Run ``job`` every ``interval_s`` seconds until cancelled; a failed run is logged.

    With ``first_wait`` the first run comes after one interval rather than at once.
    """
    if first_wait:
        await anyio.sleep(interval_s)
    while True:
        try:
            await job()
        except Exception:  # the schedule must outlive one bad round (Neo4j restarting...)
            SCHEDULED_RUNS.labels(name, "failed").inc()
            log.exception("%s failed; next run in %.1f s", name, interval_s)
        else:
            SCHEDULED_RUNS.labels(name, "ok").inc()
        await anyio.sleep(interval_s)


@asynccontextmanager
async def scheduled(
    interval_s: float, job: Callable[[], Awaitable[Any]], name: str
) -> AsyncIterator[None]:
    """Run ``job`` every ``interval_s`` seconds while the block is open (0 or less: never).

    The first run comes one interval after the block opens, so a service starts quickly.
    """
    if interval_s <= 0:
        yield
        return
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(lambda: run_every(interval_s, job, name, first_wait=True))
        try:
            yield
        finally:
            tasks.cancel_scope.cancel()
