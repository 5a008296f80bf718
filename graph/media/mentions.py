"""Mentions, stories and the subjects they name: the monitor's writes and the API's reads."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import chain
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.client import Graph
from graph.media import queries as q
from graph.media import score_queries as scoring_q
from graph.paging import Page, keyset_page
from graph.values import batched, native
from models.cursors import decode_cursor, encode_cursor, page_size
from models.media import WRITE_CHUNK

# Ids per read statement (full-text probes: a fifth of it).
READ_CHUNK = 5000
# The most mentions or stories on one page, and the orders (and cursor kinds) of the lists.
MAX_PAGE = 200
MENTION_ORDER = "MENTION_PUBLISHED_DESC"
STORY_ORDER = "STORY_PUBLISHED_DESC"


@dataclass(frozen=True)
class StoredMention:
    """A mention already in the graph: the ids of the feeds it came from, and its story's."""

    feed_ids: set[str]
    story_id: str | None


@dataclass(frozen=True)
class StoryCandidate:
    """A stored story that shares an LSH band with a probe."""

    probe_key: str
    id: str
    signature: str
    sentiment: str | None
    p_negative: float | None
    p_neutral: float | None
    p_positive: float | None
    published_at: datetime | None = None


@dataclass
class MentionBatch:
    """Everything one poll cycle writes (in chunks of whole stories: ``chunks``)."""

    stories: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    party_links: list[dict[str, str]] = field(default_factory=list)
    subject_links: list[dict[str, str]] = field(default_factory=list)
    # Scores for stories (new or stored) and for their links: ``ScoredStory.row()`` rows.
    scores: list[dict[str, Any]] = field(default_factory=list)
    # Stored mentions seen in further feeds: {mention_id, feed_id, story_id} rows.
    sources: list[dict[str, str]] = field(default_factory=list)
    touched_stories: set[str] = field(default_factory=set)

    def chunks(self, size: int) -> list[MentionBatch]:
        """The batch split into batches of at most ``size`` stories (new or stored), each
        story with every row about it: its mentions, their links, its score, the new sources
        of its stored mentions and its refresh. The stories scored in the cycle (those naming
        someone) come first."""
        if size < 1:
            raise ValueError(f"chunk size must be at least 1, not {size}")
        chunk_of: dict[str, int] = {}
        for story_id in chain(
            (row["id"] for row in self.scores),
            (row["id"] for row in self.stories),
            (row["story_id"] for row in self.mentions),
            (row["story_id"] for row in self.sources),
            sorted(self.touched_stories),
        ):
            chunk_of.setdefault(story_id, len(chunk_of) // size)
        parts = [MentionBatch() for _ in range(-(-len(chunk_of) // size))]
        for row in self.stories:
            parts[chunk_of[row["id"]]].stories.append(row)
        for row in self.mentions:
            parts[chunk_of[row["story_id"]]].mentions.append(row)
        for link in self.party_links:
            parts[chunk_of[link["story_id"]]].party_links.append(link)
        for link in self.subject_links:
            parts[chunk_of[link["story_id"]]].subject_links.append(link)
        for row in self.scores:
            parts[chunk_of[row["id"]]].scores.append(row)
        for source in self.sources:
            parts[chunk_of[source["story_id"]]].sources.append(source)
        for story_id in self.touched_stories:
            parts[chunk_of[story_id]].touched_stories.add(story_id)
        return parts


@dataclass(frozen=True)
class MentionView:
    """A mention as the API shows it."""

    props: Mapping[str, Any]
    story_id: str | None
    feed_ids: list[str]
    subject_ids: list[str]


@dataclass(frozen=True)
class StoryView:
    """A story as the API shows it."""

    props: Mapping[str, Any]
    feed_ids: list[str]
    mention_ids: list[str]
    subject_ids: list[str]


@dataclass(frozen=True)
class TrendBucket:
    """Mentions in one time bucket, by sentiment."""

    bucket: datetime
    total: int
    negative: int
    neutral: int
    positive: int
    unscored: int = 0


@dataclass(frozen=True)
class PageFilter:
    """Filters shared by the mention and story pages."""

    subject_id: str | None = None
    sentiment: str | None = None
    from_: datetime | None = None
    to: datetime | None = None

    def params(self, order: str, first: int, after: str | None) -> dict[str, Any]:
        """Query parameters for one keyset page of ``order`` after cursor ``after``."""
        after_at, after_id = decode_cursor(after, order) if after else (None, None)
        return {
            "subject_id": self.subject_id,
            "sentiment": self.sentiment,
            "from": self.from_,
            "to": self.to,
            "after_at": after_at,
            "after_id": after_id,
            "limit": page_size(first, MAX_PAGE) + 1,
        }


class MentionRepository:
    """Reads and writes ``:Mention``, ``:Story`` and ``:Subject`` nodes."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    # -- subjects and linkable names ------------------------------------------------------

    async def ensure_subjects(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Create or refresh subject nodes (``id``, ``kind``, ``name``, ``aliases``)."""
        if rows:
            await self.graph.write(q.MERGE_SUBJECTS, rows=[dict(r) for r in rows])

    async def linkable_stamp(self) -> str:
        """A value that changes when linkable parties or subjects change."""
        record = (await self.graph.read(q.LINKABLE_STAMP))[0]
        names = hashlib.sha256("".join(sorted(record["subject_names"])).encode()).hexdigest()
        return f"{record['parties']}|{record['updated']}|{record['subjects']}|{names}"

    async def linkable_names(self) -> list[tuple[str, tuple[str, ...]]]:
        """``(node id, names)`` of every linkable party and subject."""
        parties = await self.graph.read(q.LINKABLE_PARTIES)
        subjects = await self.graph.read(q.SUBJECT_NAMES)
        named: list[tuple[str, tuple[str, ...]]] = [
            (r["id"], (r["name"],)) for r in parties if r["name"]
        ]
        named += [(r["id"], tuple(n for n in r["names"] if n)) for r in subjects]
        return named

    # -- the write path -------------------------------------------------------------------

    async def existing(self, mention_ids: Sequence[str]) -> dict[str, StoredMention]:
        """The stored mentions among these ids, each with its feeds and its story."""
        found: dict[str, StoredMention] = {}
        for chunk in batched(mention_ids, READ_CHUNK):
            records = await self.graph.read(q.EXISTING_MENTIONS, ids=chunk)
            found.update(
                (r["id"], StoredMention(set(r["feed_ids"]), (r["story_ids"] or [None])[0]))
                for r in records
            )
        return found

    async def candidate_stories(
        self, probes: Mapping[str, Sequence[str]], since: datetime, per_probe: int = 20
    ) -> list[StoryCandidate]:
        """Stories first seen after ``since`` sharing a band key with a probe (key -> bands)."""
        rows = [{"key": key, "query": " OR ".join(keys)} for key, keys in probes.items()]
        records = []
        # Chunks keep each read well inside the read timeout, however big the cycle.
        for chunk in batched(rows, READ_CHUNK // 5):
            records += await self.graph.read(
                q.CANDIDATE_STORIES, probes=chunk, since=since, per_probe=per_probe
            )
        return [
            StoryCandidate(
                probe_key=r["key"],
                id=r["id"],
                signature=r["signature"],
                sentiment=r["sentiment"],
                p_negative=r["p_negative"],
                p_neutral=r["p_neutral"],
                p_positive=r["p_positive"],
                published_at=native(r["published_at"]),
            )
            for r in records
        ]

    async def write(
        self,
        batch: MentionBatch,
        chunk: int = WRITE_CHUNK,
        landed: Callable[[MentionBatch], None] | None = None,
    ) -> None:
        """Write a cycle's stories, mentions, links and the scores it has, ``chunk`` stories
        per transaction (``MentionBatch.chunks``), and tell ``landed`` of each chunk once it
        committed. A chunk lands whole or not at all, and every statement merges on the
        stories' and mentions' ids, so a chunk written again (a retried transaction, a round
        polled again after a crash) creates nothing twice. Stories without a score stay
        queued as ``:Unscored`` (``graph.media.story_scores``)."""
        for part in batch.chunks(chunk):
            await self.graph.write_transaction(partial(_write_chunk, part))
            if landed is not None:
                landed(part)

    # -- the read path --------------------------------------------------------------------

    async def mentions(
        self, where: PageFilter, *, first: int, after: str | None
    ) -> Page[MentionView]:
        """A page of mentions, newest first (ties by id), keyset-paginated after ``after``."""
        cypher = q.MENTIONS_OF_SUBJECT_PAGE if where.subject_id else q.MENTIONS_PAGE
        records = await self.graph.read(cypher, **where.params(MENTION_ORDER, first, after))
        views = [
            MentionView(
                props={k: native(v) for k, v in r["mention"].items()},
                story_id=r["story_id"],
                feed_ids=list(r["feed_ids"]),
                subject_ids=list(r["subject_ids"]),
            )
            for r in records
        ]
        return keyset_page(views, first, lambda v: _dated_cursor(MENTION_ORDER, v.props))

    async def stories(self, where: PageFilter, *, first: int, after: str | None) -> Page[StoryView]:
        """A page of stories, newest first (ties by id), keyset-paginated after ``after``.
        A story's time is its earliest mention's, so a story that later gains an earlier
        mention moves back in the list."""
        cypher = q.STORIES_OF_SUBJECT_PAGE if where.subject_id else q.STORIES_PAGE
        records = await self.graph.read(cypher, **where.params(STORY_ORDER, first, after))
        views = [
            StoryView(
                props={k: native(v) for k, v in r["story"].items()},
                feed_ids=list(r["feed_ids"]),
                mention_ids=list(r["mention_ids"]),
                subject_ids=list(r["subject_ids"]),
            )
            for r in records
        ]
        return keyset_page(views, first, lambda v: _dated_cursor(STORY_ORDER, v.props))

    async def sentiment_trend(
        self, subject_id: str | None, unit: str, from_: datetime, to: datetime
    ) -> list[TrendBucket]:
        """Mention counts per ``unit`` ('hour' or 'day') bucket and sentiment."""
        cypher = q.SENTIMENT_TREND_OF_SUBJECT if subject_id else q.SENTIMENT_TREND
        records = await self.graph.read(
            cypher, subject_id=subject_id, unit=unit, **{"from": from_, "to": to}
        )
        return [
            TrendBucket(
                bucket=native(r["bucket"]),
                total=r["total"],
                negative=r["negative"],
                neutral=r["neutral"],
                positive=r["positive"],
                unscored=r["unscored"],
            )
            for r in records
        ]


async def _write_chunk(batch: MentionBatch, tx: AsyncManagedTransaction) -> None:
    statements: list[tuple[LiteralString, dict[str, Any]]] = [
        (q.CREATE_STORIES, {"rows": batch.stories}),
        (q.CREATE_MENTIONS, {"rows": batch.mentions}),
        (q.ADD_MENTION_SOURCES, {"rows": batch.sources}),
        (q.LINK_PARTIES, {"rows": batch.party_links}),
        (q.LINK_SUBJECTS, {"rows": batch.subject_links}),
        (scoring_q.SCORE_STORIES, {"rows": batch.scores}),
        (scoring_q.PROMOTE_LINKED, {"ids": sorted(batch.touched_stories)}),
        (q.REFRESH_STORIES, {"ids": sorted(batch.touched_stories)}),
    ]
    for cypher, params in statements:
        if any(params.values()):
            result = await tx.run(cypher, params)
            await result.consume()


def _dated_cursor(order: str, props: Mapping[str, Any]) -> str:
    # Mentions and stories always have a publication time (a story's is its first mention's).
    return encode_cursor(order, props["published_at"], props["id"])
