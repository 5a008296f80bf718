"""What a sentiment model folder holds, and which runtime serves it.

Two kinds are served:

- **ONNX** (the default, built by `scripts/build_sentiment_model.py`; or a user's own): an
  ONNX classifier taking `input_ids` and `attention_mask`, its `tokenizer.json`, and the
  labels in `sentiment.json` (`labels`, optional `temperature`, `max_positions`,
  `entity_gate` (`monitors.sentiment.entity_gate`), and `files` naming the graph per
  precision, e.g. `{"fp32": "model.onnx", "int8": "model.int8.onnx"}`) or, failing that,
  in a Hugging Face `config.json`'s `id2label`.
  Served by ONNX Runtime, no torch.
- **Hugging Face** (`config.json` + weights + `tokenizer.json`, no ONNX file): served by
  torch and `transformers`, which only the `[train]` extra installs.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from monitors.sentiment.entity_gate import CONFIG_KEY as GATE_KEY
from monitors.sentiment.entity_gate import EntityGate
from monitors.sentiment.labels import label_order
from monitors.sentiment.score import Sentiment, SentimentModelMissing

CONFIG_FILE = "sentiment.json"
LATIN_KEY = "latin_fallback"
TOKENIZER_FILE = "tokenizer.json"
PRECISIONS = ("fp32", "int8")
Precision = Literal["fp32", "int8"]
_QUANTISED_NAMES = ("int8", "quant")
TRAIN_EXTRA = "pip install -e '.[train]'"


@dataclass(frozen=True)
class ModelFolder:
    """A checked model folder: what to load, with which runtime, and how to read its output."""

    path: Path
    runtime: Literal["onnx", "torch"]
    labels: list[Sentiment]
    tokenizer: Path
    graph: Path | None = None
    temperature: float = 1.0
    max_positions: int | None = None
    config: dict[str, Any] = field(default_factory=dict)
    entity_gate: EntityGate | None = None
    # the folder that scores texts in Latin script only (`latin_fallback` in sentiment.json,
    # a folder beside this one): the served student reads English less well than its teacher
    latin_fallback: Path | None = None


def read_config(folder: Path) -> dict[str, Any]:
    """`sentiment.json` of `folder` ({} when there is none)."""
    path = folder / CONFIG_FILE
    if not path.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def inspect_folder(folder: Path, precision: Precision = "fp32") -> ModelFolder:
    """Check `folder` and say how to serve it; `SentimentModelMissing` names what is missing."""
    if not folder.is_dir():
        raise SentimentModelMissing(folder)
    config = read_config(folder)
    hf_config_path = folder / "config.json"
    hf_config: dict[str, Any] = (
        json.loads(hf_config_path.read_text(encoding="utf-8")) if hf_config_path.is_file() else {}
    )
    graph = _graph_file(folder, config, precision)
    tokenizer = folder / TOKENIZER_FILE
    missing: list[str] = []
    if not tokenizer.is_file():
        missing.append(f"{TOKENIZER_FILE} (the tokenizer, as the `tokenizers` library saves it)")
    if graph is None and not hf_config:
        files = config.get("files", {})
        wanted = files.get(precision) if isinstance(files, dict) else None
        missing.append(
            f"{wanted} (the {precision} ONNX graph that {CONFIG_FILE} names)"
            if wanted
            else "an ONNX file (model.onnx) or a Hugging Face config.json with its weights"
        )
    labels = config.get("labels") or _hf_labels(hf_config)
    if not labels:
        missing.append(f"the label order ({CONFIG_FILE} `labels` or config.json `id2label`)")
    if missing:
        raise SentimentModelMissing(folder, missing)
    runtime: Literal["onnx", "torch"] = "onnx"
    if graph is None:
        runtime = "torch"
        absent = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
        if absent:
            raise SentimentModelMissing(
                folder,
                [
                    "an ONNX file: this is a Hugging Face folder, which needs "
                    f"{' and '.join(absent)} ({TRAIN_EXTRA}) to serve"
                ],
            )
    positions = config.get("max_positions", hf_config.get("max_position_embeddings"))
    return ModelFolder(
        path=folder,
        runtime=runtime,
        labels=label_order(dict(enumerate(labels))),
        tokenizer=tokenizer,
        graph=graph,
        temperature=float(config.get("temperature", 1.0)),
        max_positions=int(positions) if positions else None,
        config=config,
        entity_gate=EntityGate.from_config(config.get(GATE_KEY)),
        latin_fallback=folder.parent / str(config[LATIN_KEY]) if config.get(LATIN_KEY) else None,
    )


def _graph_file(folder: Path, config: dict[str, Any], precision: Precision) -> Path | None:
    files = config.get("files")
    if isinstance(files, dict):
        name = files.get(precision)
        if name is None:
            raise SentimentModelMissing(
                folder, [f"a {precision} graph ({CONFIG_FILE} `files` has {sorted(files)})"]
            )
        path = folder / str(name)
        return path if path.is_file() else None
    onnx_files = sorted(folder.glob("*.onnx"))
    quantised = [p for p in onnx_files if any(q in p.name for q in _QUANTISED_NAMES)]
    if precision == "int8":
        if not quantised:
            raise SentimentModelMissing(folder, ["an int8 ONNX file (*int8*.onnx or *quant*.onnx)"])
        return quantised[0]
    plain = [p for p in onnx_files if p not in quantised]
    return plain[0] if plain else None


def _hf_labels(hf_config: dict[str, Any]) -> list[str]:
    id2label = hf_config.get("id2label") or {}
    return [str(id2label[k]) for k in sorted(id2label, key=int)]
