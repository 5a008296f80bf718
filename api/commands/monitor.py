"""``riskwatch monitor``: poll the registered feeds (forever, or once with ``--once``)."""

from __future__ import annotations

import argparse
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.commands.stop_signals import run_until_signalled
from api.runtime.crisis import crisis_loops
from api.runtime.media import crisis_story_callback, load_scorer, media_monitor
from api.settings import load_settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "monitor", help="poll media feeds into scored mentions"
    )
    parser.add_argument("--once", action="store_true", help="poll what is due once, then exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    scorer = load_scorer(settings)

    async def work() -> None:
        async with (
            command_graph(settings) as graph,
            # Alerts this process raises are delivered from here too (the outbox is leased).
            crisis_loops(settings, graph) as crisis,
            media_monitor(settings, graph, scorer, crisis_story_callback(crisis)) as w,
        ):
            if args.once:
                report = await w.run_once()
                print(
                    f"{report.feeds} feeds {report.outcomes}: {report.entries} entries, "
                    f"{report.new_mentions} new mentions, {report.new_stories} new stories "
                    f"({report.scored_stories} scored now, {report.queued_stories} queued)"
                )
                return
            await run_until_signalled(w.run_until)

    anyio.run(work)
    return 0
