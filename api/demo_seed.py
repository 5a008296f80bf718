"""Seeding the demo: the book of business, its media coverage ending in a planted crisis, and
the watchlist rules and ring refresh run over them, so a first run shows every view with
content. ``riskwatch seed-demo`` and the tests run this.

Deterministic for a given seed: the same book, and the same coverage in the same order. Dates
are relative to the day of seeding: the book's complaints cover the 320 days before it (so
deadlines and the rules' windows stay current), and the coverage the fortnight before the
first seeding (kept on the demo feeds, so a re-run adds nothing); the seed also draws each
archive story's time of day.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio

from api.runtime.crisis import spike_settings
from api.runtime.watchlist import run_watchlist_rules
from api.settings import ENV_PREFIX, Settings
from graph.bulk.demo import write_demo_book
from graph.client import Graph
from graph.network.rings import refresh_rings
from models.demo_book import epoch_ending_before
from monitors.crisis.detector import CrisisDetector
from monitors.crisis.plans import DEFAULT_PLAN_FILE, PlanStore
from monitors.demo_media import MediaSeedReport, seed_demo_media
from monitors.feeds.scoring import ScorerLike

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoPlan:
    """What to seed: the book's size and seed, and which steps to run after it."""

    customers: int = 1000
    seed: int = 7
    media: bool = True
    rules: bool = True
    rings: bool = True


async def seed_demo(
    graph: Graph,
    settings: Settings,
    plan: DemoPlan,
    now: datetime,
    load_scorer: Callable[[], ScorerLike],
    say: Say = print,
    progress: Callable[[dict[str, int]], None] | None = None,
) -> MediaSeedReport | None:
    """Write the book, then (as the plan says) the media as of ``now``, the rules, the rings.
    The sentiment model loads in a worker thread while the book is written."""
    scorer: list[ScorerLike] = []

    async def load_model() -> None:
        scorer.append(await anyio.to_thread.run_sync(load_scorer))

    async with anyio.create_task_group() as group:
        if plan.media:
            group.start_soon(load_model)
        started = time.perf_counter()
        counts = await write_demo_book(
            graph,
            plan.customers,
            plan.seed,
            settings.identity_key,
            progress=progress,
            epoch=epoch_ending_before(now),
        )
        elapsed = time.perf_counter() - started
        say(", ".join(f"{n:,} {kind}" for kind, n in counts.items()) + f" in {elapsed:.1f} s")
    media = await _media(graph, settings, scorer[0], plan.seed, now, say) if plan.media else None
    if plan.rules:
        started = time.perf_counter()
        report = await run_watchlist_rules(graph, settings, now)
        say(f"watchlist rules: {report.line()} in {time.perf_counter() - started:.1f} s")
    if plan.rings:
        rings = await refresh_rings(
            graph, scan_page=settings.ring_scan_page, max_degree=settings.ring_max_identifier_degree
        )
        say(f"rings: {rings.rings:,} of {rings.members:,} parties in {rings.seconds:.1f} s")
    return media


async def _media(
    graph: Graph, settings: Settings, scorer: ScorerLike, seed: int, now: datetime, say: Say
) -> MediaSeedReport:
    started = time.perf_counter()
    # The detector as of the seeding instant: the planted burst is in its current window.
    plans = PlanStore(graph, settings.crisis.plan_file or DEFAULT_PLAN_FILE, lambda: now)
    await plans.seed()
    detector = CrisisDetector(
        graph,
        plans,
        spike_settings(settings.crisis),
        dedup_window=timedelta(hours=settings.crisis.alert_dedup_hours),
        clock=lambda: now,
    )
    report = await seed_demo_media(
        graph,
        scorer,
        detector,
        subjects=settings.subjects(),
        feeds_url=settings.demo_feeds_url(),
        feeds_enabled=settings.demo,
        seed=seed,
        now=now,
        link_min_chars=settings.feeds.link_min_chars,
    )
    for line in media_lines(report, settings.demo):
        say(line)
    say(f"media seeded in {time.perf_counter() - started:.1f} s")
    return report


def media_lines(report: MediaSeedReport, demo: bool) -> list[str]:
    """What seeding the media did, for the person running it."""
    company = report.company
    aliases = f" (aliases {', '.join(company.aliases)})" if company.aliases else ""
    lines = [f"company: {company.name}{aliases}"]
    if report.company_is_default:
        lines[0] += (
            "; no company is configured, so the demo uses this fictional one "
            f"(set {ENV_PREFIX}COMPANY_ALIASES to name yours)"
        )
    cycle = report.cycle
    stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in cycle.seconds.items())
    lines.append(
        f"media: {report.feeds} demo feeds, {cycle.entries} items, {cycle.new_mentions} new "
        f"mentions in {cycle.new_stories} new stories ({stages})"
    )
    kinds = Counter(f"{alert.severity} alert" for alert in report.alerts)
    cases = {alert.case_id for alert in report.alerts if alert.case_id}
    if report.alerts:
        lines.append(
            "crisis: "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
            + f", {len(cases)} crisis case(s) open as of now"
        )
    if not demo:
        lines.append(
            f"the demo feeds are registered but disabled: with {ENV_PREFIX}DEMO=true the app "
            "serves them and the monitor polls their live tail"
        )
    return lines
