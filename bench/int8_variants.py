#!/usr/bin/env python
"""int8 variants against fp32: which parts of the graph move labels, and what each costs.

    python bench/int8_variants.py [--model DIR] [--cap 96] [--speed-n 320]
        [--variants all,head-fp32,ffn-down-fp32,...]

Each variant quantises the model folder's `model.onnx` like the build does
(`monitors.sentiment.build.quantise_int8`), leaving some parts in fp32 or changing the weight
range, into a temporary folder. It scores the held-out texts (FinFE validation, FinNSP
hold-out, insurer dev and test: 3,000+ texts, none used for training) and prints the label
agreement with fp32 at the same cap, overall and per split, as issue 16's adoption rule asks
(at least 98%). Then it times fp32 and the variant on the same synthetic 96-token feed items
(`bench.feeds`'s corpus), batch 32, and prints items/s and the ratio. Needs no torch.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.feeds import _text  # noqa: E402
from monitors.sentiment import datasets  # noqa: E402
from monitors.sentiment.build import FILES, quantise_int8  # noqa: E402
from monitors.sentiment.onnx_graph import node_names  # noqa: E402
from monitors.sentiment.paths import MODEL_ENV, resolve_model_dir  # noqa: E402
from monitors.sentiment.transformer_scorer import TransformerSentimentScorer  # noqa: E402

# name -> (parts left in fp32, reduce_range, unsigned weights)
VARIANTS: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "all": ((), True, False),
    "head-fp32": (("head",), True, False),
    "ffn-down-fp32": (("head", "ffn_down"), True, False),
    "attention-out-fp32": (("head", "attention_out"), True, False),
    "attention-fp32": (("head", "attention"), True, False),
    "full-range": (("head",), False, False),
    "unsigned-weights": (("head",), False, True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=resolve_model_dir(os.environ.get(MODEL_ENV)))
    parser.add_argument("--cap", type=int, default=96)
    parser.add_argument("--speed-n", type=int, default=320)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    splits = {
        "FinFE": [e.text for e in datasets.finfe("validation")],
        "FinNSP": [e.text for e in datasets.finnsp_split()[1]],
        "insurer": [e.text for e in datasets.insurer("dev") + datasets.insurer("test")],
    }
    texts = [text for part in splits.values() for text in part]
    rng = random.Random(1)
    feed_items = [_text(rng, 24) + "\n" + _text(rng, 160) for _ in range(args.speed_n)]
    layers = int(json.loads((args.model / "sentiment.json").read_text())["layers"])
    print(f"command: python bench/int8_variants.py {' '.join(argv or sys.argv[1:])}")
    print(f"texts: {', '.join(f'{k} {len(v)}' for k, v in splits.items())}; cap {args.cap}")
    print(f"load average {os.getloadavg()}")
    fp32 = TransformerSentimentScorer(args.model, max_length=args.cap)
    reference = fp32.logits(texts).argmax(1)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.variants.split(","):
            keep, reduce_range, unsigned = VARIANTS[name]
            folder = Path(tmp) / name
            folder.mkdir()
            for item in args.model.iterdir():
                if item.name != FILES["int8"] and item.is_file():
                    (folder / item.name).symlink_to(item)
            quantise_int8(
                args.model / FILES["fp32"],
                folder / FILES["int8"],
                keep_fp32=[node for part in keep for node in node_names(part, layers)],
                reduce_range=reduce_range,
                unsigned_weights=unsigned,
            )
            int8 = TransformerSentimentScorer(folder, max_length=args.cap, precision="int8")
            same = int8.logits(texts).argmax(1) == reference
            per_split, start = [], 0
            for split, part in splits.items():
                per_split.append(f"{split} {same[start : start + len(part)].mean():.2%}")
                start += len(part)
            rates = {}
            for label, scorer in (("fp32", fp32), ("int8", int8)):
                scorer.logits(feed_items[:32])  # warm-up
                started = time.perf_counter()
                scorer.logits(feed_items)
                rates[label] = len(feed_items) / (time.perf_counter() - started)
            verdict = "meets" if same.mean() >= 0.98 else "misses"
            ratio = rates["int8"] / rates["fp32"]
            print(
                f"{name:<20} fp32 kept: {'+'.join(keep) or '-':<18} agreement {same.mean():.2%} "
                f"({', '.join(per_split)}; {verdict} 98%); 96-token items/s fp32 "
                f"{rates['fp32']:.1f}, int8 {rates['int8']:.1f} ({ratio:.2f}x)",
                flush=True,
            )
            shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
