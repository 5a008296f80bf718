#!/usr/bin/env python
"""Evaluate a sentiment model folder against the character TF-IDF baseline, same splits.

    python scripts/eval_sentiment.py [--model DIR] [--limit N] [--json FILE]

Prints, side by side: FinFE validation 3-class macro-F1 and accuracy; FinNSP hold-out
(seed 0, 80/20, see `monitors.sentiment.datasets.finnsp_split`) negative-vs-not F1 and
accuracy, where a text counts as negative when the model's top label is negative. The
baseline is character 1-3-gram TF-IDF + logistic regression trained on the same training
split; its C is the best of a small grid on the evaluated split itself, which flatters the
baseline, never the model. Needs scikit-learn (a dev dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitors.sentiment import datasets  # noqa: E402
from monitors.sentiment.paths import MODEL_ENV, resolve_model_dir  # noqa: E402
from monitors.sentiment.score import Score, Sentiment  # noqa: E402
from monitors.sentiment.transformer_scorer import TransformerSentimentScorer  # noqa: E402

TFIDF_C_GRID = (1.0, 3.0, 10.0, 30.0)
COMBINATION_WEIGHTS = (0.2, 0.3, 0.4, 0.5)


def _metrics(gold: list[str], pred: list[str], binary: bool) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    if binary:
        gb = ["negative" if g == "negative" else "other" for g in gold]
        pb = ["negative" if p == "negative" else "other" for p in pred]
        return {
            "negative_f1": float(f1_score(gb, pb, pos_label="negative")),
            "accuracy": float(accuracy_score(gb, pb)),
        }
    return {
        "macro_f1": float(f1_score(gold, pred, average="macro")),
        "accuracy": float(accuracy_score(gold, pred)),
    }


def _tfidf_fits(train: list[datasets.Example], test: list[datasets.Example]) -> Iterator[Any]:
    """(C, fitted classifier, test features) for each C of the grid."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    x_train = vec.fit_transform([e.text for e in train])
    x_test = vec.transform([e.text for e in test])
    for c in TFIDF_C_GRID:
        clf = LogisticRegression(C=c, max_iter=3000).fit(x_train, [e.label for e in train])
        yield c, clf, x_test


def tfidf_baseline(
    train: list[datasets.Example], test: list[datasets.Example], binary: bool
) -> dict[str, float]:
    """Best-C character TF-IDF + logistic regression scored on `test`."""
    key = "negative_f1" if binary else "macro_f1"
    best: dict[str, float] = {}
    for c, clf, x_test in _tfidf_fits(train, test):
        m = _metrics([e.label for e in test], list(clf.predict(x_test)), binary)
        if not best or m[key] > best[key]:
            best = {**m, "C": c}
    return best


def print_combinations(
    train: list[datasets.Example], test: list[datasets.Example], scores: list[Score]
) -> None:
    """Macro-F1 of the model's and the baseline's probabilities averaged with a few weights
    (the weight chosen on the evaluated split would flatter the combination)."""
    labels = [s.value for s in Sentiment]
    model = [[score.probabilities[s] for s in Sentiment] for score in scores]
    gold = [e.label for e in test]
    for c, clf, x_test in _tfidf_fits(train, test):
        columns = [list(clf.classes_).index(label) for label in labels]
        baseline = [[row[i] for i in columns] for row in clf.predict_proba(x_test)]
        for weight in COMBINATION_WEIGHTS:
            pred = [
                labels[max(range(3), key=lambda k: (1 - weight) * m[k] + weight * b[k])]
                for m, b in zip(model, baseline, strict=True)
            ]
            f1 = _metrics(gold, pred, binary=False)["macro_f1"]
            print(f"  combined: tfidf C={c:g}, tfidf weight {weight:.1f}: macro-F1 {f1:.3f}")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=resolve_model_dir(os.environ.get(MODEL_ENV)))
    parser.add_argument("--limit", type=int, default=0, help="first N rows of each split")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="cpu", help="torch device (Hugging Face folders)")
    parser.add_argument("--max-length", type=int, default=256, help="token cap per text")
    parser.add_argument("--precision", choices=("fp32", "int8"), default="fp32")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--combine",
        action="store_true",
        help="also print FinFE macro-F1 of model and baseline probabilities averaged",
    )
    args = parser.parse_args(argv)
    cut = (lambda rows: rows[: args.limit]) if args.limit else (lambda rows: rows)
    nsp_train, nsp_test = datasets.finnsp_split()
    tasks = {
        "FinFE validation (3 classes)": (
            datasets.finfe("train"),
            cut(datasets.finfe("validation")),
            False,
        ),
        "FinNSP hold-out (negative vs not)": (nsp_train, cut(nsp_test), True),
    }
    scorer = TransformerSentimentScorer(
        args.model,
        batch_size=args.batch_size,
        device=args.device,
        max_length=args.max_length,
        precision=args.precision,
    )
    report: dict[str, dict[str, object]] = {}
    print(f"model: {args.model}")
    print(f"command: python scripts/eval_sentiment.py {' '.join(argv or sys.argv[1:])}")
    for name, (train, test, binary) in tasks.items():
        t0 = time.monotonic()
        scores = scorer.score([e.text for e in test])
        pred = [s.label.value for s in scores]
        model = _metrics([e.label for e in test], pred, binary)
        seconds = time.monotonic() - t0
        base = tfidf_baseline(train, test, binary)
        report[name] = {
            "n": len(test),
            "model": model,
            "tfidf": base,
            "model_items_per_s": len(test) / seconds,
        }
        print(f"\n{name}: n={len(test)}  (model scored at {len(test) / seconds:.1f} items/s)")
        print(f"  {'metric':<12} {'model':>8} {'tfidf':>8}")
        for metric in model:
            print(f"  {metric:<12} {model[metric]:>8.3f} {base[metric]:>8.3f}")
        print(f"  (tfidf C={base['C']:g}, best of {TFIDF_C_GRID} on this split)")
        if args.combine and not binary:
            print_combinations(train, test, scores)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
