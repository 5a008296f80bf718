"""The pipeline's view of a sentiment scorer (``monitors.sentiment``), structurally typed.

The pipeline needs only ``score(texts)`` returning objects with a ``label`` and
``probabilities`` keyed by negative/neutral/positive; ``monitors.sentiment``'s
``SentimentScorer`` and ``Score`` fit this shape, and so does a test's tiny scorer.
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
