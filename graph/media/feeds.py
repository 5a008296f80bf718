"""The feed registry: feeds, their health, and the leases that keep two workers apart."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from neo4j.exceptions import ConstraintError

from graph.client import Graph
from graph.media import queries as q
from graph.values import native
from models.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class FeedRecord:
    """A feed as stored: its settings, its conditional-GET validators, health and lease."""

    id: str
    url: str
    name: str
    language: str | None = None
    poll_interval_s: int = 300
    enabled: bool = True
    high_impact: bool = False
    weight: float = 1.0
    etag: str | None = None
    last_modified: str | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_bozo: bool | None = None
    consecutive_failures: int = 0
    items_seen: int = 0
    disabled_reason: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    next_poll_at: datetime | None = None

    @classmethod
    def from_node(cls, props: Mapping[str, Any]) -> FeedRecord:
        """Build from a node's property map (Neo4j temporals become Python datetimes)."""
        known = {f.name for f in fields(cls)}
        values = {key: native(value) for key, value in props.items() if key in known}
        return cls(**values)


@dataclass(frozen=True)
class PollRecord:
    """What one poll changed on a feed: properties to set (None removes). Its new items are
    counted where their mentions are written (``items_seen``)."""

    feed_id: str
    props: dict[str, Any]


class FeedRepository:
    """Feeds in Neo4j: registry operations for the API, claims and results for workers."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def add(
        self,
        *,
        url: str,
        name: str,
        language: str | None,
        poll_interval_s: int,
        enabled: bool,
        high_impact: bool,
        weight: float,
        now: datetime,
    ) -> FeedRecord:
        """Register a feed; InvalidInput if a feed with this URL exists."""
        try:
            records = await self.graph.write(
                q.CREATE_FEED,
                id=f"feed:{uuid.uuid4()}",
                url=url,
                name=name,
                language=language,
                poll_interval_s=poll_interval_s,
                enabled=enabled,
                high_impact=high_impact,
                weight=weight,
                now=now,
            )
        except ConstraintError as error:
            raise InvalidInput(f"a feed with the URL {url} is registered already") from error
        return FeedRecord.from_node(records[0]["feed"])

    async def update(self, feed_id: str, changes: dict[str, Any], now: datetime) -> FeedRecord:
        """Change a feed's settings; enabling a disabled feed resets its failure count."""
        try:
            records = await self.graph.write(
                q.UPDATE_FEED,
                id=feed_id,
                changes=changes,
                reenable=changes.get("enabled") is True,
                now=now,
            )
        except ConstraintError as error:
            raise InvalidInput("a feed with this URL is registered already") from error
        if not records:
            raise NotFound(f"no feed {feed_id}")
        return FeedRecord.from_node(records[0]["feed"])

    async def remove(self, feed_id: str) -> bool:
        """Delete a feed; False when there was none."""
        records = await self.graph.write(q.REMOVE_FEED, id=feed_id)
        return bool(records and records[0]["removed"])

    async def get(self, feed_id: str) -> FeedRecord | None:
        """One feed, or None."""
        records = await self.graph.read(q.GET_FEED, id=feed_id)
        return FeedRecord.from_node(records[0]["feed"]) if records else None

    async def all(self) -> list[FeedRecord]:
        """Every feed, by name."""
        return [FeedRecord.from_node(r["feed"]) for r in await self.graph.read(q.LIST_FEEDS)]

    async def claim_due(
        self, owner: str, now: datetime, lease: timedelta, limit: int
    ) -> list[FeedRecord]:
        """Lease up to ``limit`` enabled, due, unleased feeds to ``owner`` (atomically)."""
        records = await self.graph.write(
            q.CLAIM_DUE_FEEDS, owner=owner, now=now, until=now + lease, limit=limit
        )
        return [FeedRecord.from_node(r["feed"]) for r in records]

    async def renew_leases(self, owner: str, now: datetime, lease: timedelta) -> int:
        """Extend ``owner``'s unexpired leases to ``now + lease``; return how many."""
        records = await self.graph.write(q.RENEW_LEASES, owner=owner, now=now, until=now + lease)
        return int(records[0]["renewed"]) if records else 0

    async def release_leases(self, owner: str) -> int:
        """Hand back every feed lease ``owner`` still holds; return how many."""
        records = await self.graph.write(q.RELEASE_FEED_LEASES, owner=owner)
        return int(records[0]["released"]) if records else 0

    async def record_polls(self, owner: str, polls: Sequence[PollRecord]) -> None:
        """Store each poll's outcome and release ``owner``'s leases on those feeds."""
        if polls:
            await self.graph.write(
                q.RECORD_POLLS,
                owner=owner,
                rows=[{"id": p.feed_id, "props": p.props} for p in polls],
            )
