"""Complaint desk timings on the demo book: paging, filters, overdue sweep, risk, hot topics.

    PYTHONPATH=. RISKWATCH_NEO4J_URI=bolt://127.0.0.1:7692 .venv/bin/python bench/complaints.py \
        [--customers 10000] [--seed 7] [--keep]

Writes the demo book into the configured database (wiping it first unless --keep is given and
the book is already there), then prints one line per measurement. Never part of the tests.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio

from api.settings import load_settings
from graph.bulk.demo import write_demo_book
from graph.client import Graph, connected_graph
from graph.complaints.insights import RiskThresholds, complaint_hot_topics, complaint_risk
from graph.complaints.lifecycle import ComplaintFilter, ComplaintRepository
from graph.complaints.sweep import OverdueSweep
from graph.migrations import migrate
from models.records import ComplaintChannel

NOW = datetime(2026, 11, 26, tzinfo=UTC)


async def timed(label: str, work: Callable[[], Awaitable[Any]], repeat: int = 5) -> Any:
    """Run ``work`` ``repeat`` times; print the median and best wall time."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    times.sort()
    median, best = times[len(times) // 2] * 1000, times[0] * 1000
    print(f"{label:<48} median {median:8.1f} ms  best {best:8.1f} ms")
    return result


async def page_through(repo: ComplaintRepository, size: int) -> int:
    seen, after = 0, None
    while True:
        page = await repo.page(ComplaintFilter(), first=size, after=after, now=NOW)
        seen += len(page.items)
        if not page.has_next:
            return seen
        after = page.cursors[-1]


async def main(args: argparse.Namespace) -> None:
    settings = load_settings()
    async with connected_graph(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
        60.0,
    ) as graph:
        await prepare(graph, args)
        repo = ComplaintRepository(graph)
        total = (await graph.read("MATCH (q:Complaint) RETURN count(q) AS n"))[0]["n"]
        print(f"complaints in the book: {total:,}")
        await timed(
            "first page (20), newest first",
            lambda: repo.page(ComplaintFilter(), first=20, after=None, now=NOW),
        )
        await timed(
            "first page (20), regulator, overdue filter",
            lambda: repo.page(
                ComplaintFilter(channels=[ComplaintChannel.REGULATOR], overdue=True),
                first=20,
                after=None,
                now=NOW,
            ),
        )
        await timed(
            "first page (20), one party (C8000100)",
            lambda: repo.page(
                ComplaintFilter(party_id="customer:C8000100"), first=20, after=None, now=NOW
            ),
        )
        seen = await timed(
            f"page through all ({total:,}) by 100", lambda: page_through(repo, 100), 1
        )
        assert seen == total, (seen, total)
        await timed(
            "complaintRisk(first: 20)",
            lambda: complaint_risk(graph, first=20, now=NOW, thresholds=RiskThresholds()),
        )
        await timed(
            "complaintHotTopics over 90 days (+ previous 90)",
            lambda: complaint_hot_topics(graph, start=NOW - timedelta(days=90), end=NOW),
            3,
        )
        marked = await timed(
            "overdue sweep (first run marks)", lambda: OverdueSweep(graph).mark_overdue(NOW), 1
        )
        print(f"  marked {len(marked):,} overdue")
        await timed("overdue sweep (nothing left)", lambda: OverdueSweep(graph).mark_overdue(NOW))


async def prepare(graph: Graph, args: argparse.Namespace) -> None:
    have = (await graph.read("MATCH (c:Customer) RETURN count(c) AS n"))[0]["n"]
    if args.keep and have >= args.customers:
        return
    await graph.write_autocommit(
        "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
    )
    await migrate(graph)
    started = time.perf_counter()
    await write_demo_book(graph, args.customers, args.seed, b"bench-secret-0123456789")
    elapsed = time.perf_counter() - started
    print(f"demo book of {args.customers:,} customers written in {elapsed:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse a book already written")
    print("command: " + " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    anyio.run(main, parser.parse_args())
