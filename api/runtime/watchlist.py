"""Running the watchlist rules with the settings' thresholds: on demand and on a schedule."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from api.settings import Settings, WatchlistSettings
from graph.client import Graph
from graph.watchlist.entries import RunReport, WatchlistRepository
from graph.watchlist.rules import RuleThresholds
from models.errors import InvalidInput
from models.watchlist import WatchlistReason
from monitors.schedule import scheduled

log = logging.getLogger(__name__)


def rule_thresholds(watchlist: WatchlistSettings) -> RuleThresholds:
    """The rules' thresholds from the settings."""
    return RuleThresholds(
        complaint_min=watchlist.complaint_min,
        complaint_window_days=watchlist.complaint_window_days,
        fraud_hops=watchlist.fraud_hops,
        ring_min_parties=watchlist.ring_min_parties,
        identifier_max_degree=watchlist.identifier_max_degree,
        shop_min_customers=watchlist.shop_min_customers,
        shop_window_days=watchlist.shop_window_days,
        shop_malicious_min=watchlist.shop_malicious_min,
    )


async def run_watchlist_rules(
    graph: Graph,
    settings: Settings,
    now: datetime | None = None,
    reasons: Iterable[WatchlistReason] | None = None,
) -> RunReport:
    """Run the rules once at ``now`` (default: the current time)."""
    now = now or datetime.now(UTC)
    if not 1900 <= now.year <= 9000:
        raise InvalidInput("now must be an instant between the years 1900 and 9000")
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return await WatchlistRepository(graph).run_rules(
        rule_thresholds(settings.watchlist),
        now,
        settings.watchlist.entry_ttl_days,
        reasons,
    )


def scheduled_watchlist_rules(
    graph: Graph, settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> AbstractAsyncContextManager[None]:
    """Run the rules every ``watchlist.rules_interval_s`` seconds while open (0: never)."""

    async def run() -> None:
        report = await run_watchlist_rules(graph, settings, clock())
        log.info("scheduled watchlist rule run: %s", report.line())

    return scheduled(settings.watchlist.rules_interval_s, run, "watchlist rules")
