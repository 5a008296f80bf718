"""Benchmark: feeds polled per minute through the real pipeline against a local feed server.

A separate process serves ``--feeds`` RSS feeds of ``--entries`` items each on loopback
(about one item in ten is a wire story syndicated to several feeds; about one story in ten
names the company or one of three repair shops the bench adds). One monitor cycle polls them
all: fetch and parse (the linked stories are scored meanwhile, as their feeds arrive), dedup,
link, score what is left of the linked stories (text and links in one pass), write to Neo4j
(the scored stories first), the rest queued ``:Unscored``. Then a scoring worker works the queue for
``--backlog-s`` seconds and the bench reports its rate. Scoring uses the real model (the
settings' precision and token cap) when its folder exists (``--no-model`` swaps in a
constant scorer, to show what the rest costs). Run against a development or test Neo4j
(``scripts/neo4j start``); the bench deletes only the feeds, mentions, stories and shops
it made.

    .venv/bin/python -m bench.feeds                 # 200 feeds x 20 entries
    .venv/bin/python -m bench.feeds --feeds 1000    # the issue's target
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

from api.commands.graph_access import command_graph
from api.runtime.media import load_scorer, media_monitor
from api.settings import Settings, load_settings
from graph.client import Graph
from graph.media.feeds import FeedRepository
from graph.media.story_scores import StoryScoreRepository
from models.errors import ConfigurationError
from monitors.feeds.scoring import ScorerLike
from monitors.feeds.worker import MonitorWorker
from tests.feed_server import FeedServer, Item, Route, rss_document

NOW = datetime(2024, 10, 18, 8, 0, tzinfo=UTC)
# Common characters of Chinese insurance news: random runs of them make distinct texts.
CHARS = (
    "保险理赔车险客户公司服务投诉维修定损赔付监管通报深圳广州上海北京车主事故报案保费续保"
    "条款责任调查报告数据增长下降市场产品渠道代理经纪合作门店网点风险评估审核流程效率时间"
    "金额案件处理结果回应表示记者获悉近日今年同比环比提升改善问题整改要求部门分公司总部"
)
SHOPS = ("鑫达汽修", "深圳顺安汽修", "广州骏达汽车服务")
COMPANY = ("瑞安保险", "瑞安财险")  # the default settings' company and alias


class ConstantScorer:
    """Scores everything neutral: shows the pipeline's cost without inference."""

    def score(self, texts: Sequence[str]) -> list[_ConstantScore]:
        return [_ConstantScore() for _ in texts]


@dataclass(frozen=True)
class _ConstantScore:
    label: str = "neutral"

    @property
    def probabilities(self) -> dict[str, float]:
        return {"negative": 0.1, "neutral": 0.8, "positive": 0.1}


def _text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(CHARS) for _ in range(length))


def build_routes(feeds: int, entries: int, seed: int, delay_s: float = 0.0) -> dict[str, Route]:
    """Deterministic feed documents; every tenth item is a shared wire story. Each answer
    waits ``delay_s`` (a remote server's latency; loopback answers at once)."""
    rng = random.Random(seed)
    wire = [(_text(rng, 24), _text(rng, 160)) for _ in range(max(1, feeds // 5))]
    routes = {}
    for f in range(feeds):
        items = []
        for e in range(entries):
            if e % 10 == 0:
                title, body = wire[(f + e) % len(wire)]
                title = title + rng.choice(("", " - 财经网", "【转载】"))
            else:
                title, body = _text(rng, 24), _text(rng, 160)
                if e % 7 == 0:  # two stories in eighteen name someone
                    body = body[:80] + rng.choice(SHOPS + COMPANY) + body[80:]
            items.append(
                Item(
                    title,
                    body,
                    f"b{f}-{e}",
                    f"https://f{f}.example.cn/{e}",
                    NOW - timedelta(minutes=e),
                )
            )
        routes[f"/feed/{f}"] = Route(rss_document(f"bench {f}", items), delay_s=delay_s)
    return routes


def _serve(
    feeds: int, entries: int, seed: int, delay_s: float, ports: multiprocessing.Queue[int]
) -> None:
    async def main() -> None:
        async with FeedServer() as server:
            server.routes.update(build_routes(feeds, entries, seed, delay_s))
            ports.put(server.port)
            await asyncio.Event().wait()

    asyncio.run(main())


CLEANUP = """
MATCH (f:Feed) WHERE f.url STARTS WITH 'http://127.0.0.1:' AND f.name STARTS WITH 'bench '
OPTIONAL MATCH (m:Mention)-[:FROM]->(f)
OPTIONAL MATCH (m)-[:IN_STORY]->(s:Story)
DETACH DELETE f, m, s
"""

# The repair shops the stories name (linkable parties), removed by CLEANUP_SHOPS.
ADD_SHOPS = """
UNWIND $names AS name
MERGE (p:RepairShop:Party {id: 'bench:shop:' + name})
SET p.name = name, p.updated_at = datetime()
"""
CLEANUP_SHOPS = "MATCH (p:RepairShop) WHERE p.id STARTS WITH 'bench:shop:' DETACH DELETE p"


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds a process has used (0 when it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def neo4j_pid() -> int | None:
    """The pid of the Neo4j that scripts/neo4j started for RISKWATCH_NEO4J_HOME, if any."""
    home = Path(os.environ.get("RISKWATCH_NEO4J_HOME", ".riskwatch/neo4j"))
    try:
        return int((home / "run" / "neo4j.pid").read_text().strip())
    except (OSError, ValueError):
        return None


async def _run(
    settings: Settings,
    port: int,
    feeds: int,
    scorer: ScorerLike,
    server_pid: int | None,
    backlog_s: float,
) -> None:
    async with command_graph(settings) as graph:
        await graph.write(CLEANUP)
        await graph.write(ADD_SHOPS, names=list(SHOPS))
        await _register(graph, port, feeds)
        tuned = settings.model_copy(
            update={
                "feeds": settings.feeds.model_copy(
                    update={
                        "allow_private": True,
                        "poll_batch": feeds,
                        "poll_concurrency": 64,
                        "request_timeout_s": 30.0,
                    }
                )
            }
        )
        async with media_monitor(tuned, graph, scorer, owner="bench") as worker:
            worker.clock = lambda: NOW
            database = neo4j_pid()
            cpu_before = (time.process_time(), cpu_seconds(server_pid), cpu_seconds(database))
            started = time.perf_counter()
            report = await worker.run_once()
            elapsed = time.perf_counter() - started
            cpu_after = (time.process_time(), cpu_seconds(server_pid), cpu_seconds(database))
            backlog = await _work_backlog(worker, backlog_s)
        await graph.write(CLEANUP)
        await graph.write(CLEANUP_SHOPS)
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    print(f"scorer: {type(scorer).__name__}")
    print(
        f"feeds: {report.feeds} {report.outcomes}; entries {report.entries:,}; "
        f"mentions {report.new_mentions:,}; stories {report.new_stories:,}"
    )
    print(f"one cycle: {elapsed:.1f} s wall ({stages}); load average {os.getloadavg()[0]:.1f}")
    # The cycle writes the scored stories first: they are stored before the cycle ends.
    claim_s = elapsed - report.seconds.get("cycle", elapsed)
    linked_s = elapsed if report.linked_stored_s is None else claim_s + report.linked_stored_s
    print(
        f"=> every linked story ({report.scored_stories:,}, "
        f"{report.scored_stories / max(1, report.new_stories):.0%} of the stories; "
        f"{report.scored_ahead:,} scored ahead, during the fetch and build) scored and stored "
        f"{linked_s:.1f} s after the round started; the cycle ended at {elapsed:.1f} s; "
        f"{report.queued_stories:,} queued"
    )
    print(backlog)
    print(
        f"=> {report.feeds / elapsed * 60:,.0f} feeds/minute, "
        f"{report.entries / elapsed:,.0f} entries/s (wall clock, this machine, now)"
    )
    monitor_cpu, server_cpu, neo4j_cpu = (a - b for a, b in zip(cpu_after, cpu_before, strict=True))
    total = monitor_cpu + neo4j_cpu
    print(
        f"CPU: monitor {monitor_cpu:.1f} s, Neo4j {neo4j_cpu:.1f} s"
        + ("" if database else " (Neo4j pid unknown: set RISKWATCH_NEO4J_HOME)")
        + f", feed server {server_cpu:.1f} s (not counted)"
    )
    if total:
        # Two dedicated cores can at best share monitor + Neo4j CPU evenly, but the monitor
        # itself is one process (one GIL): its own CPU time is a floor too.
        bound = max(total / 2, monitor_cpu)
        print(
            f"=> CPU-bound estimate for 2 dedicated cores: {bound:.1f} s per cycle, "
            f"{report.feeds / bound * 60:,.0f} feeds/minute"
        )


async def _work_backlog(worker: MonitorWorker, seconds: float) -> str:
    """Score queued stories for ``seconds`` (whole batches) and say how fast it went."""
    if worker.backlog is None or seconds <= 0:
        return "backlog: not worked (--backlog-s 0)"
    worker.backlog.clock = worker.clock
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        scored = await worker.backlog.run_once()
        if not scored:
            break
        done += scored
    spent = time.perf_counter() - started
    left = sum((await StoryScoreRepository(worker.backlog.queue.graph).waiting()).values())
    return (
        f"backlog: {done:,} stories scored in {spent:.1f} s = {done / spent:,.1f} stories/s "
        f"(batches of {worker.backlog.batch_size}); {left:,} still queued"
    )


async def _register(graph: Graph, port: int, feeds: int) -> None:
    repo = FeedRepository(graph)
    for f in range(feeds):
        await repo.add(
            url=f"http://127.0.0.1:{port}/feed/{f}",
            name=f"bench {f}",
            language="zh",
            poll_interval_s=300,
            enabled=True,
            high_impact=False,
            weight=1.0,
            now=NOW,
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-model", action="store_true", help="constant scorer, no model")
    parser.add_argument(
        "--backlog-s", type=float, default=60.0, help="seconds to work the queue off after"
    )
    parser.add_argument(
        "--delay-s", type=float, default=0.0, help="each feed answers after this long (latency)"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if settings.environment == "production":
        print("bench: refuses to run against a production environment", file=sys.stderr)
        return 2
    scorer: ScorerLike = ConstantScorer()
    if not args.no_model:
        try:
            scorer = load_scorer(settings)
        except ConfigurationError as error:
            print(
                f"bench: no sentiment model ({error.message}); using a constant scorer",
                file=sys.stderr,
            )
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=_serve,
        args=(args.feeds, args.entries, args.seed, args.delay_s, ports),
        daemon=True,
    )
    server.start()
    try:
        port = ports.get(timeout=120)
        anyio.run(_run, settings, port, args.feeds, scorer, server.pid, args.backlog_s)
    finally:
        server.terminate()
        server.join(10)
    print("command: .venv/bin/python -m bench.feeds " + " ".join(argv or sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
