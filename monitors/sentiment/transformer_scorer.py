"""`TransformerSentimentScorer`: a local Hugging Face sequence classifier behind the
`SentimentScorer` protocol, loaded once, batched by length, never touching a hub."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio.to_thread

from monitors.sentiment.labels import label_order
from monitors.sentiment.score import Score, Sentiment, SentimentModelMissing, SentimentScorer
from monitors.sentiment.text import title_and_lead

# XLM-R pieces average well over one character for Chinese, so this many characters per
# token is enough to fill `max_length` while bounding the tokenizer's work on long articles.
_CHARS_PER_TOKEN = 4


class TransformerSentimentScorer:
    """Scores texts with the classifier in `model_dir` (default model or any local HF
    folder). The model loads on first use; calls are serialised by a lock so one instance
    can be shared by worker threads."""

    def __init__(
        self,
        model_dir: Path,
        batch_size: int = 32,
        max_length: int = 256,
        device: str = "cpu",
        dtype: str = "float32",
    ) -> None:
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.dtype = dtype
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, list[Sentiment]] | None = None
        self._token_limit = max_length

    def _load(self) -> tuple[Any, Any, list[Sentiment]]:
        if self._loaded is None:
            if not (self.model_dir / "config.json").is_file():
                raise SentimentModelMissing(self.model_dir)
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                str(self.model_dir), local_files_only=True, dtype=getattr(torch, self.dtype)
            )
            model.to(self.device).eval()
            order = label_order(model.config.id2label)
            # never ask for more tokens than the model has positions for
            limits = [
                self.max_length,
                getattr(model.config, "max_position_embeddings", None),
                tokenizer.model_max_length,
            ]
            self._token_limit = min(int(x) for x in limits if x is not None and x < 1_000_000)
            self._loaded = (tokenizer, model, order)
        return self._loaded

    def load(self) -> None:
        """Load the model now (e.g. in the app's lifespan) instead of on the first call."""
        with self._lock:
            self._load()

    def score(self, texts: Sequence[str]) -> list[Score]:
        """Score `texts` in input order; long texts are cut to title plus lead."""
        if isinstance(texts, str):
            raise TypeError("score() takes a sequence of texts, not one string")
        if not texts:
            return []
        import torch

        with self._lock:
            tokenizer, model, order = self._load()
            prepared = [title_and_lead(t, self.max_length * _CHARS_PER_TOKEN) for t in texts]
            by_length = sorted(range(len(prepared)), key=lambda i: len(prepared[i]))
            results: list[Score | None] = [None] * len(prepared)
            with torch.inference_mode():
                for start in range(0, len(by_length), self.batch_size):
                    chunk = by_length[start : start + self.batch_size]
                    enc = tokenizer(
                        [prepared[i] for i in chunk],
                        padding=True,
                        truncation=True,
                        max_length=self._token_limit,
                        return_tensors="pt",
                    )
                    enc = {
                        k: v.to(self.device)
                        for k, v in enc.items()
                        if k in ("input_ids", "attention_mask", "token_type_ids")
                    }
                    probs = model(**enc).logits.float().softmax(-1).cpu().tolist()
                    for i, row in zip(chunk, probs, strict=True):
                        results[i] = _to_score(row, order)
        return [r for r in results if r is not None]


def _to_score(row: list[float], order: list[Sentiment]) -> Score:
    probabilities = dict.fromkeys(Sentiment, 0.0)
    for sentiment, p in zip(order, row, strict=True):
        probabilities[sentiment] = float(p)
    label = max(probabilities, key=lambda s: probabilities[s])
    return Score(label=label, probabilities=probabilities)


async def score_async(scorer: SentimentScorer, texts: Sequence[str]) -> list[Score]:
    """Score on a worker thread so inference never blocks the event loop."""
    batch = list(texts)
    return await anyio.to_thread.run_sync(scorer.score, batch)
