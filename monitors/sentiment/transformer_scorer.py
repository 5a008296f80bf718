"""`TransformerSentimentScorer`: a local transformer classifier behind the `SentimentScorer`
protocol, loaded once, batched by length, never touching a hub.

ONNX folders (the default model) run on ONNX Runtime; a Hugging Face folder runs on torch
when the `[train]` extra is installed (`monitors.sentiment.model_folder`). Either way the
texts are cut to title plus lead, tokenized with the folder's `tokenizer.json`, sorted by
length, padded per batch to the longest text of the batch (capped at `max_length` tokens),
and the probabilities are `softmax(logits / T)` with the temperature `T` from the folder.
A folder may name a second one for texts in Latin script only (`latin_fallback`: the served
student, distilled on Chinese text, reads English less well than its 12-layer teacher);
`score`, `score_about` and `score_with_entities` send such texts there, while `logits` and
`logits_about` are always this folder's own.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from monitors.sentiment.entity_gate import GateInput, gate_inputs
from monitors.sentiment.model_folder import ModelFolder, Precision, inspect_folder
from monitors.sentiment.score import Score, Sentiment, SentimentModelMissing
from monitors.sentiment.text import title_and_lead

# XLM-R pieces average well over one character for Chinese, so this many characters per
# token is enough to fill `max_length` while bounding the tokenizer's work on long articles.
_CHARS_PER_TOKEN = 4
DEFAULT_MAX_LENGTH = 96
_NO_LOGITS: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
ENTITY_INPUT, ENTITY_OUTPUT = "entity_weights", "entity_logits"
# Han, kana and hangul: a text with none of these and two Latin words reads as Latin
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]{2,}")
_log = logging.getLogger(__name__)
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def reads_as_latin(text: str) -> bool:
    """Whether `text` is in Latin script only (two or more words of two or more Latin
    letters, no Chinese, Japanese or Korean character): what a folder's `latin_fallback`
    scores. A lone code, number or one-word post stays with the folder's own model."""
    if _CJK.search(text) is not None:
        return False
    words = _LATIN_WORD.finditer(text)
    return next(words, None) is not None and next(words, None) is not None


class _Runtime(Protocol):
    def logits(
        self,
        ids: npt.NDArray[np.int64],
        mask: npt.NDArray[np.int64],
        entity_weights: npt.NDArray[np.float32] | None,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]: ...


def _text_of(item: tuple[str, Any]) -> str:
    return item[0]


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
        entity_gate: bool = True,
        latin_fallback: bool = True,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.dtype = dtype
        self.precision: Precision = precision
        self.threads = threads
        self.entity_gate = entity_gate
        self.latin_fallback = latin_fallback
        self._lock = threading.Lock()
        self._loaded: tuple[Any, _Runtime, ModelFolder] | None = None
        self._token_limit = max_length
        self._fallback_lock = threading.Lock()
        self._fallback: TransformerSentimentScorer | None = None

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
        if isinstance(texts, str):
            raise TypeError("score() takes a sequence of texts, not one string")
        return self._routed(texts, str, lambda s, part: s._scores(s.logits(part)))

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

    def score_about(self, pairs: Sequence[tuple[str, str]]) -> list[Score]:
        """Score `(text, entity)` pairs: how each text reads about the entity it names."""
        return self._routed(pairs, _text_of, lambda s, part: s._scores(s.logits_about(part)))

    def logits_about(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """The logits of `(text, entity)` pairs (see `score_with_entities`), in order: before
        the temperature, after the entity gate (`T * log p` where it moved a name)."""
        if not pairs:
            return _NO_LOGITS
        texts = list(dict.fromkeys(text for text, _ in pairs))
        names: dict[str, list[str]] = {text: [] for text in texts}
        for text, entity in pairs:
            if entity not in names[text]:
                names[text].append(entity)
        _, entity_logits = self._logits_with_entities([(t, names[t]) for t in texts])
        found = {
            (text, name): row
            for text, rows in zip(texts, entity_logits, strict=True)
            for name, row in zip(names[text], rows, strict=True)
        }
        return np.stack([found[pair] for pair in pairs])

    def score_with_entities(
        self, items: Sequence[tuple[str, Sequence[str]]]
    ) -> list[tuple[Score, list[Score]]]:
        """For each `(text, entity names)`: the text's score and one score per name, from one
        pass over the text. The entity head reads the final hidden states of the tokens where
        the name occurs (beside the pooled `<s>`), so a story that names two companies can be
        negative about one only. A name that does not occur in the text as read (title plus
        lead, cut at the token limit), or a model without an entity head, gets the text's
        score. Where the story names two or more distinct names and the model folder has an
        entity gate, the gate decides how negative the story is about each, a name it did
        not read included (`monitors.sentiment.entity_gate`)."""
        return self._routed(items, _text_of, lambda s, part: s._entity_scores(part))

    def _entity_scores(
        self, items: Sequence[tuple[str, Sequence[str]]]
    ) -> list[tuple[Score, list[Score]]]:
        logits, entity_logits = self._logits_with_entities(items)
        texts = self._scores(logits)
        return [
            (score, self._scores(rows) if len(rows) else [])
            for score, rows in zip(texts, entity_logits, strict=True)
        ]

    def _routed(
        self,
        items: Sequence[_Item],
        text_of: Callable[[_Item], str],
        run: Callable[[TransformerSentimentScorer, list[_Item]], list[_Result]],
    ) -> list[_Result]:
        """`run` over `items` in order: this folder's scorer for most, the Latin fallback's
        for the items whose text, as the model reads it (title and lead), is in Latin script
        only, when the folder names one."""
        items = list(items)
        if not (self.latin_fallback and self.folder.latin_fallback):
            return run(self, items)  # the common case: no check per text
        latin = [i for i, item in enumerate(items) if reads_as_latin(self._prepare(text_of(item)))]
        fallback = self._fallback_scorer() if latin else None
        if fallback is None:
            return run(self, items)
        latin_set = set(latin)
        own = [i for i in range(len(items)) if i not in latin_set]
        out: dict[int, _Result] = {}
        for scorer, chosen in ((self, own), (fallback, latin)):
            if chosen:
                out.update(zip(chosen, run(scorer, [items[i] for i in chosen]), strict=True))
        return [out[i] for i in range(len(items))]

    def _fallback_scorer(self) -> TransformerSentimentScorer | None:
        """The scorer of the folder's `latin_fallback` (loaded on first use), or None when
        the folder names none, it is switched off, or the named folder is missing or cannot
        be served (logged once; this folder then scores everything)."""
        target = self.folder.latin_fallback if self.latin_fallback else None
        if target is None:
            return None
        with self._fallback_lock:
            if self._fallback is None:
                fallback = TransformerSentimentScorer(
                    target,
                    batch_size=self.batch_size,
                    max_length=self.max_length,
                    device=self.device,
                    dtype=self.dtype,
                    precision=self.precision,
                    threads=self.threads,
                    entity_gate=self.entity_gate,
                    latin_fallback=False,
                )
                # one lock for both models: calls never nest, and two ONNX sessions running
                # at once would each want every core
                fallback._lock = self._lock
                try:
                    fallback.load()
                except SentimentModelMissing as missing:
                    _log.warning("sentiment: latin_fallback not used: %s", missing)
                    self.latin_fallback = False
                    return None
                self._fallback = fallback
            return self._fallback

    def gate_inputs(self, items: Sequence[tuple[str, Sequence[str]]]) -> list[GateInput]:
        """What the entity gate reads for each `(text, entity names)`, before any gate: the
        title and lead as prepared for the model, the calibrated text and entity-head
        probabilities, and which names have tokens in what the model read
        (`scripts/fit_entity_gate.py` fits the gate on these)."""
        reading = self._read_entities(items)
        return reading.inputs(self.folder.temperature) if reading else []

    def _logits_with_entities(
        self, items: Sequence[tuple[str, Sequence[str]]]
    ) -> tuple[npt.NDArray[np.float32], list[npt.NDArray[np.float32]]]:
        reading = self._read_entities(items)
        if reading is None:
            return _NO_LOGITS, []
        folder = self.folder
        gate = folder.entity_gate if self.entity_gate else None
        if gate is None:
            return reading.logits, reading.entity_logits
        negative = folder.labels.index(Sentiment.NEGATIVE)
        t = folder.temperature
        gated = []
        for item, rows in zip(reading.inputs(t), reading.entity_logits, strict=True):
            probs = gate.apply(item, negative)
            # back to logits where the gate moved a name: softmax(T * log(p) / T) = p
            moved = probs is not item.entity_probs
            gated.append(
                (t * np.log(np.maximum(probs, 1e-12))).astype(np.float32) if moved else rows
            )
        return reading.logits, gated

    def _read_entities(self, items: Sequence[tuple[str, Sequence[str]]]) -> _EntityReading | None:
        if not items:
            return None
        with self._lock:
            tokenizer, runtime, _ = self._load()
            tokenizer.enable_truncation(self._token_limit)
            prepared = [self._prepare(text) for text, _ in items]
            encoded = tokenizer.encode_batch(prepared)
            spans = [
                [entity_tokens(text, name, enc.offsets) for name in names]
                for text, (_, names), enc in zip(prepared, items, encoded, strict=True)
            ]
            logits, entity_logits = self._run_entities(runtime, [e.ids for e in encoded], spans)
        return _EntityReading(
            prepared,
            [list(names) for _, names in items],
            spans,
            logits,
            entity_logits,
        )

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
        return self._run_entities(runtime, ids, None)[0]

    def _run_entities(
        self, runtime: _Runtime, ids: list[list[int]], spans: list[list[list[int]]] | None
    ) -> tuple[npt.NDArray[np.float32], list[npt.NDArray[np.float32]]]:
        """Text logits in input order (sorted by length, padded per batch to its longest
        text) and, when `spans` is given, each text's entity logits (a name without tokens,
        or a model without an entity head, gets the text's logits)."""
        by_length = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out: npt.NDArray[np.float32] | None = None
        entities: list[npt.NDArray[np.float32]] = [_NO_LOGITS] * len(ids)
        for start in range(0, len(by_length), self.batch_size):
            chunk = by_length[start : start + self.batch_size]
            width = max(len(ids[i]) for i in chunk)
            batch = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                batch[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            weights = None if spans is None else _span_weights([spans[i] for i in chunk], width)
            logits, entity_logits = runtime.logits(batch, mask, weights)
            if out is None:
                out = np.zeros((len(ids), logits.shape[1]), dtype=np.float32)
            out[chunk] = logits
            if spans is not None:
                for row, i in enumerate(chunk):
                    rows = np.repeat(logits[row : row + 1], len(spans[i]), axis=0)
                    for e, tokens in enumerate(spans[i]):
                        if tokens and entity_logits is not None:
                            rows[e] = entity_logits[row, e]
                    entities[i] = rows
        return (out if out is not None else _NO_LOGITS), entities


@dataclass(frozen=True)
class _EntityReading:
    """One pass over stories with names: the texts as prepared (title and lead), the names,
    each name's tokens, and the raw text and entity logits."""

    texts: list[str]
    names: list[list[str]]
    spans: list[list[list[int]]]
    logits: npt.NDArray[np.float32]
    entity_logits: list[npt.NDArray[np.float32]]

    def inputs(self, temperature: float) -> list[GateInput]:
        return gate_inputs(
            self.texts,
            self.names,
            calibrated_softmax(self.logits, temperature),
            [
                calibrated_softmax(rows, temperature) if len(rows) else rows.astype(np.float64)
                for rows in self.entity_logits
            ],
            [[bool(tokens) for tokens in spans] for spans in self.spans],
        )


def entity_tokens(text: str, name: str, offsets: list[tuple[int, int]]) -> list[int]:
    """Indices of the tokens that overlap any occurrence of `name` in `text` (special tokens,
    whose offsets are empty, never count)."""
    name = name.strip()
    found: list[tuple[int, int]] = []
    at = text.find(name) if name else -1
    while at >= 0:
        found.append((at, at + len(name)))
        at = text.find(name, at + len(name))
    return [
        i
        for i, (a, b) in enumerate(offsets)
        if b > a and any(a < end and b > start for start, end in found)
    ]


def _span_weights(spans: list[list[list[int]]], width: int) -> npt.NDArray[np.float32]:
    """`[texts, entities, width]`: each entity's mean over its tokens (at least one row)."""
    weights = np.zeros((len(spans), max(1, *(len(s) for s in spans)), width), dtype=np.float32)
    for row, text_spans in enumerate(spans):
        for e, tokens in enumerate(text_spans):
            if tokens:
                weights[row, e, tokens] = 1.0 / len(tokens)
    return weights


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
        self.entities = ENTITY_INPUT in self.inputs

    def logits(
        self,
        ids: npt.NDArray[np.int64],
        mask: npt.NDArray[np.int64],
        entity_weights: npt.NDArray[np.float32] | None,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
        feeds: dict[str, npt.NDArray[Any]] = {}
        for name, kind in self.inputs.items():
            if name == ENTITY_INPUT:
                shape = (ids.shape[0], 1, ids.shape[1])
                feeds[name] = (
                    entity_weights
                    if entity_weights is not None
                    else np.zeros(shape, dtype=np.float32)
                )
                continue
            value = {"input_ids": ids, "attention_mask": mask}.get(name, np.zeros_like(ids))
            feeds[name] = value.astype(np.int32) if kind == "tensor(int32)" else value
        wanted = [self.output] + (
            [ENTITY_OUTPUT] if self.entities and entity_weights is not None else []
        )
        out = self.session.run(wanted, feeds)
        entity = np.asarray(out[1], dtype=np.float32) if len(out) > 1 else None
        return np.asarray(out[0], dtype=np.float32), entity


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
        self,
        ids: npt.NDArray[np.int64],
        mask: npt.NDArray[np.int64],
        entity_weights: npt.NDArray[np.float32] | None,
    ) -> tuple[npt.NDArray[np.float32], None]:
        """Text logits only: a Hugging Face folder has no entity head."""
        torch = self.torch
        with torch.inference_mode():
            out = self.model(
                input_ids=torch.from_numpy(ids).to(self.device),
                attention_mask=torch.from_numpy(mask).to(self.device),
            ).logits
        return np.asarray(out.float().cpu().numpy(), dtype=np.float32), None


def _to_score(row: list[float], order: list[Sentiment]) -> Score:
    probabilities = dict.fromkeys(Sentiment, 0.0)
    for sentiment, p in zip(order, row, strict=True):
        probabilities[sentiment] = float(p)
    label = max(probabilities, key=lambda s: probabilities[s])
    return Score(label=label, probabilities=probabilities)
