"""Load run: a realistic mix against a real riskwatch server backed by the demo book.

70% renewal checks, 20% network/path queries, 10% complaint writes, from N concurrent clients
for a fixed time (bounded: it stops by itself). Closed loop by default (each client sends as
soon as it has its answer: the saturation throughput); ``--rate R`` offers R requests/s in
total instead, and counts each latency from when its request was due. The clients speak
HTTP/1.1 through ``bench.raw_http`` to leave the shared CPU to the server. The server runs
as its own process (``python -m api.cli serve``, ``--workers`` of them) on a free loopback
port, against the Neo4j that the settings point at, which must already hold the demo book
(``seed-demo`` merges into what is there: empty the database first for a fresh book):

    .venv/bin/riskwatch seed-demo --customers 100000 --seed 7
    .venv/bin/python bench/load.py --customers 100000 --clients 16 --duration 30
    .venv/bin/python bench/load.py --customers 100000 --clients 16 --rate 300 --duration 600 \
        --warmup 60 --timeline 60

Prints throughput, p50/p95/p99 per operation and overall, and the error rate; with
``--timeline S`` also p50/p99 per S seconds, which tells a steady tail from a few stalls.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvloop  # the server's event loop too (uvicorn[standard]): less of the shared CPU

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.settings import load_settings  # noqa: E402
from bench.raw_http import RawHttpClient  # noqa: E402
from graph.access.apikeys import ApiKeyRepository  # noqa: E402
from graph.client import connected_graph  # noqa: E402
from models.roles import Role  # noqa: E402
from tests.integration.webhook_receiver import free_port  # noqa: E402

RENEWAL = """query($i: IdentityInput!) { renewalCheck(identity: $i) {
  __typename ... on RenewalDecision { action reasons { code } } } }"""
NETWORK = """query($p: ID!) { network(partyId: $p, depth: 2, first: 50) {
  totalCount edges { node { id kind } } relationships { kind source target } } }"""
PATH = (
    """query($a: ID!, $b: ID!) { path(fromId: $a, toId: $b, maxHops: 6) { length explanation } }"""
)
FILE = """mutation($i: FileComplaintInput!) { fileComplaint(input: $i) { __typename } }"""
RING = [f"customer:C800000{i}" for i in range(1, 6)]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (seconds into the measured run when the request was due, latency) for the timeline
    timeline: list[tuple[float, float]] = field(default_factory=list)


def _customer_no(rng: random.Random, customers: int) -> str:
    return f"C{rng.randrange(1, customers - 14):07d}"


def mix_operation(
    rng: random.Random, customers: int, n: int
) -> tuple[str, str, str, dict[str, object]]:
    roll = rng.random()
    if roll < 0.70:
        identity: dict[str, object] = {"customerNo": _customer_no(rng, customers)}
        if rng.random() < 0.2:
            identity = {"phone": "+86 139-2288-7766"}  # the planted ring's shared phone
        return "renewalCheck", "renewal", RENEWAL, {"i": identity}
    if roll < 0.80:
        return "network", "risk", NETWORK, {"p": f"customer:{_customer_no(rng, customers)}"}
    if roll < 0.90:
        a, b = rng.sample(RING, 2)
        return "path", "risk", PATH, {"a": a, "b": b}
    complaint = {
        "customerNo": _customer_no(rng, customers),
        "channel": "HOTLINE",
        "category": "SERVICE",
        "summary": "客服电话一直打不通，理赔进度没人告知",
        "complaintNo": f"LOAD-{os.getpid()}-{n}",
    }
    return "fileComplaint", "complaints", FILE, {"i": complaint}


@dataclass(frozen=True)
class Pace:
    """When one client sends: every ``interval`` seconds from ``first`` (open loop), or as
    soon as its previous answer arrives when ``interval`` is 0 (closed loop)."""

    first: float
    interval: float
    measure_from: float  # answers to requests due before this are the warm-up, not counted
    deadline: float


async def _client(
    url: str, keys: dict[str, str], customers: int, seed: int, pace: Pace, tally: Tally
) -> None:
    rng = random.Random(seed)
    http = RawHttpClient(url)
    n = 0
    due = pace.first
    try:
        while (now := time.perf_counter()) < pace.deadline:
            n += 1
            name, role, query, variables = mix_operation(rng, customers, seed * 10_000_000 + n)
            if pace.interval:
                if due > now:
                    await asyncio.sleep(due - now)
                # Latency counts from when the request was due, so a client held up by a slow
                # answer does not hide the wait (no "coordinated omission").
                started, due = due, due + pace.interval
            else:
                started = now
            try:
                status, body = await http.post_json(
                    "/graphql",
                    {"query": query, "variables": variables},
                    {"Authorization": f"Bearer {keys[role]}"},
                )
                failed = status != 200 or bool(body.get("errors"))
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                failed = True
            if started < pace.measure_from:
                continue
            latency = time.perf_counter() - started
            tally.latencies[name].append(latency)
            tally.timeline.append((started - pace.measure_from, latency))
            if failed:
                tally.errors[name] += 1
    finally:
        await http.close()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _timeline(tally: Tally, step: float) -> None:
    """p50/p99 per ``step`` seconds of the run: shows whether a tail is steady or a stall."""
    buckets: dict[int, list[float]] = defaultdict(list)
    for at, latency in tally.timeline:
        buckets[int(at // step)].append(latency)
    print(f"{'from s':>7}{'requests':>10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for index in sorted(buckets):
        values = buckets[index]
        print(
            f"{index * step:>7.0f}{len(values):>10}{_pct(values, 0.5):>9.1f}"
            f"{_pct(values, 0.99):>9.1f}{max(values) * 1000:>9.1f}"
        )


def _report(tally: Tally, elapsed: float) -> None:
    everything = [v for values in tally.latencies.values() for v in values]
    total_errors = sum(tally.errors.values())
    print(
        f"requests {len(everything):,} in {elapsed:.0f} s: {len(everything) / elapsed:.1f} req/s, "
        f"errors {total_errors} ({100 * total_errors / max(len(everything), 1):.2f}%)"
    )
    rows = [("all", everything), *sorted(tally.latencies.items())]
    print(
        f"{'operation':<14}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'mean ms':>9}{'errors':>8}"
    )
    for name, values in rows:
        errors = total_errors if name == "all" else tally.errors[name]
        print(
            f"{name:<14}{len(values):>8}{_pct(values, 0.5):>9.1f}{_pct(values, 0.95):>9.1f}"
            f"{_pct(values, 0.99):>9.1f}{statistics.fmean(values) * 1000:>9.1f}{errors:>8}"
        )


async def create_keys() -> dict[str, str]:
    settings = load_settings()
    async with connected_graph(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
    ) as graph:
        repo = ApiKeyRepository(graph)
        return {
            role.value: (await repo.create(f"load-{role.value}", role, "bench"))[1]
            for role in (Role.RENEWAL, Role.RISK, Role.COMPLAINTS)
        }


async def _run(args: argparse.Namespace, url: str) -> None:
    keys = await create_keys()
    tally = Tally()
    started = time.perf_counter()
    measure_from = started + args.warmup
    deadline = measure_from + args.duration
    interval = args.clients / args.rate if args.rate else 0.0
    await asyncio.gather(
        *(
            _client(
                url,
                keys,
                args.customers,
                args.seed + i,
                Pace(started + i * interval / args.clients, interval, measure_from, deadline),
                tally,
            )
            for i in range(args.clients)
        )
    )
    elapsed = time.perf_counter() - measure_from
    if args.timeline:
        _timeline(tally, args.timeline)
    _report(tally, elapsed)


@contextmanager
def running_server(workers: int = 1) -> Iterator[tuple[str, int]]:
    """``riskwatch serve`` as a subprocess on a free loopback port, rate limits off, until
    the block ends: yields its URL and process id, once ``/readyz`` answers."""
    port = free_port()
    env = {**os.environ, "RISKWATCH_RATE_LIMIT_PER_MINUTE": "0", "RISKWATCH_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [*command, "--workers", str(workers)], cwd=ROOT, env=env
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not become ready")
            time.sleep(0.2)
        yield url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--customers", type=int, default=20_000, help="size of the seeded demo book"
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (bounded run)")
    parser.add_argument(
        "--warmup",
        type=float,
        default=10.0,
        help="seconds of the same load first, not counted (query plans, caches, connections)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="offered load in requests/s, spread over the clients (open loop; latency counted "
        "from when each request was due); 0 = each client sends as soon as it has its answer",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--timeline", type=float, default=0.0, help="also print p50/p99 per this many seconds"
    )
    parser.add_argument("--url", help="an already running server; default: start one")
    parser.add_argument(
        "--workers", type=int, default=1, help="API processes of the server it starts"
    )
    args = parser.parse_args()
    print("command: .venv/bin/python bench/load.py " + shlex.join(sys.argv[1:]))
    if args.url:
        uvloop.run(_run(args, args.url))
        return
    with running_server(args.workers) as (url, _):
        uvloop.run(_run(args, url))


if __name__ == "__main__":
    main()
