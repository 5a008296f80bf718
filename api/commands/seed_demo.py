"""``riskwatch seed-demo``: write the deterministic synthetic book of business."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.settings import load_settings
from graph.demo import write_demo_book


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "seed-demo", help="write a synthetic book of business with planted risk patterns"
    )
    parser.add_argument("--customers", type=int, default=1000, help="how many (20 to 1,000,000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed; same seed, same book")
    parser.set_defaults(handler=run)


def _progress(counts: dict[str, int]) -> None:
    print(f"\rseed-demo: {counts['parties']:,} parties written", end="", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if not 20 <= args.customers <= 1_000_000:
        print("riskwatch: --customers must be between 20 and 1,000,000", file=sys.stderr)
        return 2
    settings = load_settings()

    async def work() -> dict[str, int]:
        async with command_graph(settings) as graph:
            return await write_demo_book(
                graph, args.customers, args.seed, settings.identity_key, progress=_progress
            )

    started = time.perf_counter()
    counts = anyio.run(work)
    print(file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(", ".join(f"{n:,} {kind}" for kind, n in counts.items()) + f" in {elapsed:.1f} s")
    return 0
