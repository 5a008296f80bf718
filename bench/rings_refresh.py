"""Time of a full ring refresh on a large synthetic identifier graph (no policies or claims).

Seeding the whole demo book at a million customers takes hours on a small machine; the ring
refresh only reads parties and identifiers, so this benchmark writes just those, server-side:
per customer an ID number, a plate, a phone (every 500th pair share one) and, for half of
them, a bank account (groups of five share one every 2,000 customers). That is about as many
identifiers per customer as the demo book has, so the scan does the same work.

    .venv/bin/python -m bench.rings_refresh                       # 100,000 customers
    .venv/bin/python -m bench.rings_refresh --customers 1000000

It wipes the database it points at (RISKWATCH_NEO4J_URI) unless --reuse is given.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from api.commands.graph_access import command_graph
from api.settings import load_settings
from graph.network.rings import refresh_rings

# A bench fixture, not application Cypher: synthetic customers and identifiers in one batch.
SYNTHETIC_BATCH = """
UNWIND range($start, $end) AS n
CREATE (c:Customer:Party {id: 'customer:X' + n, ref: 'X' + n, name: 'synthetic'})
CREATE (c)-[:HAS_ID]->(:Identifier {id: 'ID_CARD:x' + n, kind: 'ID_CARD', key: 'x' + n,
                                    masked: '440***********0000'})
CREATE (c)-[:HAS_ID]->(:Identifier {id: 'PLATE:x' + n, kind: 'PLATE', key: 'x' + n,
                                    masked: '粤B·***00'})
WITH c, n, CASE WHEN n % 500 = 1 THEN n - 1 ELSE n END AS phone
MERGE (p:Identifier {id: 'PHONE:x' + phone})
  ON CREATE SET p.kind = 'PHONE', p.key = 'x' + phone, p.masked = '139****0000'
CREATE (c)-[:HAS_ID]->(p)
WITH c, n WHERE n % 2 = 0
WITH c, CASE WHEN n % 2000 < 10 THEN 'g' + (n / 2000) ELSE 'x' + n END AS account
MERGE (b:Identifier {id: 'BANK_ACCOUNT:' + account})
  ON CREATE SET b.kind = 'BANK_ACCOUNT', b.key = account, b.masked = '6222***********0000'
CREATE (c)-[:HAS_ID]->(b)
"""

WIPE = "MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS deleted"


async def run(args: argparse.Namespace) -> None:
    settings = load_settings()
    async with command_graph(settings) as graph:
        if not args.reuse:
            while (await graph.write(WIPE))[0]["deleted"]:
                pass
            started = time.perf_counter()
            for start in range(1, args.customers + 1, args.batch):
                end = min(start + args.batch - 1, args.customers)
                await graph.write(SYNTHETIC_BATCH, start=start, end=end)
            elapsed = time.perf_counter() - started
            print(f"seeded {args.customers:,} synthetic customers in {elapsed:.1f} s")
        for attempt in range(1, args.repeat + 1):
            report = await refresh_rings(
                graph,
                scan_page=settings.ring_scan_page,
                max_degree=settings.ring_max_identifier_degree,
            )
            print(
                f"full ring refresh #{attempt}: {report.seconds:.1f} s ({report.rings:,} rings, "
                f"{report.members:,} members, {report.shared_identifiers:,} shared identifiers, "
                f"{report.identifiers_scanned_pages} scan pages)"
            )
    print("command: .venv/bin/python -m bench." + "rings_refresh " + " ".join(sys.argv[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep the data already there")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
