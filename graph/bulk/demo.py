"""Writing the synthetic demo book (``models.demo_book``) through the graph writer, and the
demo's feeds (``models.demo_coverage``): registered by seed-demo, served by the app."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.bulk import queries as q
from graph.bulk.ingest import GraphWriter, pipelined
from graph.client import Graph
from graph.media.feeds import FeedRecord
from graph.values import native
from models.demo_book import EPOCH, Batch, DemoBook
from models.demo_coverage import DemoCast


@dataclass(frozen=True)
class DemoFeedState:
    """What the demo coverage was dated and written with: kept on each demo feed."""

    anchor: datetime
    seed: int
    cast: DemoCast


async def write_demo_book(
    graph: Graph,
    customers: int,
    seed: int,
    secret: bytes,
    progress: Callable[[dict[str, int]], None] | None = None,
    epoch: datetime = EPOCH,
) -> dict[str, int]:
    """Write the book (complaints dated from ``epoch``) batch by batch; return how many rows of
    each kind were written."""
    writer = GraphWriter(graph)
    counts = {"parties": 0, "policies": 0, "claims": 0, "complaints": 0}

    async def write(batch: Batch) -> None:
        for kind, rows in batch.parties.items():
            counts["parties"] += await writer.parties(kind, rows)
        counts["policies"] += await writer.policies(batch.policies)
        counts["claims"] += await writer.claims(batch.claims)
        counts["complaints"] += await writer.complaints(batch.complaints)
        if progress is not None:
            progress(counts)

    # The next batch is generated in a worker thread while this one is written.
    await pipelined(DemoBook(customers, seed, secret, epoch=epoch).batches(), write)
    return counts


async def register_demo_feeds(
    graph: Graph, rows: Sequence[Mapping[str, Any]], state: DemoFeedState, now: datetime
) -> tuple[list[FeedRecord], DemoFeedState]:
    """Create or refresh the demo feeds; return them and the state they keep (that of the first
    seeding, when there was one)."""
    records = await graph.write(
        q.UPSERT_DEMO_FEEDS,
        rows=[dict(row) for row in rows],
        now=now,
        anchor=state.anchor,
        seed=state.seed,
        cast=state.cast.to_json(),
    )
    feeds = [FeedRecord.from_node(record["feed"]) for record in records]
    stored = await demo_feed_state(graph, feeds[0].id) if feeds else None
    return feeds, stored or state


async def demo_feed_state(graph: Graph, feed_id: str) -> DemoFeedState | None:
    """The state a demo feed was seeded with; None for a feed that is not a demo feed."""
    records = await graph.read(q.DEMO_FEED_STATE, id=feed_id)
    if not records:
        return None
    record = records[0]
    return DemoFeedState(
        native(record["anchor"]), int(record["seed"]), DemoCast.from_json(record["cast"])
    )
