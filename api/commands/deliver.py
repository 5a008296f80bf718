"""``riskwatch deliver``: run the crisis background loops without the API.

Delivery worker, domain-event dispatcher, escalation sweep and scheduled spike sweep, as
configured by the ``RISKWATCH_*_INTERVAL_S`` settings; run as many as you like beside the
API processes (work is claimed with leases). ``--once`` runs one round of each and exits.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.runtime.crisis import CrisisRuntime, crisis_loops
from api.settings import load_settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "deliver", help="run alert delivery, event dispatch and crisis escalation loops"
    )
    parser.add_argument("--once", action="store_true", help="one round of each, then exit")
    parser.set_defaults(handler=run)


async def _one_round(runtime: CrisisRuntime) -> str:
    await runtime.plans.seed()
    dispatched = await runtime.dispatcher.run_once()
    escalated = await runtime.escalation.run_once()
    raised = await runtime.detector.sweep()
    delivered = await runtime.delivery.run_once()
    await runtime.delivery.aclose()
    return (
        f"{dispatched} events dispatched, {len(escalated)} steps escalated, "
        f"{len(raised)} spike alerts, {delivered.sent} sent, {delivered.retrying} retrying, "
        f"{delivered.failed} failed"
    )


def run(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def work() -> None:
        async with command_graph(settings) as graph:
            if args.once:
                print(await _one_round(CrisisRuntime.build(settings, graph)))
                return
            async with crisis_loops(settings, graph):
                await anyio.sleep_forever()

    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(work)
    return 0
