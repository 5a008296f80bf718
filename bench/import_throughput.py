"""Import throughput: riskwatch's importer against Neo4j's own LOAD CSV, same rows, same run.

Generates N rows (half claims, half complaints about those claims) as CSV in the Neo4j
server's import folder, imports them with ``graph.bulk.importer.Importer`` (validation, reference
checks, batched UNWIND/MERGE), then loads the same files with ``LOAD CSV ... CALL {...} IN
TRANSACTIONS`` doing the equivalent merges into a separate label namespace (``BenchClaim``,
``BenchComplaint``), and prints rows per second for both and the ratio.

    .venv/bin/python bench/import_throughput.py --wipe                 # 100,000 rows
    .venv/bin/python bench/import_throughput.py --wipe --rows 1000000  # the BENCHMARKS figure

The importer's client side is dominated by the driver packing parameters; with the
``neo4j-rust-ext`` package installed (a drop-in from Neo4j) that cost all but disappears. The
output says which packer ran.

It WIPES the database that the settings point at (``--wipe`` says you mean it): point
``RISKWATCH_NEO4J_URI`` at a scratch server. ``RISKWATCH_NEO4J_HOME`` names the server's home
(its ``import`` folder is where LOAD CSV reads), default ``.riskwatch/neo4j``.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

from api.commands.graph_access import command_graph
from api.settings import PROJECT_ROOT, load_settings
from graph.bulk.importer import Importer, ImportSource
from graph.client import Graph
from models.import_format import RecordType

# Relationships first, in small transactions: shops and adjusters have thousands each.
WIPE = (
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS "
    "WITH count(*) AS _ MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS"
)

BENCH_CONSTRAINTS = (
    "CREATE CONSTRAINT benchclaim_id IF NOT EXISTS FOR (n:BenchClaim) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT benchcomplaint_id IF NOT EXISTS "
    "FOR (n:BenchComplaint) REQUIRE n.id IS UNIQUE",
)

# The same merges the importer does for claims, straight from the CSV.
LOAD_CLAIMS = """
LOAD CSV WITH HEADERS FROM 'file:///bench_claims.csv' AS row
CALL (row) {
  MERGE (c:BenchClaim {id: 'claim:' + row.claim_no})
  SET c.claim_no = row.claim_no, c.status = toUpper(row.status),
      c.reported_at = datetime(row.reported_at), c.settled_at = datetime(row.settled_at),
      c.amount = toFloat(row.amount), c.fraud_flag = row.fraud_flag = 'true',
      c.updated_at = datetime()
  WITH c, row
  MATCH (pol:Policy {id: 'policy:' + row.policy_no})
  MERGE (pol)-[:HAS_CLAIM]->(c)
  WITH c, row
  MATCH (shop:RepairShop {id: 'shop:' + row.shop_code})
  MERGE (c)-[:REPAIRED_AT]->(shop)
  WITH c, row
  MATCH (adj:Adjuster {id: 'adjuster:' + row.adjuster_no})
  MERGE (c)-[:ASSESSED_BY]->(adj)
} IN TRANSACTIONS OF $batch ROWS
"""

# The same merges the importer does for complaints.
LOAD_COMPLAINTS = """
LOAD CSV WITH HEADERS FROM 'file:///bench_complaints.csv' AS row
CALL (row) {
  MERGE (q:BenchComplaint {id: 'complaint:' + row.complaint_no})
  SET q.complaint_no = row.complaint_no, q.channel = toUpper(row.channel),
      q.category = toUpper(row.category), q.status = 'OPEN',
      q.received_at = datetime(row.received_at),
      q.due_at = datetime(row.received_at) + duration('P15D'),
      q.summary = row.summary, q.updated_at = datetime()
  WITH q, row
  MATCH (who:Customer {id: 'customer:' + row.customer_no})
  MERGE (who)-[:FILED]->(q)
  WITH q, row
  MATCH (l:BenchClaim {id: 'claim:' + row.claim_no})
  MERGE (q)-[:ABOUT]->(l)
} IN TRANSACTIONS OF $batch ROWS
"""

SHOPS, ADJUSTERS = 50, 20
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
SUMMARIES = ("理赔拖了一个多月还没结果", "定损金额太低", "客服电话一直打不通", "拒赔理由不合理")


def write_reference_files(folder: Path, policies: int) -> list[Path]:
    """Customers, shops, adjusters and policies the benchmark rows refer to."""
    rng = random.Random(1)
    files = {
        "customers.csv": ["customer_no,name,phone"]
        + [f"C{n:08d},客户{n},1{rng.choice('3589')}{n:09d}" for n in range(policies)],
        "repair_shops.csv": ["shop_code,name,city"]
        + [f"S{n:05d},第{n}汽修,深圳" for n in range(SHOPS)],
        "adjusters.csv": ["adjuster_no,name"] + [f"J{n:05d},查勘员{n}" for n in range(ADJUSTERS)],
        "policies.csv": ["policy_no,customer_no,product,start_date,end_date,premium"]
        + [f"P{n:08d},C{n:08d},车损险,2025-01-01,2025-12-31,4200" for n in range(policies)],
    }
    paths = []
    for name, lines in files.items():
        path = folder / f"bench_ref_{name}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def write_rows(folder: Path, rows: int, policies: int) -> tuple[Path, Path]:
    """``rows // 2`` claims and as many complaints (each about one of those claims)."""
    rng = random.Random(2)
    claims_path = folder / "bench_claims.csv"
    complaints_path = folder / "bench_complaints.csv"
    half = rows // 2
    with (
        claims_path.open("w", encoding="utf-8") as claims,
        complaints_path.open("w", encoding="utf-8") as complaints,
    ):
        claims.write(
            "claim_no,policy_no,status,reported_at,settled_at,amount,shop_code,adjuster_no,"
            "fraud_flag\n"
        )
        complaints.write("complaint_no,customer_no,channel,category,received_at,claim_no,summary\n")
        for n in range(half):
            policy = rng.randrange(policies)
            reported = EPOCH + timedelta(minutes=rng.randrange(500_000))
            settled = reported + timedelta(days=rng.randrange(1, 40))
            claims.write(
                f"L{n:09d},P{policy:08d},PAID,{reported.isoformat()},{settled.isoformat()},"
                f"{rng.uniform(500, 60000):.2f},S{rng.randrange(SHOPS):05d},"
                f"J{rng.randrange(ADJUSTERS):05d},false\n"
            )
            received = settled + timedelta(hours=rng.randrange(1, 500))
            complaints.write(
                f"Q{n:09d},C{policy:08d},{rng.choice(('HOTLINE', 'ONLINE', 'FRONTLINE'))},CLAIMS,"
                f"{received.isoformat()},L{n:09d},{rng.choice(SUMMARIES)}\n"
            )
    return claims_path, complaints_path


async def counts(graph: Graph, *labels: str) -> dict[str, int]:
    found = {}
    for label in labels:
        records = await graph.read(
            "MATCH (n) WHERE $label IN labels(n) RETURN count(n) AS n", label=label
        )
        found[label] = records[0]["n"]
    return found


async def run(args: argparse.Namespace) -> None:
    settings = load_settings()
    home = Path(os.environ.get("RISKWATCH_NEO4J_HOME", PROJECT_ROOT / ".riskwatch" / "neo4j"))
    folder = home / "import"
    if not folder.is_dir():
        sys.exit(f"{folder} is not the Neo4j import folder: set RISKWATCH_NEO4J_HOME")
    policies = args.policies or max(1000, args.rows // 20)
    async with command_graph(settings) as graph:
        await graph.write_autocommit(WIPE)
        for statement in BENCH_CONSTRAINTS:
            await graph.write(statement)
        print(f"setup: {policies:,} customers and policies", file=sys.stderr)
        ref = write_reference_files(folder, policies)
        await Importer(graph, settings.identity_key).run([ImportSource.from_path(p) for p in ref])
        claims, complaints = write_rows(folder, args.rows, policies)
        rows = 2 * (args.rows // 2)

        print(f"riskwatch import: {rows:,} rows", file=sys.stderr)
        started = time.perf_counter()
        report = await Importer(graph, settings.identity_key, batch_size=args.batch_size).run(
            [ImportSource.from_path(claims), ImportSource.from_path(complaints)]
        )
        ours = time.perf_counter() - started
        assert report.ok, report.rejected[:5]
        assert report.imported[RecordType.CLAIM] + report.imported[RecordType.COMPLAINT] == rows

        print("LOAD CSV: same rows", file=sys.stderr)
        started = time.perf_counter()
        await graph.write_autocommit(LOAD_CLAIMS, batch=args.batch_size)
        await graph.write_autocommit(LOAD_COMPLAINTS, batch=args.batch_size)
        theirs = time.perf_counter() - started
        loaded = await counts(graph, "BenchClaim", "BenchComplaint", "Claim", "Complaint")
        assert loaded["BenchClaim"] + loaded["BenchComplaint"] == rows, loaded
        assert loaded["Claim"] + loaded["Complaint"] == rows, loaded
        print(f"command: {' '.join(sys.argv)}")
        print(
            f"rows: {rows:,} ({rows // 2:,} claims + {rows // 2:,} complaints), "
            f"batch {args.batch_size}, {policies:,} policies"
        )
        packer = "Rust (neo4j-rust-ext)" if importlib.util.find_spec("neo4j._rust") else "Python"
        print(f"driver packstream: {packer}")
        print(f"riskwatch import: {ours:8.1f} s  {rows / ours:10,.0f} rows/s")
        print(f"LOAD CSV:         {theirs:8.1f} s  {rows / theirs:10,.0f} rows/s")
        print(f"ratio: {theirs / ours:.2f} of LOAD CSV's rate (target >= 0.50)", flush=True)
        for path in (claims, complaints, *ref):
            path.unlink()
        if not args.keep:
            await graph.write_autocommit(WIPE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=0, help="default rows / 20")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the data afterwards")
    parser.add_argument("--wipe", action="store_true", help="yes, wipe the database first")
    args = parser.parse_args()
    if not args.wipe:
        sys.exit("this benchmark wipes the database the settings point at; pass --wipe")
    logging.basicConfig(level=logging.WARNING)
    anyio.run(run, args)


if __name__ == "__main__":
    main()
