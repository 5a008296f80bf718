#!/usr/bin/env python
"""Accuracy against the token cap and the precision: what a shorter input or int8 costs.

    python bench/sentiment_quality.py [--model DIR] [--caps 32,64,128,256]
        [--precisions fp32,int8] [--student DIR] [--limit N] [--json FILE]

`--model` is the 12-layer teacher (default `.cache/sentiment/riskwatch-zh-sentiment-teacher`,
built by `python scripts/build_sentiment_model.py --teacher`), `--student` the served model.

For every (model, precision, cap) it scores the two evaluation splits (FinFE validation,
3 classes; FinNSP hold-out, negative vs not; see `monitors.sentiment.datasets`) through the
serving scorer and prints FinFE macro-F1, FinNSP negative-F1, and the label agreement with
the fp32 teacher at the same cap on all the texts together (2,739 held-out texts). The
last lines apply the adoption rule of issue 16 to int8 and to the student: macro-F1 (and
negative-F1) within 0.02 of the fp32 teacher on every split, and, for int8, agreement of at
least 98%. It also prints the token lengths of the evaluation texts and of feed items (the
test fixtures and the `bench.feeds` corpus), as the pipeline cuts them. Needs no torch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.sentiment_models import add_model_arguments  # noqa: E402
from monitors.sentiment import datasets  # noqa: E402
from monitors.sentiment.transformer_scorer import TransformerSentimentScorer  # noqa: E402

LABELS = ["negative", "neutral", "positive"]
TOLERANCE = 0.02
AGREEMENT = 0.98


def f1(gold: list[str], pred: list[str], label: str) -> float:
    """F1 of one class."""
    tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
    fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
    fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def split_metrics(finfe: list[Any], nsp: list[Any], labels: list[str]) -> dict[str, float]:
    """FinFE macro-F1 and accuracy, FinNSP negative-F1 and accuracy, for predicted labels."""
    fe_gold = [e.label for e in finfe]
    fe_pred = labels[: len(finfe)]
    nsp_gold = ["negative" if e.label == "negative" else "other" for e in nsp]
    nsp_pred = ["negative" if p == "negative" else "other" for p in labels[len(finfe) :]]
    return {
        "finfe_macro_f1": float(np.mean([f1(fe_gold, fe_pred, c) for c in LABELS])),
        "finfe_accuracy": float(np.mean([g == p for g, p in zip(fe_gold, fe_pred, strict=True)])),
        "finnsp_negative_f1": f1(nsp_gold, nsp_pred, "negative"),
        "finnsp_accuracy": float(
            np.mean([g == p for g, p in zip(nsp_gold, nsp_pred, strict=True)])
        ),
    }


def feed_lengths(tokenizer_path: Path) -> None:
    """Token lengths of feed items as the pipeline scores them (title + 200-char lead)."""
    from tokenizers import Tokenizer

    from bench.feeds import build_routes
    from monitors.feeds.parse import parse_document
    from monitors.sentiment.text import title_and_lead

    tok = Tokenizer.from_file(str(tokenizer_path))
    fixtures = sorted((REPO / "tests" / "fixtures" / "feeds").glob("*.xml"))
    now = datetime.now(UTC)
    sources = {"test fixtures": [f.read_bytes() for f in fixtures]}
    sources["bench.feeds corpus"] = [r.body for r in build_routes(50, 20, 7).values()]
    for name, documents in sources.items():
        texts = []
        for body in documents:
            try:
                parsed = parse_document(body, "f", now, "zh")
            except Exception:  # noqa: S112 (a malformed fixture is the point of some)
                continue
            texts += [f"{e.title}\n{e.summary[:200]}" for e in parsed.entries]
        lengths = np.array(
            [len(e.ids) for e in tok.encode_batch([title_and_lead(t, 4096) for t in texts])]
        )
        if len(lengths):
            print(_distribution(f"feed items, {name}", lengths))


def _distribution(name: str, lengths: np.ndarray) -> str:
    p = np.percentile(lengths, [10, 50, 90, 99]).round().astype(int)
    return (
        f"  {name:<34} n={len(lengths):>5}  tokens p10 {p[0]}, median {p[1]}, p90 {p[2]}, "
        f"p99 {p[3]}, max {lengths.max()}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the grid and print the table and the adoption verdicts."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_model_arguments(parser)
    parser.add_argument("--caps", default="32,48,64,96,128,256")
    parser.add_argument("--precisions", default="fp32,int8")
    parser.add_argument("--limit", type=int, default=0, help="first N texts of each split")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    finfe = datasets.finfe("validation")
    nsp = datasets.finnsp_split()[1]
    if args.limit:
        finfe, nsp = finfe[: args.limit], nsp[: args.limit]
    texts = [e.text for e in finfe + nsp]
    caps = sorted(int(c) for c in args.caps.split(","))
    precisions = args.precisions.split(",")
    print(f"command: python bench/sentiment_quality.py {' '.join(argv or sys.argv[1:])}")
    print(
        f"texts: FinFE validation {len(finfe)}, FinNSP hold-out {len(nsp)}; load {os.getloadavg()}"
    )
    models = {"teacher": args.model} | ({"student": args.student} if args.student else {})
    rows: list[dict[str, Any]] = []
    references: dict[int, list[str]] = {}  # the fp32 teacher's labels per cap
    for model_name, folder in models.items():
        for precision in precisions:
            for cap in sorted(caps, reverse=True):
                scorer = TransformerSentimentScorer(
                    folder,
                    batch_size=args.batch_size,
                    max_length=cap,
                    precision=precision,  # type: ignore[arg-type]
                    latin_fallback=False,  # one model at a time
                )
                scorer.load()
                started = time.perf_counter()
                labels = [s.label.value for s in scorer.score(texts)]
                seconds = time.perf_counter() - started
                if (model_name, precision) == ("teacher", "fp32"):
                    references[cap] = labels
                reference = references.get(cap, labels)
                row = {
                    "model": model_name,
                    "precision": precision,
                    "cap": cap,
                    **split_metrics(finfe, nsp, labels),
                    "agreement": float(
                        np.mean([a == b for a, b in zip(labels, reference, strict=True)])
                    ),
                    "items_per_s": len(texts) / seconds,
                }
                rows.append(row)
                print(
                    f"{model_name:<8} {precision:<5} cap {cap:>4}: FinFE macro-F1 "
                    f"{row['finfe_macro_f1']:.3f} (acc {row['finfe_accuracy']:.3f}), FinNSP "
                    f"negative-F1 {row['finnsp_negative_f1']:.3f} "
                    f"(acc {row['finnsp_accuracy']:.3f}), "
                    f"agreement {row['agreement']:.4f}, {row['items_per_s']:.1f} items/s",
                    flush=True,
                )
    _verdicts(rows, caps)
    tok = args.model / "tokenizer.json"
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tok))
    print("token lengths (uncut):")
    for name, part in (("FinFE validation", finfe), ("FinNSP hold-out", nsp)):
        lengths = np.array([len(e.ids) for e in tokenizer.encode_batch([e.text for e in part])])
        print(_distribution(name, lengths))
    feed_lengths(tok)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def _verdicts(rows: list[dict[str, Any]], caps: list[int]) -> None:
    def find(model: str, precision: str, cap: int) -> dict[str, Any] | None:
        return next(
            (r for r in rows if (r["model"], r["precision"], r["cap"]) == (model, precision, cap)),
            None,
        )

    for cap in caps:
        base = find("teacher", "fp32", cap)
        if base is None:
            continue
        for model, precision in (("teacher", "int8"), ("student", "fp32"), ("student", "int8")):
            row = find(model, precision, cap)
            if row is None:
                continue
            drops = {k: base[k] - row[k] for k in ("finfe_macro_f1", "finnsp_negative_f1")}
            within = all(d <= TOLERANCE for d in drops.values())
            agrees = precision == "fp32" or row["agreement"] >= AGREEMENT
            verdict = "may be the default" if within and agrees else "may NOT be the default"
            print(
                f"verdict cap {cap}: {model} {precision} {verdict} (drop FinFE "
                f"{drops['finfe_macro_f1']:+.3f}, FinNSP {drops['finnsp_negative_f1']:+.3f}, "
                f"agreement {row['agreement']:.4f}; rule: drops <= {TOLERANCE}"
                + (f", agreement >= {AGREEMENT})" if precision == "int8" else ")")
            )


if __name__ == "__main__":
    raise SystemExit(main())
