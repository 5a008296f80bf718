"""``riskwatch seed-demo``: the synthetic book of business, a fortnight of media coverage ending
in a planted crisis, and the watchlist rules and ring refresh over them (``api.demo_seed``)."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.demo_seed import DemoPlan, seed_demo
from api.runtime.media import load_scorer
from api.settings import Settings, load_settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "seed-demo",
        help="write a synthetic book of business, its media coverage and planted risk patterns",
    )
    parser.add_argument("--customers", type=int, default=1000, help="how many (20 to 1,000,000)")
    parser.add_argument(
        "--seed", type=int, default=7, help="random seed; same seed, same book and coverage"
    )
    parser.add_argument(
        "--no-media",
        action="store_true",
        help="skip the demo feeds' coverage (and with it the sentiment model and the crisis)",
    )
    parser.add_argument("--no-rules", action="store_true", help="skip the watchlist rules")
    parser.add_argument("--no-rings", action="store_true", help="skip the ring refresh")
    parser.set_defaults(handler=run)


class _Console:
    """A progress line on stderr (rewritten in place) and report lines on stdout."""

    def __init__(self) -> None:
        self.progress_shown = False

    def progress(self, counts: dict[str, int]) -> None:
        print(f"\rseed-demo: {counts['parties']:,} parties written", end="", file=sys.stderr)
        self.progress_shown = True

    def say(self, line: str) -> None:
        if self.progress_shown:
            print(file=sys.stderr)
            self.progress_shown = False
        print(line, flush=True)


def run(args: argparse.Namespace) -> int:
    if not 20 <= args.customers <= 1_000_000:
        print("riskwatch: --customers must be between 20 and 1,000,000", file=sys.stderr)
        return 2
    settings = load_settings()
    plan = DemoPlan(
        customers=args.customers,
        seed=args.seed,
        media=not args.no_media,
        rules=not args.no_rules,
        rings=not args.no_rings,
    )
    started = time.perf_counter()
    anyio.run(_seed, settings, plan)
    print(f"seed-demo finished in {time.perf_counter() - started:.1f} s")
    return 0


async def _seed(settings: Settings, plan: DemoPlan) -> None:
    console = _Console()
    async with command_graph(settings) as graph:
        await seed_demo(
            graph,
            settings,
            plan,
            datetime.now(UTC),
            lambda: load_scorer(settings),
            say=console.say,
            progress=console.progress,
        )
