"""Latency from a negative story's ingestion to its alert's webhook delivery.

Each run writes a negative story from a high-impact source about a fresh subject (Mention,
Story, Feed, Subject in the media pipeline's shape), calls ``CrisisDetector.on_new_stories``
as the media pipeline does, and times until a local webhook receiver has the alert: detector
-> alert + outbox delivery (one transaction) -> delivery worker (woken in-process, as in the
API process) -> HTTP POST. The worker also polls, as it would across processes.

    .venv/bin/python -m bench.alert_latency [--runs 50] [--poll-interval 1.0] [--no-wake]

Writes only nodes whose ids start with ``bench:`` and deletes them afterwards. Refuses to
run while other webhook targets exist (they would receive the benchmark's alerts) unless
``--force``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

import anyio

from api.runtime.crisis import spike_settings
from api.settings import load_settings
from graph.client import Graph, connected_graph
from graph.migrations import migrate
from graph.outbox import WebhookTargetRepository
from models.crisis import Severity
from monitors.crisis.detector import CrisisDetector
from monitors.crisis.plans import PlanStore
from monitors.delivery.worker import DeliveryWorker
from tests.integration.media_graph import FeedRow, MediaGraph, StoryRow
from tests.integration.webhook_receiver import WebhookReceiver

CLEAN_UP_CASES = """
MATCH (a:Alert) WHERE a.subject_id STARTS WITH $prefix
OPTIONAL MATCH (c:CrisisCase)-[:HAS_ALERT]->(a)
OPTIONAL MATCH (c)-[:HAS_STEP]->(s:CrisisStep)
OPTIONAL MATCH (e:AuditEvent) WHERE e.subject_id = a.id OR e.case_id = c.id
DETACH DELETE e, s, c
"""

CLEAN_UP = """
MATCH (n) WHERE n.id STARTS WITH $prefix OR n.target_id STARTS WITH $prefix
   OR n.subject_id STARTS WITH $prefix
DETACH DELETE n
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _bench(
    graph: Graph, runs: int, poll_interval: float, force: bool, wake: bool
) -> list[float]:
    await migrate(graph)
    targets = WebhookTargetRepository(graph)
    others = [t for t in await targets.list_targets() if not str(t["id"]).startswith("bench:")]
    if others and not force:
        raise SystemExit(
            f"{len(others)} other webhook targets exist and would receive the benchmark's "
            "alerts; run against a test database or pass --force"
        )
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    receiver = WebhookReceiver()
    await receiver.start()
    target_id = f"{prefix}target"
    await graph.write(
        "CREATE (:WebhookTarget {id: $id, name: 'bench', kind: 'GENERIC', url: $url,"
        " secret: 'bench', min_severity: 'WATCH', min_rank: $rank, event_types: []})",
        id=target_id,
        url=receiver.url,
        rank=Severity.WATCH.rank,
    )
    media = MediaGraph(graph)
    await media.add_feeds(FeedRow(f"{prefix}feed", "bench national", high_impact=True))
    worker = DeliveryWorker(graph)
    detector = CrisisDetector(
        graph,
        PlanStore(graph),
        spike_settings(load_settings().crisis),
        on_alert=(lambda raised: worker.wake()) if wake else None,
    )
    latencies: list[float] = []
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(worker.run, poll_interval)
            for run in range(runs):
                subject = f"{prefix}subject:{run}"
                await media.add_subject(subject, "PRODUCT", f"bench product {run}")
                story = StoryRow(
                    f"{prefix}story:{run}", datetime.now(UTC), [subject], [f"{prefix}feed"]
                )
                started = time.perf_counter()
                await media.add_stories([story])
                await detector.on_new_stories([story.id])
                await receiver.wait_for(run + 1, deadline_s=30)
                latencies.append(receiver.received[run].at - started)
            tasks.cancel_scope.cancel()
    finally:
        await worker.aclose()
        await receiver.stop()
        await graph.write(CLEAN_UP_CASES, prefix=prefix)
        await graph.write(CLEAN_UP, prefix=prefix)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--poll-interval", type=float, default=1.0, help="worker poll, seconds")
    parser.add_argument("--force", action="store_true", help="run despite other targets")
    parser.add_argument(
        "--no-wake",
        action="store_true",
        help="the worker only polls, as when the detector runs in another process",
    )
    args = parser.parse_args()
    settings = load_settings()

    async def work() -> list[float]:
        async with connected_graph(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
        ) as graph:
            return await _bench(
                graph, args.runs, args.poll_interval, args.force, wake=not args.no_wake
            )

    latencies = anyio.run(work)
    ms = [1000 * value for value in latencies]
    print(f"alert latency, negative story ingested -> webhook received ({len(ms)} runs)")
    print(
        f"p50 {statistics.median(ms):.0f} ms   p95 {_percentile(ms, 0.95):.0f} ms   "
        f"max {max(ms):.0f} ms   mean {statistics.fmean(ms):.0f} ms"
    )
    print("command: .venv/bin/python -m bench.alert_latency " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
