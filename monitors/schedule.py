"""Running a monitor job on an interval, forever, surviving a failed round."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

log = logging.getLogger(__name__)


async def run_every(interval_s: float, job: Callable[[], Awaitable[Any]], name: str) -> None:
    """Run ``job`` every ``interval_s`` seconds until cancelled; a failed run is logged."""
    while True:
        try:
            await job()
        except Exception:  # the schedule must outlive one bad round (Neo4j restarting...)
            log.exception("%s failed; next run in %.1f s", name, interval_s)
        await anyio.sleep(interval_s)
