"""The queue of stories that still need a sentiment, and the writes of their scores.

Stories arrive ``:Unscored`` (``graph.media.mentions``); the media pipeline scores the ones that
name a subject or party at once, and scoring workers (``monitors.feeds.score_worker``) claim
the rest in leased batches, linked ones first, so any number of processes can share the
work and a dead worker's batch is taken over when its lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from graph.client import Graph
from graph.media import score_queries as q

LINKED, BACKLOG = 0, 1


@dataclass(frozen=True)
class QueuedStory:
    """A claimed story: the text to score and its links as ``(node id, entity name)``."""

    id: str
    text: str
    links: list[tuple[str, str]]


class StoryScoreRepository:
    """Claims unscored stories with leases and records their scores."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def claim(
        self, owner: str, now: datetime, lease: timedelta, limit: int, max_priority: int
    ) -> list[QueuedStory]:
        """Lease up to ``limit`` unscored stories of priority <= ``max_priority``."""
        records = await self.graph.write(
            q.CLAIM_UNSCORED,
            owner=owner,
            now=now,
            until=now + lease,
            limit=limit,
            max_priority=max_priority,
        )
        return [
            QueuedStory(
                r["id"], r["text"], [(link["node_id"], link["entity"]) for link in r["links"]]
            )
            for r in records
        ]

    async def record(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write scores (``monitors.feeds.scoring.ScoredStory.row()``); the stories leave
        the queue."""
        if rows:
            await self.graph.write(q.SCORE_STORIES, rows=list(rows))

    async def release(self, owner: str) -> int:
        """Hand back the leases ``owner`` holds; return how many."""
        records = await self.graph.write(q.RELEASE_SCORE_LEASES, owner=owner)
        return int(records[0]["released"]) if records else 0

    async def waiting(self) -> dict[int, int]:
        """How many stories wait, by priority (``LINKED``, ``BACKLOG``)."""
        records = await self.graph.read(q.UNSCORED_COUNTS)
        return {int(r["priority"]): int(r["n"]) for r in records if r["priority"] is not None}
