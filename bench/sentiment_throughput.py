#!/usr/bin/env python
"""Sentiment throughput: every serving route on the same texts, in one run.

    python bench/sentiment_throughput.py [--model DIR] [--hf-model DIR] [--student DIR]
        [--texts finfe|finnsp|mixed] [--n 256] [--batch-size 32] [--max-length 128]

Routes: torch fp32 batched (only when the `[train]` extra is installed and a Hugging Face
copy of the teacher exists: `scripts/build_sentiment_model.py --teacher --hf-out DIR`), at the
old 256-token cap and at `--max-length`; ONNX Runtime fp32 and int8 at both caps; the
student's fp32 and int8 (`--student`, by default the served model; `--model` is the teacher,
built by `python scripts/build_sentiment_model.py --teacher`). Each prints items/s and its
label agreement with the fp32 teacher at the 256 cap (ONNX fp32, which matches torch to
1e-6). For the shipped default (`--default-precision` at `--max-length`) it prints the
GFLOP per item (matrix products of the padded batches) against the 2-core arithmetic
ceiling of issue 16 (85 GFLOPS per core in fp32). Texts: FinFE validation posts, FinNSP
hold-out news, or a 3:1 mix, shuffled with seed 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.sentiment_models import add_model_arguments  # noqa: E402
from monitors.sentiment import datasets  # noqa: E402
from monitors.sentiment.paths import TEACHER_MODEL_DIR  # noqa: E402
from monitors.sentiment.transformer_scorer import TransformerSentimentScorer  # noqa: E402

CEILING_GFLOPS = 2 * 85.0  # 2 cores x ~85 GFLOPS fp32 (issue 16's measurement)
OLD_CAP = 256


def texts_for(kind: str, n: int) -> list[str]:
    """`n` evaluation texts of a kind, shuffled with seed 0."""
    posts = [e.text for e in datasets.finfe("validation")]
    news = [e.text for e in datasets.finnsp_split()[1]]
    pool = {"finfe": posts, "finnsp": news, "mixed": posts[: 3 * n // 4] + news[: n - 3 * n // 4]}
    texts = pool[kind][:n]
    random.Random(0).shuffle(texts)
    return texts


def gflop_per_item(scorer: TransformerSentimentScorer, texts: list[str]) -> float:
    """Matrix-product GFLOP per text as the scorer batches them (padded lengths)."""
    config = scorer.folder.config
    hidden, layers = int(config["hidden"]), int(config["layers"])
    inner = 4 * hidden
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(scorer.folder.tokenizer))
    tok.enable_truncation(scorer.max_length)
    lengths = sorted(len(e.ids) for e in tok.encode_batch(texts))
    flops = 0.0
    for start in range(0, len(lengths), scorer.batch_size):
        chunk = lengths[start : start + scorer.batch_size]
        tokens = len(chunk) * chunk[-1]  # padded to the batch's longest
        per_token = 2 * (4 * hidden * hidden + 2 * hidden * inner) + 2 * 2 * chunk[-1] * hidden
        flops += tokens * per_token * layers
    return flops / len(texts) / 1e9


def timed(
    score: Callable[[list[str]], list[str]], texts: list[str]
) -> tuple[float, float, list[str]]:
    """Wall-clock items/s and items per CPU-second (all of the process's threads) of one
    pass after a warm-up batch, and the labels. On a shared machine the CPU figure is the
    steadier one: twice it estimates two dedicated cores."""
    score(texts[:8])
    started, cpu = time.perf_counter(), time.process_time()
    labels = score(texts)
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    return len(texts) / wall, len(texts) / used, labels


def onnx_route(
    folder: Path, precision: Any, cap: int, batch: int
) -> Callable[[list[str]], list[str]]:
    # one model at a time: texts in Latin script are not sent to a folder's fallback
    scorer = TransformerSentimentScorer(
        folder, batch_size=batch, max_length=cap, precision=precision, latin_fallback=False
    )
    scorer.load()
    return lambda texts: [s.label.value for s in scorer.score(texts)]


def torch_route(folder: Path, cap: int, batch: int) -> Callable[[list[str]], list[str]]:
    scorer = TransformerSentimentScorer(folder, batch_size=batch, max_length=cap)
    scorer.load()
    assert scorer.folder.runtime == "torch"
    return lambda texts: [s.label.value for s in scorer.score(texts)]


def main(argv: list[str] | None = None) -> int:
    """Run every route and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_model_arguments(parser)
    parser.add_argument(
        "--hf-model", type=Path, default=TEACHER_MODEL_DIR.with_name(TEACHER_MODEL_DIR.name + "-hf")
    )
    parser.add_argument("--texts", choices=("finfe", "finnsp", "mixed"), default="mixed")
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=96, help="the shipped token cap")
    parser.add_argument("--default-precision", choices=("fp32", "int8"), default="fp32")
    parser.add_argument(
        "--per-cpu",
        action="store_true",
        help="compare by CPU time (a shared, loaded machine) instead of wall clock",
    )
    args = parser.parse_args(argv)
    texts = texts_for(args.texts, args.n)
    caps = sorted({OLD_CAP, args.max_length}, reverse=True)
    has_torch = all(importlib.util.find_spec(m) for m in ("torch", "transformers"))
    with_torch = has_torch and (args.hf_model / "config.json").is_file()
    batch = args.batch_size
    routes: list[tuple[str, Callable[[], Callable[[list[str]], list[str]]]]] = [
        (f"ONNX fp32, cap {cap}", partial(onnx_route, args.model, "fp32", cap, batch))
        for cap in caps
    ]
    for cap in caps:
        if with_torch:
            routes.append(
                (f"torch fp32, cap {cap}", partial(torch_route, args.hf_model, cap, batch))
            )
        routes.append(
            (f"ONNX int8, cap {cap}", partial(onnx_route, args.model, "int8", cap, batch))
        )
        for precision in ("fp32", "int8"):
            routes.append(
                (
                    f"student {precision}, cap {cap}",
                    partial(onnx_route, args.student, precision, cap, batch),
                )
            )
    print(f"command: python bench/sentiment_throughput.py {' '.join(argv or sys.argv[1:])}")
    print(f"model: {args.model}; texts: {len(texts)} ({args.texts}); batch size {args.batch_size}")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if not has_torch:
        print("torch: not installed (the [train] extra): no torch route")
    elif not (args.hf_model / "config.json").is_file():
        print(
            f"torch: no Hugging Face copy at {args.hf_model} (build it with --hf-out): "
            "no torch route"
        )
    rates: dict[str, float] = {}
    reference: list[str] | None = None
    print(f"  {'route':<24} {'items/s':>8} {'per CPU-s':>10} {'2-core est.':>11}  agreement")
    for name, make in routes:
        wall, per_cpu, labels = timed(make(), texts)
        reference = reference or labels
        rates[name] = 2 * per_cpu if args.per_cpu else wall
        agree = np.mean([a == b for a, b in zip(labels, reference, strict=True)])
        print(
            f"  {name:<24} {wall:8.1f} {per_cpu:10.1f} {2 * per_cpu:11.1f}  {agree:.4f}",
            flush=True,
        )
    basis = "2-core estimates (2 x items per CPU-second)" if args.per_cpu else "wall clock"
    print(
        f"ratios below from {basis}; agreement: labels equal to the fp32 teacher's at cap {OLD_CAP}"
    )
    shipped = f"student {args.default_precision}, cap {args.max_length}"  # the served model
    for baseline in (f"torch fp32, cap {OLD_CAP}", f"torch fp32, cap {args.max_length}"):
        if baseline in rates:
            print(
                f"shipped default ({shipped}) vs {baseline}: "
                f"{rates[shipped] / rates[baseline]:.2f}x"
            )
    scorer = TransformerSentimentScorer(
        args.student, batch_size=args.batch_size, max_length=args.max_length
    )
    gflop = gflop_per_item(scorer, texts)
    ceiling = CEILING_GFLOPS / gflop
    print(
        f"shipped default: {gflop:.2f} GFLOP per item -> ceiling {ceiling:.1f} items/s on 2 cores "
        f"at {CEILING_GFLOPS:.0f} GFLOPS; measured {rates[shipped]:.1f} items/s "
        f"({rates[shipped] / ceiling:.0%} of the fp32 ceiling)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
