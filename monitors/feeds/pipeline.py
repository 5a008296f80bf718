"""One poll cycle: fetch due feeds -> parse -> dedup -> link -> score -> write.

Stories that name a subject or party are scored in the cycle (their text and each link, in
one pass where the scorer can), because those are what people read first and what the
crisis detector counts. Scoring starts while the other feeds are still being fetched, as
each feed arrives (``monitors.feeds.score_ahead``), and they are written first. The others
are written ``:Unscored``, a persisted queue that scoring workers
(``monitors.feeds.score_worker``) work off when the scorer is idle, or never.

Feeds are fetched concurrently (bounded); one bad feed never stops the others: its failure
is recorded in its health and counted in metrics. The cycle's mentions are written in
transactions of at most ``write_chunk`` whole stories (``UNWIND`` batches, merged on ids);
only then are feed health and leases updated and the ``on_new_stories`` callback told which
stories gained mentions. When a chunk fails, the chunks before it stay written (a later poll
finds their mentions stored and adds only the rest) and the callback hears of their stories
before the error goes up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
from prometheus_client import Counter, Histogram

from graph.media.feeds import FeedRecord, FeedRepository, PollRecord
from graph.media.mentions import MentionBatch, MentionRepository, StoryCandidate
from graph.media.story_scores import BACKLOG, LINKED
from models.media import WRITE_CHUNK, FeedEntry
from monitors.feeds import dedup
from monitors.feeds.fetch import DocumentFetcher, FetchOutcome, FetchResult
from monitors.feeds.health import poll_record
from monitors.feeds.linking import EntityLinker, LinkerCache
from monitors.feeds.parse import ParsedFeed, parse_document_async
from monitors.feeds.score_ahead import ScoreAhead, scoring_ahead
from monitors.feeds.scoring import ScorerLike, StorySentiment, StoryToScore

log = logging.getLogger(__name__)

FEED_POLLS = Counter("riskwatch_feed_polls_total", "Feed polls by outcome", ["outcome"])
FEED_ENTRIES = Counter("riskwatch_feed_entries_total", "Feed entries parsed")
MENTIONS_CREATED = Counter("riskwatch_mentions_created_total", "New mentions written")
STORIES_CREATED = Counter("riskwatch_stories_created_total", "New stories written")
CALLBACK_ERRORS = Counter("riskwatch_story_callback_errors_total", "on_new_stories failures")
CYCLE_SECONDS = Histogram("riskwatch_feed_cycle_seconds", "Duration of one poll cycle")

NewStoriesCallback = Callable[[list[str]], Awaitable[None]]


@dataclass(frozen=True)
class PipelineConfig:
    """Tuning of a poll cycle."""

    concurrency: int = 32
    failure_threshold: int = 5
    story_window: timedelta = timedelta(days=3)
    lead_chars: int = 200
    # Score linked stories in the cycle; when off, they wait (first in line) for the
    # scoring workers of ``riskwatch score``.
    score_inline: bool = True
    # Stories per write transaction (RISKWATCH_FEED_WRITE_CHUNK).
    write_chunk: int = WRITE_CHUNK


@dataclass
class CycleReport:
    """What one cycle did."""

    feeds: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    entries: int = 0
    new_mentions: int = 0
    new_stories: int = 0
    # Stories scored in the cycle (they name a subject or party), and new ones left queued.
    scored_stories: int = 0
    queued_stories: int = 0
    # Of the stories scored, how many were scored ahead: during the fetch and the build.
    scored_ahead: int = 0
    # Seconds from the cycle's start until the last story scored in it was stored.
    linked_stored_s: float | None = None
    stories_with_new_mentions: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    # Seconds spent per stage: fetch (with parsing), build (dedup, linking), score (what was
    # not scored ahead), write.
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Fetched:
    feed: FeedRecord
    result: FetchResult
    parsed: ParsedFeed | None = None


@dataclass
class _NewMention:
    entry: FeedEntry
    feed_ids: list[str]
    signature: dedup.Signature | None = None
    # node id -> the name the text used for it
    links: dict[str, str] = field(default_factory=dict)


class MediaPipeline:
    """Runs poll cycles over claimed feeds; holds no state another process would need."""

    def __init__(
        self,
        feeds: FeedRepository,
        mentions: MentionRepository,
        fetcher: DocumentFetcher,
        scorer: ScorerLike,
        linkers: LinkerCache,
        config: PipelineConfig,
        on_new_stories: NewStoriesCallback | None = None,
    ) -> None:
        self.feeds = feeds
        self.mentions = mentions
        self.fetcher = fetcher
        self.scorer = scorer
        self.linkers = linkers
        self.config = config
        self.on_new_stories = on_new_stories

    async def poll(self, feeds: Sequence[FeedRecord], owner: str, now: datetime) -> CycleReport:
        """Poll ``feeds`` (leased to ``owner``) once; write mentions; release the leases."""
        report = CycleReport(feeds=len(feeds))
        with CYCLE_SECONDS.time():
            cycle_started = time.perf_counter()
            # Scoring ahead links entries as they arrive; without it, linking waits for
            # entries that are new (the linker's stamp is one more query per cycle).
            linker = await self.linkers.current() if self.config.score_inline else None
            started = time.perf_counter()
            async with scoring_ahead(
                self.scorer,
                self.mentions.existing,
                linker.link_names if linker is not None else None,
                self._story_text,
            ) as ahead:
                fetched = await self._fetch_all(feeds, now, ahead)
                report.seconds["fetch"] = time.perf_counter() - started
                batch, gained = await self._build(fetched, now, report, linker, ahead)
            started = time.perf_counter()
            await self._write(batch, gained, report, cycle_started)
            polls = [self._health(f, now, report) for f in fetched]
            await self.feeds.record_polls(owner, polls)
            report.seconds["write"] = time.perf_counter() - started
            report.seconds["cycle"] = time.perf_counter() - cycle_started
        report.stories_with_new_mentions = sorted(gained)
        await self._notify(report.stories_with_new_mentions)
        return report

    # -- fetching and parsing ---------------------------------------------------------------

    async def _fetch_all(
        self, feeds: Sequence[FeedRecord], now: datetime, ahead: ScoreAhead
    ) -> list[_Fetched]:
        results: list[_Fetched] = [
            _Fetched(feed, FetchResult(FetchOutcome.FAILED, feed.url)) for feed in feeds
        ]
        limiter = anyio.CapacityLimiter(self.config.concurrency)

        async def one(index: int) -> None:
            async with limiter:
                slot = results[index]
                slot.result = await self.fetcher.fetch(
                    slot.feed.url, slot.feed.etag, slot.feed.last_modified
                )
                if slot.result.outcome is FetchOutcome.OK:
                    try:
                        slot.parsed = await parse_document_async(
                            slot.result.body, slot.feed.id, now, slot.feed.language
                        )
                    except Exception as error:  # a parser crash is this feed's failure only
                        log.warning("feed %s: parser failed: %r", slot.feed.id, error)
                        slot.result = FetchResult(
                            FetchOutcome.FAILED, slot.feed.url, error=f"parser failed: {error!r}"
                        )
                    else:
                        ahead.offer(slot.parsed.entries)

        async with anyio.create_task_group() as group:
            for index in range(len(results)):
                group.start_soon(one, index)
        return results

    # -- dedup, linking, scoring ------------------------------------------------------------

    async def _build(
        self,
        fetched: list[_Fetched],
        now: datetime,
        report: CycleReport,
        linker: EntityLinker | None,
        ahead: ScoreAhead,
    ) -> tuple[MentionBatch, set[str]]:
        started = time.perf_counter()
        batch = MentionBatch()
        by_id: dict[str, _NewMention] = {}
        for item in fetched:
            for entry in item.parsed.entries if item.parsed else ():
                report.entries += 1
                known = by_id.get(entry.mention_id)
                if known is None:
                    by_id[entry.mention_id] = _NewMention(entry, [item.feed.id])
                elif item.feed.id not in known.feed_ids:
                    known.feed_ids.append(item.feed.id)
        FEED_ENTRIES.inc(report.entries)
        stored = await self.mentions.existing(list(by_id))
        for mention_id, earlier in stored.items():
            for feed_id in by_id.pop(mention_id).feed_ids:
                if feed_id not in earlier.feed_ids:
                    # Written with its story's chunk, which refreshes the story's sources.
                    story_id = earlier.story_id or ""
                    batch.sources.append(
                        {"mention_id": mention_id, "feed_id": feed_id, "story_id": story_id}
                    )
                    if story_id:
                        batch.touched_stories.add(story_id)
        fresh = list(by_id.values())
        if not fresh:
            return batch, set()
        names = linker if linker is not None else await self.linkers.current()

        def signatures_and_links() -> None:
            for mention in fresh:
                mention.signature = dedup.minhash(mention.entry.folded)
                mention.links = names.link_names(mention.entry.folded)

        await anyio.to_thread.run_sync(signatures_and_links)
        signatures = [m.signature for m in fresh if m.signature is not None]
        clusters = dedup.split_by_time(
            dedup.cluster(signatures),
            signatures,
            [m.entry.published_at for m in fresh],
            self.config.story_window,
        )
        matches = await self._match_stories(clusters, fresh, now)
        report.seconds["build"] = time.perf_counter() - started
        plan, to_score = self._plan(fresh, clusters, matches, batch, now)
        started = time.perf_counter()
        scored = await ahead.score(to_score)
        report.seconds["score"] = time.perf_counter() - started
        report.scored_ahead = ahead.used
        batch.scores = [story.row() for story in scored]
        whole = {story.story_id for story in scored if story.sentiment is not None}
        report.scored_stories = len(whole)
        report.queued_stories = sum(1 for row in batch.stories if row["id"] not in whole)
        gained: set[str] = set()
        for group, story_id, sentiment in plan:
            gained.add(story_id)
            batch.touched_stories.add(story_id)
            for index in group.members:
                # Mentions of a scored story take its score now; the others get theirs with
                # their story's (SCORE_STORIES sets every mention of the story).
                self._add_mention(batch, fresh[index], story_id, sentiment)
        report.new_mentions = len(batch.mentions)
        report.new_stories = len(batch.stories)
        return batch, gained

    async def _write(
        self, batch: MentionBatch, gained: set[str], report: CycleReport, cycle_started: float
    ) -> None:
        """Write the batch chunk by chunk (the scored stories first), counting what landed;
        when a chunk fails, tell ``on_new_stories`` of the stories that landed before it (a
        later poll finds their mentions stored, so it would never tell), then let the error
        go up."""
        landed: set[str] = set()

        def count(part: MentionBatch) -> None:
            MENTIONS_CREATED.inc(len(part.mentions))
            STORIES_CREATED.inc(len(part.stories))
            landed.update(part.touched_stories & gained)
            if part.scores:
                report.linked_stored_s = time.perf_counter() - cycle_started

        try:
            await self.mentions.write(batch, self.config.write_chunk, count)
        except Exception:
            log.warning(
                "writing the cycle failed after %d of %d stories with new mentions landed",
                len(landed),
                len(gained),
            )
            await self._notify(sorted(landed))
            raise

    def _plan(
        self,
        fresh: list[_NewMention],
        clusters: list[dedup.Cluster],
        matches: dict[int, StoryCandidate],
        batch: MentionBatch,
        now: datetime,
    ) -> tuple[list[tuple[dedup.Cluster, str, StorySentiment | None]], list[StoryToScore]]:
        """Each cluster's story (a new row in ``batch``, or the stored one it continues, with
        its stored score) and what to score now: the stories that name someone."""
        plan: list[tuple[dedup.Cluster, str, StorySentiment | None]] = []
        to_score: list[StoryToScore] = []
        for group in clusters:
            lead = fresh[group.members[0]].entry
            text = self._story_text(lead)
            links: dict[str, str] = {}
            for index in group.members:
                for node_id, name in fresh[index].links.items():
                    links.setdefault(node_id, name)
            candidate = matches.get(id(group))
            stored_score = None if candidate is None else _stored_sentiment(candidate)
            if candidate is None:
                story_id = "story:" + lead.mention_id.removeprefix("mention:")
                batch.stories.append(self._story_row(story_id, lead, group, text, links, now))
            else:
                story_id = candidate.id
            if links and self.config.score_inline:
                # A stored story already scored only needs its (new) links scored.
                to_score.append(
                    StoryToScore(story_id, text, links, whole_story=stored_score is None)
                )
            plan.append((group, story_id, stored_score))
        return plan, to_score

    async def _match_stories(
        self, clusters: list[dedup.Cluster], fresh: list[_NewMention], now: datetime
    ) -> dict[int, StoryCandidate]:
        """The stored story each cluster continues, keyed by ``id(cluster)``: a similar story
        first seen within the story window and published within it of the cluster's lead."""
        probes = {str(i): dedup.bands(c.signature) for i, c in enumerate(clusters)}
        candidates = await self.mentions.candidate_stories(probes, now - self.config.story_window)
        best: dict[int, tuple[float, StoryCandidate]] = {}
        for candidate in candidates:
            group = clusters[int(candidate.probe_key)]
            published = fresh[group.members[0]].entry.published_at
            if (
                candidate.published_at is not None
                and abs(published - candidate.published_at) > self.config.story_window
            ):
                continue
            score = dedup.similarity(group.signature, dedup.from_hex(candidate.signature))
            if score >= dedup.SAME_STORY and score > best.get(id(group), (0.0, None))[0]:
                best[id(group)] = (score, candidate)
        return {key: candidate for key, (_, candidate) in best.items()}

    def _story_text(self, entry: FeedEntry) -> str:
        return f"{entry.title}\n{entry.summary[: self.config.lead_chars]}".strip()

    @staticmethod
    def _story_row(
        story_id: str,
        lead: FeedEntry,
        group: dedup.Cluster,
        text: str,
        links: dict[str, str],
        now: datetime,
    ) -> dict[str, Any]:
        props: dict[str, Any] = {
            "title": lead.title or lead.summary[:80],
            "signature": dedup.to_hex(group.signature),
            "bands": " ".join(dedup.bands(group.signature)),
            # the scoring queue's fields (graph/media/score_queries.py), dropped once scored
            "score_text": text,
            "score_priority": LINKED if links else BACKLOG,
        }
        return {
            "id": story_id,
            "props": props,
            "first_seen_at": now.isoformat(),
            "published_at": lead.published_at.isoformat(),
        }

    @staticmethod
    def _add_mention(
        batch: MentionBatch,
        mention: _NewMention,
        story_id: str,
        sentiment: StorySentiment | None,
    ) -> None:
        entry = mention.entry
        props: dict[str, Any] = {
            "url": entry.link,
            "guid": entry.guid,
            "title": entry.title,
            "summary": entry.summary,
            "language": entry.language,
            "content_hash": entry.content_hash,
        }
        if sentiment is not None:
            props |= sentiment.props()
        batch.mentions.append(
            {
                "id": entry.mention_id,
                "props": props,
                "feed_ids": mention.feed_ids,
                "story_id": story_id,
                "published_at": entry.published_at.isoformat(),
                "first_seen_at": entry.first_seen_at.isoformat(),
            }
        )
        for node_id, surface in sorted(mention.links.items()):
            row = {
                "mention_id": entry.mention_id,
                "story_id": story_id,
                "node_id": node_id,
                "surface": surface,
            }
            target = batch.subject_links if node_id.startswith("subject:") else batch.party_links
            target.append(row)

    # -- health and notification ----------------------------------------------------------

    def _health(self, item: _Fetched, now: datetime, report: CycleReport) -> PollRecord:
        record = poll_record(
            item.feed, item.result, item.parsed, now, self.config.failure_threshold
        )
        failed = "last_error_at" in record.props
        outcome = "failed" if failed else item.result.outcome.value
        report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
        FEED_POLLS.labels(outcome).inc()
        if failed:
            report.errors[item.feed.id] = str(record.props["last_error"])
            log.warning(
                "feed %s (%s) failed: %s", item.feed.id, item.feed.url, record.props["last_error"]
            )
        return record

    async def _notify(self, story_ids: list[str]) -> None:
        if not story_ids or self.on_new_stories is None:
            return
        try:
            await self.on_new_stories(story_ids)
        except Exception:  # the designed behaviour: a broken consumer must not stop polling
            CALLBACK_ERRORS.inc()
            log.exception("on_new_stories failed for %d stories", len(story_ids))


def _stored_sentiment(candidate: StoryCandidate) -> StorySentiment | None:
    if candidate.sentiment is None:
        return None
    return StorySentiment(
        label=candidate.sentiment,
        p_negative=candidate.p_negative or 0.0,
        p_neutral=candidate.p_neutral or 0.0,
        p_positive=candidate.p_positive or 0.0,
    )
