"""Scoring a round's linked stories while its other feeds are still being fetched.

A poll cycle fetches and parses its feeds concurrently, then deduplicates, links and scores.
On a large round the fetch alone takes many seconds, in which the scorer (native threads,
outside Python's lock) would sit idle. So each feed's entries that name a subject or party
are offered here as soon as the feed is parsed, and scored in batches in a worker thread
while the fetch goes on (and the cycle's deduplication after it). The cycle's own scoring
step then takes these results for the stories whose text and links match exactly, and scores
only the rest. In fp32 the same text gets the same score in any batch (to rounding), so what
is stored does not change, only when it is ready; int8 quantises activations per batch, so
there a probability near a boundary may come out a little differently.

Work that the cycle would not do is kept small: entries whose mentions are already stored
are dropped before scoring (one lookup per batch), and a text offered again in the round (the
same entry in two feeds, or a syndicated copy with the same body) is scored once. A failure
here (the scorer, the lookup, linking) is logged and the cycle scores those stories itself.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from prometheus_client import Counter

from models.media import FeedEntry
from monitors.feeds.scoring import ScoredStory, ScorerLike, StoryToScore, score_with_links

log = logging.getLogger(__name__)

SCORED_AHEAD = Counter(
    "riskwatch_stories_scored_ahead_total", "Linked texts scored while feeds were fetched"
)

# Which of these mention ids are stored already (MentionRepository.existing fits).
StoredLookup = Callable[[list[str]], Awaitable[Mapping[str, object]]]
LinkNames = Callable[[str], dict[str, str]]


@dataclass(frozen=True)
class _Offer:
    mention_id: str
    text: str
    links: Mapping[str, str]


def _key(text: str, links: Mapping[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return text, tuple(sorted(links.items()))


class ScoreAhead:
    """Scores offered linked entries in batches until :meth:`score` is called."""

    def __init__(
        self,
        scorer: ScorerLike,
        stored: StoredLookup,
        link_names: LinkNames | None,
        story_text: Callable[[FeedEntry], str],
        *,
        batch_size: int = 32,
    ) -> None:
        self.scorer = scorer
        self.stored = stored
        self.link_names = link_names
        self.story_text = story_text
        self.batch_size = batch_size
        self._send, self._receive = anyio.create_memory_object_stream[_Offer](math.inf)
        self._offered: set[str] = set()
        self._results: dict[tuple[str, tuple[tuple[str, str], ...]], ScoredStory] = {}
        self._stopping = False
        self._running = False
        self._stopped = anyio.Event()
        self.scored = 0
        self.used = 0

    def offer(self, entries: Iterable[FeedEntry]) -> None:
        """Queue the entries that name someone (each text once per round). Never raises: on
        an error it takes no more offers, and the cycle scores what is left itself."""
        if self._stopping or self.link_names is None:
            return
        try:
            for entry in entries:
                links = self.link_names(entry.folded)
                body = entry.summary.strip() or entry.title.strip()
                if not links or entry.mention_id in self._offered or body in self._offered:
                    continue
                self._offered.update((entry.mention_id, body))
                self._send.send_nowait(_Offer(entry.mention_id, self.story_text(entry), links))
        except Exception:
            log.warning("offering entries to score ahead failed", exc_info=True)
            self.close()

    async def run(self) -> None:
        """Score queued offers, a batch at a time, until stopped."""
        self._running = True
        try:
            async with self._receive:
                while not self._stopping:
                    try:
                        batch = [await self._receive.receive()]
                    except anyio.EndOfStream:
                        return
                    while len(batch) < self.batch_size:
                        try:
                            batch.append(self._receive.receive_nowait())
                        except (anyio.WouldBlock, anyio.EndOfStream):
                            break
                    await self._score_batch(batch)
        finally:
            self._stopped.set()

    async def _score_batch(self, batch: list[_Offer]) -> None:
        try:
            stored = await self.stored([offer.mention_id for offer in batch])
            todo = [offer for offer in batch if offer.mention_id not in stored]
            scored = await score_with_links(
                self.scorer, [StoryToScore(o.mention_id, o.text, o.links) for o in todo]
            )
        except Exception:  # the cycle's own scoring step scores these stories
            log.warning("scoring %d linked entries ahead failed", len(batch), exc_info=True)
            return
        for offer, story in zip(todo, scored, strict=True):
            self._results[_key(offer.text, offer.links)] = story
        self.scored += len(todo)
        SCORED_AHEAD.inc(len(todo))

    def close(self) -> None:
        """Take no more offers (a batch being scored still finishes)."""
        self._stopping = True
        self._send.close()

    async def stop(self) -> None:
        """Take no more offers; wait for the batch being scored to finish."""
        if not self._stopping:
            self.close()
        if self._running:
            await self._stopped.wait()
        else:
            self._receive.close()

    async def score(self, items: Sequence[StoryToScore]) -> list[ScoredStory]:
        """Stop, then score ``items`` in order: from the results when text and links match,
        the rest now in one call."""
        await self.stop()
        found: list[ScoredStory | None] = []
        for item in items:
            ahead = self._results.get(_key(item.text, item.links))
            found.append(
                None
                if ahead is None
                else ScoredStory(
                    item.story_id, ahead.sentiment if item.whole_story else None, ahead.links
                )
            )
        self.used = sum(1 for story in found if story is not None)
        missing = [item for item, story in zip(items, found, strict=True) if story is None]
        rest = iter(await score_with_links(self.scorer, missing))
        return [story if story is not None else next(rest) for story in found]


@asynccontextmanager
async def scoring_ahead(
    scorer: ScorerLike,
    stored: StoredLookup,
    link_names: LinkNames | None,
    story_text: Callable[[FeedEntry], str],
) -> AsyncIterator[ScoreAhead]:
    """A :class:`ScoreAhead` working in the background for the duration of the block. An
    error raised in the block comes out as itself, not wrapped in an exception group. Without
    ``link_names`` (linked stories are left to the scoring workers) it takes no offers and
    :meth:`ScoreAhead.score` scores everything it is given."""
    ahead = ScoreAhead(scorer, stored, link_names, story_text)
    if link_names is None:
        await ahead.stop()
        yield ahead
        return
    failure: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(ahead.run)
        try:
            yield ahead
        except Exception as error:  # re-raised below, once the background task has ended
            failure = error
        finally:
            with anyio.CancelScope(shield=True):
                await ahead.stop()
    if failure is not None:
        raise failure
