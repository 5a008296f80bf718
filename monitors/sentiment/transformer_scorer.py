"""`TransformerSentimentScorer`: a local transformer classifier behind the `SentimentScorer`
protocol, loaded once, batched by length, never touching a hub.

ONNX folders (the default model) run on ONNX Runtime; a Hugging Face folder runs on torch
when the `[train]` extra is installed (`monitors.sentiment.model_folder`). Either way the
texts are cut to title plus lead, tokenized with the folder's `tokenizer.json`, sorted by
length, padded per batch to the longest text of the batch (capped at `max_length` tokens),
and the probabilities are `softmax(logits / T)` with the temperature `T` from the folder.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import anyio.to_thread
import numpy as np
import numpy.typing as npt

from monitors.sentiment.model_folder import ModelFolder, Precision, inspect_folder
from monitors.sentiment.score import Score, Sentiment, SentimentScorer
from monitors.sentiment.text import title_and_lead

# XLM-R pieces average well over one character for Chinese, so this many characters per
# token is enough to fill `max_length` while bounding the tokenizer's work on long articles.
_CHARS_PER_TOKEN = 4
DEFAULT_MAX_LENGTH = 96
_NO_LOGITS: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)


class _Runtime(Protocol):
    def logits(
        self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float32]: ...


class TransformerSentimentScorer:
    """Scores texts with the classifier in `model_dir` (the default model or any local
    folder). The model loads on first use; calls are serialised by a lock so one instance
    can be shared by worker threads."""

    def __init__(
        self,
        model_dir: Path,
        batch_size: int = 32,
        max_length: int = DEFAULT_MAX_LENGTH,
        device: str = "cpu",
        dtype: str = "float32",
        precision: Precision = "fp32",
        threads: int = 0,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.dtype = dtype
        self.precision: Precision = precision
        self.threads = threads
        self._lock = threading.Lock()
        self._loaded: tuple[Any, _Runtime, ModelFolder] | None = None
        self._token_limit = max_length

    @property
    def folder(self) -> ModelFolder:
        """The checked model folder (loads the model)."""
        with self._lock:
            return self._load()[2]

    def _load(self) -> tuple[Any, _Runtime, ModelFolder]:
        if self._loaded is None:
            from tokenizers import Tokenizer

            folder = inspect_folder(self.model_dir, self.precision)
            tokenizer = Tokenizer.from_file(str(folder.tokenizer))
            tokenizer.no_padding()
            runtime: _Runtime = (
                _OnnxRuntime(folder, self.threads)
                if folder.runtime == "onnx"
                else _TorchRuntime(folder, self.device, self.dtype)
            )
            limits = [self.max_length, folder.max_positions]
            self._token_limit = min(int(x) for x in limits if x)
            self._loaded = (tokenizer, runtime, folder)
        return self._loaded

    def load(self) -> None:
        """Load the model now (e.g. in the app's lifespan) instead of on the first call."""
        with self._lock:
            self._load()

    def score(self, texts: Sequence[str]) -> list[Score]:
        """Score `texts` in input order; long texts are cut to title plus lead."""
        return self._scores(self.logits(texts))

    def score_about(self, pairs: Sequence[tuple[str, str]]) -> list[Score]:
        """Score `(text, entity)` pairs, encoded as `<s> entity </s></s> text </s>` with
        only the text truncated: how each text reads about its entity."""
        return self._scores(self.logits_about(pairs))

    def logits(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The raw logits `[len(texts), labels]` in input order (before the temperature)."""
        if isinstance(texts, str):
            raise TypeError("score() takes a sequence of texts, not one string")
        if not texts:
            return _NO_LOGITS
        with self._lock:
            tokenizer, runtime, _ = self._load()
            tokenizer.enable_truncation(self._token_limit)
            encoded = tokenizer.encode_batch([self._prepare(t) for t in texts])
            return self._run(runtime, [e.ids for e in encoded])

    def logits_about(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """The raw logits of `(text, entity)` pairs (see `score_about`), in input order."""
        if not pairs:
            return _NO_LOGITS
        with self._lock:
            tokenizer, runtime, _ = self._load()
            tokenizer.enable_truncation(self._token_limit, strategy="only_second")
            # An entity is a name: cut it so that the text always keeps some room.
            name_chars = max(1, self._token_limit // 4)
            inputs = [(entity.strip()[:name_chars], self._prepare(text)) for text, entity in pairs]
            encoded = tokenizer.encode_batch(inputs)
            return self._run(runtime, [e.ids for e in encoded])

    def _prepare(self, text: str) -> str:
        return title_and_lead(text, self._token_limit * _CHARS_PER_TOKEN)

    def _scores(self, logits: npt.NDArray[np.float32]) -> list[Score]:
        if not len(logits):
            return []
        folder = self.folder
        probs = calibrated_softmax(logits, folder.temperature)
        return [_to_score(row, folder.labels) for row in probs.tolist()]

    def _run(self, runtime: _Runtime, ids: list[list[int]]) -> npt.NDArray[np.float32]:
        """Logits in input order: sorted by length, padded per batch to its longest text."""
        by_length = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out: npt.NDArray[np.float32] | None = None
        for start in range(0, len(by_length), self.batch_size):
            chunk = by_length[start : start + self.batch_size]
            width = max(len(ids[i]) for i in chunk)
            batch = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                batch[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            logits = runtime.logits(batch, mask)
            if out is None:
                out = np.zeros((len(ids), logits.shape[1]), dtype=np.float32)
            out[chunk] = logits
        return out if out is not None else _NO_LOGITS


def calibrated_softmax(logits: npt.NDArray[np.float32], temperature: float) -> npt.NDArray[Any]:
    """`softmax(logits / temperature)` per row, in float64 for stable sums."""
    z = logits.astype(np.float64) / temperature
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    result: npt.NDArray[Any] = e / e.sum(axis=-1, keepdims=True)
    return result


class _OnnxRuntime:
    """An ONNX Runtime CPU session over the folder's graph (all graph optimisations on)."""

    def __init__(self, folder: ModelFolder, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle worker threads sleep instead of spinning: the scorer shares its cores with
        # the monitor's event loop, parsing and Neo4j, which spinning threads would starve.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(folder.graph), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name: i.type for i in self.session.get_inputs()}
        self.output = self.session.get_outputs()[0].name

    def logits(
        self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float32]:
        feeds: dict[str, npt.NDArray[Any]] = {}
        for name, kind in self.inputs.items():
            value = {"input_ids": ids, "attention_mask": mask}.get(name, np.zeros_like(ids))
            feeds[name] = value.astype(np.int32) if kind == "tensor(int32)" else value
        out = self.session.run([self.output], feeds)[0]
        return np.asarray(out, dtype=np.float32)


class _TorchRuntime:
    """A Hugging Face folder on torch (the `[train]` extra)."""

    def __init__(self, folder: ModelFolder, device: str, dtype: str) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification

        self.torch = torch
        self.device = device
        self.model = AutoModelForSequenceClassification.from_pretrained(
            str(folder.path), local_files_only=True, dtype=getattr(torch, dtype)
        )
        self.model.to(device).eval()

    def logits(
        self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float32]:
        torch = self.torch
        with torch.inference_mode():
            out = self.model(
                input_ids=torch.from_numpy(ids).to(self.device),
                attention_mask=torch.from_numpy(mask).to(self.device),
            ).logits
        return np.asarray(out.float().cpu().numpy(), dtype=np.float32)


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
