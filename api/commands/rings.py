"""``riskwatch rings refresh``: recompute the rings of parties that share identifiers."""

from __future__ import annotations

import argparse
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.settings import load_settings
from graph.network.rings import RefreshReport, refresh_rings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "rings", help="groups of parties linked through shared identifiers"
    )
    actions = parser.add_subparsers(dest="rings_action", required=True)
    refresh = actions.add_parser("refresh", help="recompute and store every ring")
    refresh.add_argument(
        "--max-degree",
        type=int,
        default=None,
        help="ignore identifiers shared by more parties than this (default from settings)",
    )
    refresh.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    max_degree = args.max_degree or settings.ring_max_identifier_degree

    async def work() -> RefreshReport:
        async with command_graph(settings) as graph:
            return await refresh_rings(
                graph, scan_page=settings.ring_scan_page, max_degree=max_degree
            )

    report = anyio.run(work)
    print(
        f"{report.rings:,} rings, {report.members:,} members, "
        f"{report.shared_identifiers:,} shared identifiers, {report.skipped_hubs:,} hubs "
        f"skipped, {report.identifiers_scanned_pages} scan pages in {report.seconds:.1f} s"
    )
    return 0
