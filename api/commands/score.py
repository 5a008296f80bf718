"""``riskwatch score``: scoring workers for the queue of unscored stories.

The monitor scores the stories that name a subject or party as it polls (unless
``RISKWATCH_SENTIMENT_INLINE`` is off) and the rest when it is idle. This command puts
scoring on cores or machines of its own: it claims batches of ``:Unscored`` stories with
leases (linked ones first; the backlog too unless ``RISKWATCH_SENTIMENT_BACKLOG=never``),
scores them, and tells the crisis detector about the linked ones. Run as many as needed.
"""

from __future__ import annotations

import argparse
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.commands.stop_signals import run_until_signalled
from api.runtime.crisis import crisis_loops
from api.runtime.media import crisis_story_callback, load_scorer, scoring_worker
from api.settings import load_settings
from graph.media.story_scores import StoryScoreRepository


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "score", help="score queued stories (linked first) in leased batches"
    )
    parser.add_argument("--once", action="store_true", help="work the queue off, then exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    scorer = load_scorer(settings)

    async def work() -> None:
        async with command_graph(settings) as graph, crisis_loops(settings, graph) as crisis:
            worker = scoring_worker(settings, graph, scorer, crisis_story_callback(crisis))
            if args.once:
                scored = await worker.work_off()
                waiting = await StoryScoreRepository(graph).waiting()
                print(f"scored {scored} stories; waiting by priority: {waiting}")
                return
            await run_until_signalled(worker.run_until)

    anyio.run(work)
    return 0
