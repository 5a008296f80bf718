"""A tiny randomly initialised BERT classifier (numpy weights) with a real converted
tokenizer, written as an ONNX folder the way the build writes the default model, so scorer
and CLI behaviour can be tested without the built model and without torch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt

from monitors.sentiment.build import write_folder
from monitors.sentiment.convert import build_tokenizer, save_fast_tokenizer
from monitors.sentiment.e5_file import E5Tokenizer
from monitors.sentiment.onnx_graph import BertShape

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
PIECES = [*SPECIALS, "▁", *"保险公司理赔拒投诉好服务快慢骗子罚款业绩增长瑞安", "▁good", "▁bad", "!"]
HIDDEN, HEADS, INTERMEDIATE, POSITIONS, EPS = 16, 2, 32, 64, 1e-12
SHAPE = BertShape(layers=1, heads=HEADS, eps=EPS)


def tiny_tokenizer() -> object:
    """The converted tokenizer over `PIECES` (a `tokenizers.Tokenizer`)."""
    scores = [0.0] * len(SPECIALS) + [-float(i) / 10 for i in range(len(PIECES) - len(SPECIALS))]
    tok = E5Tokenizer(PIECES, scores, bos=0, eos=2, pad=1, unk=3, normalisation={0xFF01: "!"})
    return build_tokenizer(tok)


def tiny_weights(
    layers: int = 1, labels: int = 3, seed: int = 0, entity_head: bool = False
) -> dict[str, npt.NDArray[np.float32]]:
    """Random weights under `transformers` BERT names (plus `entity_classifier.*` when
    `entity_head`); the heads are scaled up so that different texts get clearly different
    probabilities."""
    rng = np.random.default_rng(seed)

    def rand(*shape: int, scale: float = 0.2) -> npt.NDArray[np.float32]:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    w = {
        "bert.embeddings.word_embeddings.weight": rand(len(PIECES), HIDDEN),
        "bert.embeddings.position_embeddings.weight": rand(POSITIONS, HIDDEN),
        "bert.embeddings.token_type_embeddings.weight": rand(2, HIDDEN),
        "bert.embeddings.LayerNorm.weight": 1 + rand(HIDDEN, scale=0.05),
        "bert.embeddings.LayerNorm.bias": rand(HIDDEN, scale=0.05),
        "bert.pooler.dense.weight": rand(HIDDEN, HIDDEN),
        "bert.pooler.dense.bias": rand(HIDDEN),
        "classifier.weight": rand(labels, HIDDEN, scale=1.5),
        "classifier.bias": rand(labels),
    }
    for i in range(layers):
        p = f"bert.encoder.layer.{i}."
        for name in ("attention.self.query", "attention.self.key", "attention.self.value"):
            w[p + name + ".weight"] = rand(HIDDEN, HIDDEN)
            w[p + name + ".bias"] = rand(HIDDEN)
        w[p + "attention.output.dense.weight"] = rand(HIDDEN, HIDDEN)
        w[p + "attention.output.dense.bias"] = rand(HIDDEN)
        w[p + "intermediate.dense.weight"] = rand(INTERMEDIATE, HIDDEN)
        w[p + "intermediate.dense.bias"] = rand(INTERMEDIATE)
        w[p + "output.dense.weight"] = rand(HIDDEN, INTERMEDIATE)
        w[p + "output.dense.bias"] = rand(HIDDEN)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + ln + ".weight"] = 1 + rand(HIDDEN, scale=0.05)
            w[p + ln + ".bias"] = rand(HIDDEN, scale=0.05)
    if entity_head:
        w["entity_classifier.weight"] = rand(labels, 2 * HIDDEN, scale=1.5)
        w["entity_classifier.bias"] = rand(labels)
    return w


def write_tiny_model(
    folder: Path,
    labels: tuple[str, ...] = ("negative", "neutral", "positive"),
    seed: int = 0,
    layers: int = 1,
    temperature: float = 1.0,
    entity_head: bool = False,
) -> Path:
    """Build the tiny classifier into `folder` as an ONNX folder (fp32 and int8)."""
    write_folder(
        folder,
        tiny_weights(layers, len(labels), seed, entity_head),
        BertShape(layers=layers, heads=HEADS, eps=EPS),
        list(labels),
        tiny_tokenizer(),
        max_positions=POSITIONS,
        temperature=temperature,
    )
    return folder


def write_tiny_hf_model(folder: Path, layers: int = 1, seed: int = 0) -> Path:
    """The same weights as a Hugging Face `BertForSequenceClassification` folder."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    labels = ("negative", "neutral", "positive")
    config = {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "vocab_size": len(PIECES),
        "hidden_size": HIDDEN,
        "num_hidden_layers": layers,
        "num_attention_heads": HEADS,
        "intermediate_size": INTERMEDIATE,
        "hidden_act": "gelu",
        "max_position_embeddings": POSITIONS,
        "type_vocab_size": 2,
        "layer_norm_eps": EPS,
        "pad_token_id": 1,
        "id2label": dict(enumerate(labels)),
        "label2id": {name: i for i, name in enumerate(labels)},
    }
    (folder / "config.json").write_text(json.dumps(config))
    save_file(
        tiny_weights(layers, 3, seed), str(folder / "model.safetensors"), metadata={"format": "pt"}
    )
    save_fast_tokenizer(tiny_tokenizer(), folder, POSITIONS, ("<s>", "</s>", "<pad>", "<unk>"))
    return folder
