"""CPU each operation of the load mix costs: the API process and Neo4j, per request.

Starts ``riskwatch serve`` (one worker) against the Neo4j the settings point at, which must
hold the demo book, sends each operation of ``bench/load.py``'s mix one request at a time from
one client, and reads both processes' CPU time from ``/proc``. One client and one request in
flight make the CPU attributable; run it on a quiet machine and compare runs made back to back
(e.g. on two commits, alternating), as the machine's speed drifts by tens of percent:

    .venv/bin/python bench/op_cost.py --customers 100000 --requests 300 --rounds 2
"""

from __future__ import annotations

import argparse
import random
import shlex
import sys
import time
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.feeds import cpu_seconds, neo4j_pid  # noqa: E402
from bench.load import create_keys, mix_operation, running_server  # noqa: E402
from bench.raw_http import RawHttpClient  # noqa: E402

OPERATIONS = ("renewalCheck", "network", "path", "fileComplaint")


async def _measure(url: str, server_pid: int, args: argparse.Namespace) -> None:
    keys = await create_keys()
    http = RawHttpClient(url)
    rng = random.Random(args.seed)
    first_no = int(time.time()) * 1_000  # fresh complaint numbers on every run
    database = neo4j_pid()
    if database is None:
        raise SystemExit("no Neo4j started by scripts/neo4j (RISKWATCH_NEO4J_HOME) to measure")
    print(f"{'round':>5} {'operation':<14}{'wall ms':>9}{'API CPU ms':>12}{'Neo4j CPU ms':>14}")
    try:
        for round_no in range(args.rounds):
            for wanted in OPERATIONS:
                ops: list[tuple[str, str, str, dict[str, object]]] = []
                while len(ops) < args.requests:
                    op = mix_operation(rng, args.customers, first_no + round_no * 10**6 + len(ops))
                    if op[0] == wanted:
                        ops.append(op)
                api_0, db_0, wall_0 = cpu_seconds(server_pid), cpu_seconds(database), time.time()
                for _, role, query, variables in ops:
                    status, body = await http.post_json(
                        "/graphql",
                        {"query": query, "variables": variables},
                        {"Authorization": f"Bearer {keys[role]}"},
                    )
                    if status != 200 or body.get("errors"):
                        raise SystemExit(f"{wanted} failed: {status} {body}")
                n = len(ops)
                print(
                    f"{round_no:>5} {wanted:<14}{1000 * (time.time() - wall_0) / n:>9.2f}"
                    f"{1000 * (cpu_seconds(server_pid) - api_0) / n:>12.2f}"
                    f"{1000 * (cpu_seconds(database) - db_0) / n:>14.2f}"
                )
    finally:
        await http.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="size of the demo book")
    parser.add_argument("--requests", type=int, default=300, help="per operation and round")
    parser.add_argument("--rounds", type=int, default=2, help="the first one warms caches up")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("command: .venv/bin/python bench/op_cost.py " + shlex.join(sys.argv[1:]))
    with running_server(1) as (url, pid):
        uvloop.run(_measure(url, pid, args))


if __name__ == "__main__":
    main()
