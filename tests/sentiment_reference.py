"""A plain numpy forward pass of a BERT sequence classifier (post-LN encoder, erf GELU, the
pooler over `<s>`, a linear head), written from the definition: the reference the ONNX
graph is checked against without torch."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from scipy.special import erf

Arrays = Mapping[str, npt.NDArray[np.float32]]
WideArrays = Mapping[str, npt.NDArray[np.float64]]


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    normed: np.ndarray = (x - mean) / np.sqrt(var + eps) * gamma + beta
    return normed


def _linear(x: np.ndarray, weights: WideArrays, name: str) -> np.ndarray:
    return x @ weights[name + ".weight"].astype(np.float64).T + weights[name + ".bias"]


def encode(
    weights: Arrays, ids: np.ndarray, mask: np.ndarray, heads: int, eps: float
) -> np.ndarray:
    """The last hidden states `[batch, sequence, hidden]` (float64)."""
    w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    batch, length = ids.shape
    x = w["bert.embeddings.word_embeddings.weight"][ids]
    x = x + w["bert.embeddings.position_embeddings.weight"][:length]
    if "bert.embeddings.token_type_embeddings.weight" in w:
        x = x + w["bert.embeddings.token_type_embeddings.weight"][0]
    x = _layer_norm(
        x, w["bert.embeddings.LayerNorm.weight"], w["bert.embeddings.LayerNorm.bias"], eps
    )
    hidden = x.shape[-1]
    size = hidden // heads
    blocked = np.where(mask[:, None, None, :] > 0, 0.0, -np.inf)
    layer = 0
    while f"bert.encoder.layer.{layer}.attention.self.query.weight" in w:
        p = f"bert.encoder.layer.{layer}."

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        q, k, v = (
            split(_linear(x, w, p + f"attention.self.{m}")) for m in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + blocked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = _layer_norm(
            _linear(context, w, p + "attention.output.dense") + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        inner = _linear(x, w, p + "intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))
        x = _layer_norm(
            _linear(inner, w, p + "output.dense") + x,
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
            eps,
        )
        layer += 1
    return x


def classify(
    weights: Arrays, ids: np.ndarray, mask: np.ndarray, heads: int, eps: float
) -> np.ndarray:
    """Logits `[batch, labels]` (float64)."""
    hidden = encode(weights, ids, mask, heads, eps)
    w = {
        k: np.asarray(v, dtype=np.float64) for k, v in weights.items() if not k.startswith("bert.e")
    }
    pooled = np.tanh(_linear(hidden[:, 0], w, "bert.pooler.dense"))
    return _linear(pooled, w, "classifier")


def classify_entities(
    weights: Arrays, ids: np.ndarray, heads: int, eps: float, spans: list[list[int]]
) -> tuple[np.ndarray, np.ndarray]:
    """One unpadded text `ids` `[1, sequence]`: its logits `[labels]` and, per entity (the
    token indices of its mentions), the entity head's logits over the mean of those tokens'
    final hidden states beside the pooled `<s>` `[entities, labels]`."""
    hidden = encode(weights, ids, np.ones_like(ids), heads, eps)[0]
    w = {
        k: np.asarray(v, dtype=np.float64) for k, v in weights.items() if not k.startswith("bert.e")
    }
    pooled = np.tanh(_linear(hidden[0], w, "bert.pooler.dense"))
    rows = [np.concatenate([pooled, hidden[tokens].mean(0)]) for tokens in spans]
    return _linear(pooled, w, "classifier"), _linear(np.asarray(rows), w, "entity_classifier")
