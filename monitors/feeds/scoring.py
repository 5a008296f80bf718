"""The pipeline's view of a sentiment scorer (``monitors.sentiment``), structurally typed,
and scoring a story with its links.

The pipeline needs only ``score(texts)`` returning objects with a ``label`` and
``probabilities`` keyed by negative/neutral/positive; ``monitors.sentiment``'s
``SentimentScorer`` and ``Score`` fit this shape, and so does a test's tiny scorer. A
scorer that also has ``score_about(pairs)`` (the transformer scorer) says how the story
reads about each subject or party it names; without it, each link takes the story's score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import anyio

LABELS = ("negative", "neutral", "positive")


class ScoreLike(Protocol):
    """A score: the winning label and a probability per label (labels are str enums)."""

    @property
    def label(self) -> Any: ...

    @property
    def probabilities(self) -> Mapping[Any, float]: ...


class ScorerLike(Protocol):
    """Scores texts in one batched, blocking call (run off the event loop by the caller)."""

    def score(self, texts: Sequence[str]) -> Sequence[ScoreLike]: ...


@dataclass(frozen=True)
class StorySentiment:
    """A story's sentiment as stored: the label and one probability per label."""

    label: str
    p_negative: float
    p_neutral: float
    p_positive: float

    def props(self) -> dict[str, Any]:
        return {
            "sentiment": self.label,
            "p_negative": self.p_negative,
            "p_neutral": self.p_neutral,
            "p_positive": self.p_positive,
        }


@dataclass(frozen=True)
class ScoredStory:
    """A story's score (``None`` when only its links were scored) and one per link."""

    story_id: str
    sentiment: StorySentiment | None
    links: dict[str, StorySentiment]

    def row(self) -> dict[str, Any]:
        """The row ``graph.media.score_queries.SCORE_STORIES`` writes."""
        return {
            "id": self.story_id,
            "props": self.sentiment.props() if self.sentiment else None,
            "links": [
                {"node_id": node_id, "sentiment": s.label, "p_negative": s.p_negative}
                for node_id, s in sorted(self.links.items())
            ],
        }


@dataclass(frozen=True)
class StoryToScore:
    """What to score for one story: its text (unless only links are wanted) and its links
    as node id -> the entity name the story used."""

    story_id: str
    text: str
    links: Mapping[str, str]
    whole_story: bool = True


def _name(label: Any) -> str:
    return str(getattr(label, "value", label))


def to_story_sentiment(score: ScoreLike) -> StorySentiment:
    """The stored form of a score."""
    by_name = {_name(label): float(p) for label, p in score.probabilities.items()}
    label = _name(score.label)
    if label not in LABELS:
        raise ValueError(f"unknown sentiment label {label!r}")
    return StorySentiment(
        label=label,
        p_negative=by_name.get("negative", 0.0),
        p_neutral=by_name.get("neutral", 0.0),
        p_positive=by_name.get("positive", 0.0),
    )


async def score_stories(scorer: ScorerLike, texts: Sequence[str]) -> list[StorySentiment]:
    """Score texts in one batch in a worker thread (inference must not block the loop)."""
    if not texts:
        return []
    scores = await anyio.to_thread.run_sync(scorer.score, list(texts))
    if len(scores) != len(texts):
        raise ValueError(f"the scorer returned {len(scores)} scores for {len(texts)} texts")
    return [to_story_sentiment(score) for score in scores]


async def score_with_links(scorer: ScorerLike, items: Sequence[StoryToScore]) -> list[ScoredStory]:
    """Score each story's text and each of its links: in one pass per story when the scorer
    has ``score_with_entities`` (the transformer scorer's entity head), else the text once
    and each link as a ``(text, entity)`` pair (two batched calls in a worker thread)."""
    together = getattr(scorer, "score_with_entities", None)
    if together is not None:
        return await _score_together(together, items)
    whole = [item for item in items if item.whole_story]
    texts = await score_stories(scorer, [item.text for item in whole])
    by_story = {item.story_id: s for item, s in zip(whole, texts, strict=True)}
    pairs = [(item, node_id, entity) for item in items for node_id, entity in item.links.items()]
    about = getattr(scorer, "score_about", None)
    link_scores: list[StorySentiment] = []
    if pairs and about is not None:
        raw = await anyio.to_thread.run_sync(
            about, [(item.text, entity) for item, _, entity in pairs]
        )
        if len(raw) != len(pairs):
            raise ValueError(f"the scorer returned {len(raw)} scores for {len(pairs)} pairs")
        link_scores = [to_story_sentiment(score) for score in raw]
    elif pairs:  # no entity-aware scorer: a link reads like its story
        missing = [item for item in items if item.story_id not in by_story]
        by_story |= dict(
            zip(
                (item.story_id for item in missing),
                await score_stories(scorer, [item.text for item in missing]),
                strict=True,
            )
        )
        link_scores = [by_story[item.story_id] for item, _, _ in pairs]
    links: dict[str, dict[str, StorySentiment]] = {item.story_id: {} for item in items}
    for (item, node_id, _), sentiment in zip(pairs, link_scores, strict=True):
        links[item.story_id][node_id] = sentiment
    return [
        ScoredStory(
            item.story_id,
            by_story[item.story_id] if item.whole_story else None,
            links[item.story_id],
        )
        for item in items
    ]


async def _score_together(
    score_with_entities: Any, items: Sequence[StoryToScore]
) -> list[ScoredStory]:
    names = [list(item.links.items()) for item in items]
    raw = await anyio.to_thread.run_sync(
        score_with_entities,
        [(item.text, [n for _, n in links]) for item, links in zip(items, names, strict=True)],
    )
    if len(raw) != len(items):
        raise ValueError(f"the scorer returned {len(raw)} results for {len(items)} stories")
    out = []
    for item, links, (text_score, entity_scores) in zip(items, names, raw, strict=True):
        if len(entity_scores) != len(links):
            raise ValueError(
                f"the scorer returned {len(entity_scores)} scores for {len(links)} links"
            )
        out.append(
            ScoredStory(
                item.story_id,
                to_story_sentiment(text_score) if item.whole_story else None,
                {
                    node_id: to_story_sentiment(score)
                    for (node_id, _), score in zip(links, entity_scores, strict=True)
                },
            )
        )
    return out
