"""Writing the synthetic demo book (``models.demo_book``) through the graph writer."""

from __future__ import annotations

from collections.abc import Callable

from graph.client import Graph
from graph.ingest import GraphWriter, pipelined
from models.demo_book import Batch, DemoBook


async def write_demo_book(
    graph: Graph,
    customers: int,
    seed: int,
    secret: bytes,
    progress: Callable[[dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Write the book batch by batch; return how many rows of each kind were written."""
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
    await pipelined(DemoBook(customers, seed, secret).batches(), write)
    return counts
