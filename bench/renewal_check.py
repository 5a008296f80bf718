"""Renewal-check speed over real HTTP: single-check latency (p50/p99, one client) and batch
throughput (identities per second), against the real server (uvicorn) and Neo4j.

    .venv/bin/python bench/renewal_check.py                   # 20,000 customers (seeds them)
    .venv/bin/python bench/renewal_check.py --customers 100000
    .venv/bin/python bench/renewal_check.py --customers 100000 --reuse   # keep the seeded book

It WIPES the database named by the settings (RISKWATCH_NEO4J_URI...) unless --reuse finds a
book of that size there. Then it adds 2,000 bench customers whose raw ID numbers, phones and
plates it knows, runs the watchlist rules, starts ``riskwatch serve`` and measures checks made
of a mix of identities: ID number + phone + name, plate, customer number, unknown ID numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.runtime.watchlist import run_watchlist_rules  # noqa: E402
from api.settings import load_settings  # noqa: E402
from graph.access.apikeys import ApiKeyRepository  # noqa: E402
from graph.bulk.demo import write_demo_book  # noqa: E402
from graph.bulk.ingest import GraphWriter  # noqa: E402
from graph.client import Graph, connected_graph  # noqa: E402
from graph.migrations import migrate  # noqa: E402
from models.demo_book import make_id_number, make_mobile, make_name, make_plate  # noqa: E402
from models.identity import IdentifierKind, make_identifier  # noqa: E402
from models.names import fold_name, pinyin_key  # noqa: E402
from models.records import PartyKind, PartyRow, party_id  # noqa: E402
from models.roles import Role  # noqa: E402

RULES_NOW = datetime(2026, 11, 20, tzinfo=UTC)
BENCH_CUSTOMERS = 2000
CHECK = """query($i: IdentityInput!) { renewalCheck(identity: $i) {
  ... on RenewalDecision { action matches { partyId score } }
  ... on InvalidIdentity { message } } }"""
BATCH = """query($ids: [IdentityInput!]!) { renewalCheckBatch(identities: $ids) {
  ... on RenewalDecision { action matches { partyId score } }
  ... on InvalidIdentity { message } } }"""
WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
BOOK_SIZE = "MATCH (c:Customer) WHERE c.customer_no STARTS WITH 'C' RETURN count(c) AS n"


def _bench_customers(secret: bytes) -> tuple[list[PartyRow], list[dict[str, str]]]:
    rng = random.Random("renewal-bench")
    rows: list[PartyRow] = []
    known: list[dict[str, str]] = []
    for n in range(1, BENCH_CUSTOMERS + 1):
        ref = f"B{n:07d}"
        raw = {
            "name": make_name(rng),
            "idNumber": make_id_number(rng),
            "phone": make_mobile(rng),
            "plate": make_plate(rng),
            "customerNo": ref,
        }
        idents = [
            make_identifier(secret, kind, raw[field])
            for field, kind in (
                ("idNumber", IdentifierKind.ID_CARD),
                ("phone", IdentifierKind.PHONE),
                ("plate", IdentifierKind.PLATE),
            )
        ]
        props = {
            "ref": ref,
            "name": raw["name"],
            "name_key": fold_name(raw["name"]),
            "pinyin_key": pinyin_key(raw["name"]),
            "customer_no": ref,
            "id_masked": idents[0].masked,
            "phone_masked": idents[1].masked,
            "since": date(2020, 1, 1),
        }
        identifier_rows = [
            {"id": i.node_id, "kind": i.kind.value, "key": i.key, "masked": i.masked}
            for i in idents
        ]
        rows.append(
            {
                "id": party_id(PartyKind.CUSTOMER, ref),
                "props": props,
                "identifiers": identifier_rows,  # type: ignore[typeddict-item]
            }
        )
        known.append(raw)
    return rows, known


def _identities(known: list[dict[str, str]], customers: int, count: int) -> list[dict[str, str]]:
    """A realistic mix: full identities, plates, customer numbers, people we do not know."""
    rng = random.Random("renewal-bench-mix")
    out: list[dict[str, str]] = []
    for _ in range(count):
        person = rng.choice(known)
        roll = rng.random()
        if roll < 0.4:
            out.append({k: person[k] for k in ("name", "idNumber", "phone")})
        elif roll < 0.6:
            out.append({"plate": person["plate"]})
        elif roll < 0.85:
            out.append({"customerNo": f"C{rng.randrange(1, customers - 14):07d}"})
        else:
            out.append({"idNumber": make_id_number(rng), "name": make_name(rng)})
    return out


async def _prepare(args: argparse.Namespace) -> tuple[str, list[dict[str, str]], dict[str, Any]]:
    settings = load_settings()
    figures: dict[str, Any] = {}
    async with connected_graph(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
        600.0,
    ) as graph:
        size = (await graph.read(BOOK_SIZE))[0]["n"]
        if not (args.reuse and size >= args.customers):
            print(f"seeding {args.customers:,} customers (wipes the database)...", flush=True)
            started = time.perf_counter()
            await graph.write_autocommit(WIPE)
            await migrate(graph)
            await write_demo_book(graph, args.customers, 7, settings.identity_key)
            figures["seed_s"] = round(time.perf_counter() - started, 1)
        rows, known = _bench_customers(settings.identity_key)
        await GraphWriter(graph).parties(PartyKind.CUSTOMER, rows)
        await _run_rules(graph, settings, figures)
        _, key = await ApiKeyRepository(graph).create("renewal-bench", Role.RENEWAL, "bench")
    return key, known, figures


async def _run_rules(graph: Graph, settings: Any, figures: dict[str, Any]) -> None:
    started = time.perf_counter()
    report = await run_watchlist_rules(graph, settings, RULES_NOW)
    figures["rules_s"] = round(time.perf_counter() - started, 2)
    figures["rules"] = report.line()


def _serve(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RISKWATCH_LOG_LEVEL": "WARNING"}
    # The mix sends people the book does not know on purpose (15%): speed is measured here,
    # not the probing guard, which would refuse the key after 200 of them in an hour.
    env["RISKWATCH_FAILED_IDENTIFIERS_PER_HOUR"] = "100000000"
    # The server's log (one line per Neo4j notification) would only slow it down here.
    return subprocess.Popen(  # noqa: S603 (our own CLI, fixed arguments)
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready")


def _measure(
    url: str, key: str, identities: list[dict[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    figures: dict[str, Any] = {}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for identity in identities[:50]:  # warm-up: plans cached, pool open
            client.post("/graphql", json={"query": CHECK, "variables": {"i": identity}})
        latencies = []
        actions: dict[str, int] = {}
        for identity in identities[: args.singles]:
            started = time.perf_counter()
            response = client.post("/graphql", json={"query": CHECK, "variables": {"i": identity}})
            latencies.append((time.perf_counter() - started) * 1000)
            result = response.json()["data"]["renewalCheck"]
            action = result.get("action", "INVALID")
            actions[action] = actions.get(action, 0) + 1
        latencies.sort()
        floor = []
        for _ in range(args.singles // 2):  # the same stack without a renewal check
            started = time.perf_counter()
            client.post("/graphql", json={"query": "{ viewer { role } }"})
            floor.append((time.perf_counter() - started) * 1000)
        floor.sort()
        figures["viewer_floor_p50_ms"] = round(statistics.median(floor), 2)
        figures["viewer_floor_p99_ms"] = round(floor[int(len(floor) * 0.99) - 1], 2)
        figures["single_p50_ms"] = round(statistics.median(latencies), 2)
        figures["single_p99_ms"] = round(latencies[int(len(latencies) * 0.99) - 1], 2)
        figures["single_actions"] = actions
        batches = [
            identities[i : i + args.batch_size]
            for i in range(0, args.batches * args.batch_size, args.batch_size)
        ]
        client.post("/graphql", json={"query": BATCH, "variables": {"ids": batches[0]}})
        started = time.perf_counter()
        checked = 0
        for batch in batches:
            response = client.post("/graphql", json={"query": BATCH, "variables": {"ids": batch}})
            checked += len(response.json()["data"]["renewalCheckBatch"])
        elapsed = time.perf_counter() - started
        figures["batch_identities_per_s"] = round(checked / elapsed)
        figures["batch_ms_each"] = round(elapsed / len(batches) * 1000, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true", help="keep a book of that size if found")
    parser.add_argument("--singles", type=int, default=1000, help="single checks to time")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    key, known, figures = asyncio.run(_prepare(args))
    count = max(args.singles, args.batches * args.batch_size)
    identities = _identities(known, args.customers, count)
    server = _serve(args.port)
    try:
        url = f"http://127.0.0.1:{args.port}"
        _wait_ready(url)
        figures.update(_measure(url, key, identities, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"command: .venv/bin/python bench/renewal_check.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"customers: {args.customers:,} (+{BENCH_CUSTOMERS:,} bench customers)")
    for name, value in figures.items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
