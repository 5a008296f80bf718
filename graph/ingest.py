"""The graph writer: business records in, idempotent ``UNWIND`` batches out.

Each batch is one transaction, so a crash mid-batch leaves nothing half-written, and every
statement merges on node ids, so a retried or re-run batch creates nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from graph.client import Graph
from graph.queries import ingest as q
from models.records import ClaimRow, ComplaintRow, PartyKind, PartyRow, PolicyRow

T = TypeVar("T")

DEFAULT_BATCH_SIZE = 2000


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class GraphWriter:
    """Writes parties, policies, claims and complaints in batches."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def parties(self, kind: PartyKind, rows: Sequence[PartyRow]) -> int:
        """Merge parties of one kind with their identifiers; returns rows written."""
        if rows:
            await self.graph.write(q.MERGE_PARTIES[kind.value], rows=_plain(rows))
        return len(rows)

    async def policies(self, rows: Sequence[PolicyRow]) -> int:
        """Merge policies and link them to holder, seller and dealer."""
        if rows:
            await self.graph.write(q.MERGE_POLICIES, rows=_plain(rows))
        return len(rows)

    async def claims(self, rows: Sequence[ClaimRow]) -> int:
        """Merge claims and link them to policy, shop and adjuster."""
        if rows:
            await self.graph.write(q.MERGE_CLAIMS, rows=_plain(rows))
        return len(rows)

    async def complaints(self, rows: Sequence[ComplaintRow]) -> int:
        """Merge complaints and link them to complainant and subjects."""
        if rows:
            await self.graph.write(q.MERGE_COMPLAINTS, rows=_plain(rows))
        return len(rows)


def _plain(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]
