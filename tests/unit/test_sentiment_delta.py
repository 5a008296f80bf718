"""Merging the trained delta into base weights."""

from __future__ import annotations

import numpy as np
import pytest

from monitors.sentiment.delta import DeltaMismatch, merge_delta

W = "bert.encoder.layer.0.attention.self.query"


def _base() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        f"{W}.weight": rng.normal(size=(4, 3)).astype(np.float32),
        f"{W}.bias": np.zeros(4, np.float32),
        "bert.embeddings.LayerNorm.weight": np.ones(3, np.float32),
    }


def test_lora_bias_layernorm_and_head_are_applied() -> None:
    base = _base()
    original = base[f"{W}.weight"].copy()
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(8, dtype=np.float32).reshape(4, 2)
    delta = {
        f"{W}.lora_a": a,
        f"{W}.lora_b": b,
        f"{W}.base.bias": np.full(4, 0.5, np.float32),
        "bert.embeddings.LayerNorm.weight": np.full(3, 2.0, np.float32),
        "classifier.weight": np.ones((3, 3), np.float32),
    }
    out = merge_delta(base, delta, lora_scale=2.0)
    np.testing.assert_allclose(out[f"{W}.weight"], original + 2.0 * b @ a)
    np.testing.assert_array_equal(out[f"{W}.bias"], np.full(4, 0.5))
    np.testing.assert_array_equal(out["bert.embeddings.LayerNorm.weight"], np.full(3, 2.0))
    assert out["classifier.weight"].shape == (3, 3)


def test_delta_that_does_not_fit_is_refused() -> None:
    with pytest.raises(DeltaMismatch):
        merge_delta(_base(), {f"{W}.base.bias": np.zeros(5, np.float32)}, 1.0)
    with pytest.raises(DeltaMismatch):
        merge_delta(
            _base(), {"bert.encoder.layer.9.output.LayerNorm.weight": np.ones(3, np.float32)}, 1.0
        )
