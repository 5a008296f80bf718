#!/usr/bin/env python
"""Sentiment throughput: the batched scorer against `transformers.pipeline` called one item
at a time, on the same model, the same texts, in the same run.

    python bench/sentiment_throughput.py [--model DIR] [--texts finfe|finnsp|mixed] [--n 256]
        [--batch-size 32] [--device cpu|cuda] [--dtype float32|float16|bfloat16]

Texts come from the labelled data (FinFE validation posts, FinNSP hold-out news, or a
3:1 mix, shuffled with seed 0); both sides truncate to the same token limit.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitors.sentiment import datasets  # noqa: E402
from monitors.sentiment.paths import MODEL_ENV, resolve_model_dir  # noqa: E402
from monitors.sentiment.transformer_scorer import TransformerSentimentScorer  # noqa: E402


def _texts(kind: str, n: int) -> list[str]:
    posts = [e.text for e in datasets.finfe("validation")]
    news = [e.text for e in datasets.finnsp_split()[1]]
    pool = {"finfe": posts, "finnsp": news, "mixed": posts[: 3 * n // 4] + news[: n - 3 * n // 4]}
    texts = pool[kind][:n]
    random.Random(0).shuffle(texts)
    return texts


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print items/s for both paths and their ratio."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=resolve_model_dir(os.environ.get(MODEL_ENV)))
    parser.add_argument("--texts", choices=("finfe", "finnsp", "mixed"), default="mixed")
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=("float32", "float16", "bfloat16"))
    args = parser.parse_args(argv)

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    texts = _texts(args.texts, args.n)
    dtype = getattr(torch, args.dtype)
    scorer = TransformerSentimentScorer(
        args.model,
        batch_size=args.batch_size,
        max_length=args.max_length,
        device=args.device,
        dtype=args.dtype,
    )
    scorer.load()
    scorer.score(texts[: args.batch_size])  # warm-up
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
    t0 = time.perf_counter()
    batched = scorer.score(texts)
    sync()
    batched_rate = len(texts) / (time.perf_counter() - t0)

    tokenizer = AutoTokenizer.from_pretrained(str(args.model), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(args.model), local_files_only=True, dtype=dtype
    )
    clf = pipeline("text-classification", model=model, tokenizer=tokenizer, device=args.device)
    kwargs = {"truncation": True, "max_length": args.max_length, "top_k": None}
    clf(texts[0], **kwargs)  # warm-up
    t0 = time.perf_counter()
    single = [clf(t, **kwargs) for t in texts]
    sync()
    single_rate = len(texts) / (time.perf_counter() - t0)

    agree = sum(
        b.label.value == max(s, key=lambda r: r["score"])["label"]
        for b, s in zip(batched, single, strict=True)
    )
    print(f"command: python bench/sentiment_throughput.py {' '.join(sys.argv[1:])}")
    print(f"model: {args.model}")
    device = (
        torch.cuda.get_device_name() if args.device.startswith("cuda") else platform.processor()
    )
    print(
        f"device: {args.device} ({device}), torch threads {torch.get_num_threads()}, "
        f"dtype {args.dtype}, torch {torch.__version__}"
    )
    print(
        f"texts: {len(texts)} ({args.texts}), max_length {args.max_length}, "
        f"batch size {args.batch_size}"
    )
    print(f"batched scorer:           {batched_rate:8.1f} items/s")
    print(f"pipeline, one at a time:  {single_rate:8.1f} items/s")
    print(f"ratio:                    {batched_rate / single_rate:8.2f}x")
    print(f"top labels agree on {agree}/{len(texts)} texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
