"""Refreshing the rings on a schedule inside the service (off unless an interval is set).

Run it in one process only (or use ``riskwatch rings refresh`` from a scheduler): two
refreshes at once would both write their generation and each remove the other's rings.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from api.settings import Settings
from graph.client import Graph
from graph.network.rings import refresh_rings
from monitors.schedule import scheduled


def scheduled_ring_refresh(graph: Graph, settings: Settings) -> AbstractAsyncContextManager[None]:
    """Refresh the rings every ``ring_refresh_interval_s`` seconds while open (0: never)."""

    async def refresh() -> None:
        await refresh_rings(
            graph, scan_page=settings.ring_scan_page, max_degree=settings.ring_max_identifier_degree
        )

    return scheduled(settings.ring_refresh_interval_s, refresh, "ring refresh")
