"""Latency of the risk team's relationship queries and the time of a full ring refresh.

Seeds N customers of the demo book (or reuses what is there), refreshes the rings, then times
``network(depth: 2)``, ``path(maxHops: 6)``, the first page of ``rings`` and ``searchParties``
(words inside names, pinyin fragments, traditional and full-width input) through the GraphQL
schema in-process (strawberry ``Schema.execute`` with a risk principal: resolvers, DataLoaders
and Neo4j, no HTTP). Prints p50/p95 per query and the command that produced them.

    .venv/bin/python -m bench.relations                      # 20,000 customers
    .venv/bin/python -m bench.relations --customers 100000
    .venv/bin/python -m bench.relations --customers 1000000 --reuse   # already seeded

It wipes the database it points at (RISKWATCH_NEO4J_URI) unless --reuse is given.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from api.commands.graph_access import command_graph
from api.context import Context
from api.schema import build_schema
from api.services import Services
from api.settings import load_settings
from graph.access.apikeys import Principal
from graph.bulk.demo import write_demo_book
from graph.client import Graph
from graph.network.rings import refresh_rings
from models.roles import Role

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

NETWORK = """query ($id: ID!) { network(partyId: $id, depth: 2, first: 100) {
  totalCount edges { node { id kind label level } } relationships { kind source target }
  leftOut { nodes edges laterPages } } }"""
PATH = """query ($a: ID!, $b: ID!) { path(fromId: $a, toId: $b, maxHops: 6, first: 1) {
  length explanation hops { text via { masked } } } }"""
RINGS = """{ rings(first: 20) { pageInfo { hasNextPage endCursor } edges { node { id size score
  sharedIdentifiers { kind masked } scoreTerms { factor points } members { ref name } } } } }"""

SEARCH = """query ($q: String!) { searchParties(query: $q, first: 20) { id name kind } }"""
# Words inside names, pinyin fragments, traditional script, full width, exact names, references.
SEARCHES = (
    "汽修",
    "宏发",
    "qixiu",
    "北京 汽修",
    "汽車維修",
    "ＱＩＸＩＵ",
    "4号店",
    "wangwei",
    "张伟",
    "S0000004",
)

ONE_OFF = {
    "riskRanking(REPAIR_SHOP)": "{ riskRanking(kind: REPAIR_SHOP) { ref score } }",
    "riskRanking(AGENT)": "{ riskRanking(kind: AGENT) { ref score } }",
    "complaintStats(SHOP)": "{ complaintStats(groupBy: SHOP) { key count } }",
    "searchParties(pinyin prefix)": '{ searchParties(query: "wangw") { id } }',
}


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


async def _timed(samples: int, warmup: int, call: Callable[[int], Awaitable[Any]]) -> list[float]:
    for n in range(warmup):
        await call(n)
    latencies: list[float] = []
    for n in range(samples):
        started = time.perf_counter()
        await call(warmup + n)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def run(args: argparse.Namespace) -> None:
    settings = load_settings()
    async with command_graph(settings) as graph:
        if not args.reuse:
            await graph.write_autocommit(WIPE)
            started = time.perf_counter()
            await write_demo_book(graph, args.customers, args.seed, settings.identity_key)
            print(f"seeded {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
        report = await refresh_rings(
            graph, scan_page=settings.ring_scan_page, max_degree=settings.ring_max_identifier_degree
        )
        print(
            f"full ring refresh: {report.seconds:.1f} s ({report.rings:,} rings, "
            f"{report.members:,} members, {report.shared_identifiers:,} shared identifiers, "
            f"{report.skipped_hubs} hubs skipped)"
        )
        await _measure(args, settings, graph)


async def _measure(args: argparse.Namespace, settings: Any, graph: Graph) -> None:
    schema = build_schema()
    context = Context(
        services=Services(settings=settings, driver=graph.driver, graph=graph),
        request=None,  # type: ignore[arg-type]
        principal=Principal("bench", "bench", Role.RISK),
    )
    rng = random.Random(args.seed)
    ordinary = args.customers - 14

    def customer() -> str:
        return f"customer:C{rng.randrange(1, ordinary + 1):07d}"

    async def execute(query: str, variables: dict[str, Any] | None = None) -> None:
        result = await schema.execute(query, variable_values=variables, context_value=context)
        if result.errors:
            raise RuntimeError(result.errors)

    figures = {
        "network(depth 2)": await _timed(
            args.samples, 10, lambda _: execute(NETWORK, {"id": customer()})
        ),
        "path(maxHops 6)": await _timed(
            args.samples, 10, lambda _: execute(PATH, {"a": customer(), "b": customer()})
        ),
        "rings first page": await _timed(args.samples, 5, lambda _: execute(RINGS)),
        "searchParties": await _timed(
            args.samples, 10, lambda n: execute(SEARCH, {"q": SEARCHES[n % len(SEARCHES)]})
        ),
    }
    print(f"{'query':<20} {'p50 ms':>8} {'p95 ms':>8} {'samples':>8}")
    for name, latencies in figures.items():
        print(
            f"{name:<20} {statistics.median(latencies):8.1f} "
            f"{_percentile(latencies, 0.95):8.1f} {len(latencies):8d}"
        )
    for name, query in ONE_OFF.items():
        started = time.perf_counter()
        await execute(query)
        print(f"{name:<34} {(time.perf_counter() - started) * 1000:8.1f} ms (one run)")
    print("command: .venv/bin/python -m bench." + "relations " + " ".join(sys.argv[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep the data already there")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
