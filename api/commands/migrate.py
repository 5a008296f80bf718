"""``riskwatch migrate``: create the schema's constraints and indexes."""

from __future__ import annotations

import argparse
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.settings import load_settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "migrate", help="apply schema migrations (also done at every serve)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    async def work() -> None:
        async with command_graph(load_settings()):
            pass

    anyio.run(work)
    print("migrations applied")
    return 0
