"""Refreshing the rings on a schedule inside the service (off unless an interval is set).

Run it in one process only (or use ``riskwatch rings refresh`` from a scheduler): two
refreshes at once would both write their generation and each remove the other's rings.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from prometheus_client import Counter

from api.settings import Settings
from graph.client import Graph
from graph.rings import refresh_rings
from models.errors import RiskwatchError

log = logging.getLogger(__name__)

RING_REFRESHES = Counter("riskwatch_ring_refreshes_total", "Ring refreshes", ["outcome"])


@asynccontextmanager
async def scheduled_ring_refresh(graph: Graph, settings: Settings) -> AsyncIterator[None]:
    """Refresh the rings every ``ring_refresh_interval_s`` seconds while open (0: never)."""
    interval = settings.ring_refresh_interval_s
    if interval <= 0:
        yield
        return

    async def loop() -> None:
        while True:
            await anyio.sleep(interval)
            try:
                await refresh_rings(
                    graph,
                    scan_page=settings.ring_scan_page,
                    max_degree=settings.ring_max_identifier_degree,
                )
            except RiskwatchError as error:
                # Neo4j briefly away: the next tick tries again.
                RING_REFRESHES.labels("failed").inc()
                log.warning("scheduled ring refresh failed: %s", error.message)
                continue
            RING_REFRESHES.labels("ok").inc()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(loop)
        try:
            yield
        finally:
            tasks.cancel_scope.cancel()
