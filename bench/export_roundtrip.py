"""Export and restore: ``riskwatch export`` of the demo book, then ``riskwatch import`` of the
file into the emptied database, timed, with a check that the restored graph exports the same
bytes.

    .venv/bin/python -m bench.export_roundtrip --wipe                      # 10,000 customers
    .venv/bin/python -m bench.export_roundtrip --wipe --customers 100000   # 100k book

It WIPES the database that the settings point at (``--wipe`` says you mean it): point
``RISKWATCH_NEO4J_URI`` at a scratch server.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import anyio

from api.commands.graph_access import command_graph
from api.settings import load_settings
from graph.bulk.demo import write_demo_book
from graph.bulk.export import GraphExporter
from graph.bulk.importer import Importer, ImportSource
from graph.client import Graph
from graph.migrations import migrate
from graph.watchlist.entries import WatchlistRepository
from graph.watchlist.rules import RuleThresholds

WIPE = (
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS "
    "WITH count(*) AS _ MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS"
)
COUNTS = """
CALL () { MATCH (n) RETURN count(n) AS n } WITH n
CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n, r
"""


async def _export(graph: Graph, secret: bytes, path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="\n") as out:
        report = await GraphExporter(graph, secret).write(out)
    return time.perf_counter() - started, report.total


async def run(args: argparse.Namespace) -> None:
    settings = load_settings()
    secret = settings.identity_key
    async with command_graph(settings) as graph:
        await graph.write_autocommit(WIPE)
        print(f"setup: demo book of {args.customers:,} customers, rules", file=sys.stderr)
        await write_demo_book(graph, args.customers, args.seed, secret)
        await WatchlistRepository(graph).run_rules(
            RuleThresholds(), datetime(2026, 11, 20, tzinfo=UTC), ttl_days=365
        )
        before = (await graph.read(COUNTS))[0].data()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "riskwatch-export.jsonl"
            export_s, records = await _export(graph, secret, path)
            size = path.stat().st_size
            await graph.write_autocommit(WIPE)
            await migrate(graph)
            started = time.perf_counter()
            report = await Importer(graph, secret).run([ImportSource.from_path(path)])
            import_s = time.perf_counter() - started
            after = (await graph.read(COUNTS))[0].data()
            again = Path(folder) / "again.jsonl"
            await _export(graph, secret, again)
            same = again.read_bytes() == path.read_bytes()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    command = ".venv/bin/python -m bench.export_roundtrip --wipe"
    print(f"command: {command} --customers {args.customers}")
    print(f"graph: {before['n']:,} nodes, {before['r']:,} relationships")
    print(
        f"export: {records:,} records, {size / 1e6:.1f} MB in {export_s:.1f} s "
        f"({records / export_s:,.0f} records/s); process peak RSS {peak_mb:,.0f} MB"
    )
    print(
        f"import: {report.imported_total:,} records in {import_s:.1f} s "
        f"({report.imported_total / import_s:,.0f} records/s), rejected {report.rejected_count}"
    )
    print(
        f"restored: {after['n']:,} nodes, {after['r']:,} relationships; "
        f"same as before: {after == before}; re-export byte-identical: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wipe", action="store_true", help="yes, wipe the configured database")
    args = parser.parse_args()
    if not args.wipe:
        sys.exit("this benchmark wipes the configured database: pass --wipe")
    logging.basicConfig(level=logging.WARNING)
    anyio.run(run, args)


if __name__ == "__main__":
    main()
