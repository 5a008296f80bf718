"""``riskwatch watchlist run``: run the watchlist rules once and say what changed."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.runtime.watchlist import run_watchlist_rules
from api.settings import load_settings
from models.watchlist import WatchlistReason

RULE_CODES = [reason.value for reason in WatchlistReason if reason is not WatchlistReason.MANUAL]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "watchlist", help="run the watchlist rules"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    run_parser = actions.add_parser("run", help="run the rules once (idempotent)")
    run_parser.add_argument(
        "--rule", action="append", choices=RULE_CODES, help="only these rules (repeatable)"
    )
    run_parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="evaluate as of this ISO instant, e.g. 2026-11-20T00:00:00+00:00 (default: now)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return anyio.run(_run, args)


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    reasons = [WatchlistReason(code) for code in args.rule] if args.rule else None
    async with command_graph(settings) as graph:
        report = await run_watchlist_rules(graph, settings, args.now, reasons)
    print(f"watchlist rules: {report.line()}")
    for label, counts in (
        ("added", report.added),
        ("refreshed", report.refreshed),
        ("kept dismissed", report.kept_dismissed),
    ):
        for code, count in sorted(counts.items()):
            print(f"  {label:<15} {count:>6}  {code}")
    return 0
