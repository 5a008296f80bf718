#!/usr/bin/env python
"""Evaluate a sentiment model folder on every split, beside TF-IDF trained on the same data.

    python scripts/eval_sentiment.py [--model DIR] [--max-length 96] [--json FILE]

Scores through the serving path (`TransformerSentimentScorer`, ONNX Runtime, the token cap
the service uses) and prints, per split:

- insurer dev and test (the team's texts, 3 classes), FinFE validation (3 classes):
  macro-F1, negative F1 and accuracy;
- FinNSP hold-out (seed 0, 80/20; negative vs not): negative F1 and accuracy;
- whom a story is negative about: per-entity figures of what is served (the entity head,
  and the entity gate where a story names several entities), of the entity head alone,
  and of the text's predicted label copied to every entity it names (and, for reference,
  the gold text label copied), on the FinNSP hold-out (negative vs not) and the insurer
  test split (3 classes);
- calibration: expected calibration error (10 equal-width bins) of the top label, before
  (temperature 1) and after the model's fitted temperature; on FinNSP of P(negative).

The baseline is character 1-3-gram TF-IDF + logistic regression trained on the union the
model was trained on (insurer train, FinFE train, FinNSP train with its `neutral` meaning
"not negative", and the same sample of consumer reviews); its C is the best of a small grid on
each evaluated split itself, which flatters the baseline, never the model. Nothing here is
used to choose anything: the choices were made on insurer dev and FinFE validation
(`scripts/adapt_sentiment.py`). Needs scikit-learn (a dev dependency).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitors.sentiment import datasets  # noqa: E402
from monitors.sentiment.entity_gate import GateInput  # noqa: E402
from monitors.sentiment.paths import MODEL_ENV, resolve_model_dir  # noqa: E402
from monitors.sentiment.score import Score  # noqa: E402
from monitors.sentiment.transformer_scorer import (  # noqa: E402
    DEFAULT_MAX_LENGTH,
    TransformerSentimentScorer,
    calibrated_softmax,
)

TFIDF_C_GRID = (1.0, 3.0, 10.0, 30.0)
REVIEWS = 15000  # the sample `scripts/adapt_sentiment.py cache` trains on
LABELS = ["negative", "neutral", "positive"]
Example = datasets.Example | datasets.EntityExample


def metrics(gold: Sequence[str], pred: Sequence[str], binary: bool) -> dict[str, float]:
    """3 classes: macro-F1, negative F1, accuracy; binary: negative F1 and accuracy of
    negative vs not."""
    from sklearn.metrics import accuracy_score, f1_score

    if binary:
        gold = ["negative" if g == "negative" else "other" for g in gold]
        pred = ["negative" if p == "negative" else "other" for p in pred]
        return {
            "negative_f1": float(f1_score(gold, pred, pos_label="negative", zero_division=0)),
            "accuracy": float(accuracy_score(gold, pred)),
        }
    return {
        "macro_f1": float(f1_score(gold, pred, labels=LABELS, average="macro", zero_division=0)),
        "negative_f1": float(
            f1_score(gold, pred, labels=["negative"], average="macro", zero_division=0)
        ),
        "accuracy": float(accuracy_score(gold, pred)),
    }


def ece(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: the gap between confidence and accuracy per equal-width
    bin, weighted by the bin's share of the items."""
    conf, hit = np.asarray(confidence), np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (conf > low) & (conf <= high)
        if inside.any():
            total += inside.mean() * abs(conf[inside].mean() - hit[inside].mean())
    return float(total)


def calibration(
    logits: np.ndarray, order: list[str], gold: Sequence[str], temperature: float, binary: bool
) -> dict[str, float]:
    """ECE before (T = 1) and after the model's temperature; `order` names the logits'
    columns."""
    out: dict[str, float] = {}
    for name, t in (("ece_before", 1.0), ("ece_after", temperature)):
        probs = calibrated_softmax(logits.astype(np.float32), t)
        if binary:
            p_neg = probs[:, order.index("negative")]
            conf = np.maximum(p_neg, 1 - p_neg)
            hit = [(p >= 0.5) == (g == "negative") for p, g in zip(p_neg, gold, strict=True)]
        else:
            conf = probs.max(1)
            hit = [order[i] == g for i, g in zip(probs.argmax(1), gold, strict=True)]
        out[name] = ece(conf.tolist(), hit)
    return out


def tfidf_training_set() -> list[datasets.Example]:
    """The union the model trained on, as plain labelled texts."""
    rows = [datasets.Example(e.text, e.label) for e in datasets.insurer("train")]
    rows += datasets.finfe("train") + datasets.finnsp_split()[0] + datasets.reviews(REVIEWS // 3)
    return rows


class Baseline:
    """Character TF-IDF + logistic regression for each C of the grid, fitted once."""

    def __init__(self, train: list[datasets.Example]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        x = self.vec.fit_transform([e.text for e in train])
        y = [e.label for e in train]
        self.fits = [(c, LogisticRegression(C=c, max_iter=3000).fit(x, y)) for c in TFIDF_C_GRID]

    def best(self, test: Sequence[Example], binary: bool) -> dict[str, float]:
        """The grid's best figures on `test` (chosen on `test`: flatters the baseline)."""
        key = "negative_f1" if binary else "macro_f1"
        x = self.vec.transform([e.text for e in test])
        found: dict[str, float] = {}
        for c, clf in self.fits:
            m = metrics([e.label for e in test], list(clf.predict(x)), binary)
            if not found or m[key] > found[key]:
                found = {**m, "C": c}
        return found


def entity_figures(
    examples: Sequence[datasets.EntityExample],
    results: list[tuple[Score, list[Score]]],
    ungated: list[GateInput],
    order: list[str],
    binary: bool,
) -> dict[str, dict[str, float]]:
    """Per-entity figures: the served labels (entity head and, with several names, the
    entity gate), the entity head alone, the predicted text label copied to every entity,
    and the gold text label copied."""
    gold, served, copied, oracle = [], [], [], []
    for example, (text_score, entity_scores) in zip(examples, results, strict=True):
        for (_, label), score in zip(example.entities, entity_scores, strict=True):
            gold.append(label)
            served.append(score.label.value)
            copied.append(text_score.label.value)
            oracle.append(example.label)
    head = [order[i] for item in ungated for i in item.entity_probs.argmax(1)]
    return {
        "n_entities": {"n": float(len(gold))},
        "entity_head_gated": metrics(gold, served, binary),
        "entity_head": metrics(gold, head, binary),
        "text_label_copied": metrics(gold, copied, binary),
        "gold_text_label_copied": metrics(gold, oracle, binary),
    }


def _print_table(name: str, n: int, model: dict[str, float], base: dict[str, float]) -> None:
    print(f"\n{name}: n={n}")
    print(f"  {'metric':<12} {'model':>8} {'tfidf':>8}")
    for metric, value in model.items():
        other = base.get(metric)
        shown = f"{other:>8.3f}" if other is not None else f"{'':>8}"
        print(f"  {metric:<12} {value:>8.3f} {shown}")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=resolve_model_dir(os.environ.get(MODEL_ENV)))
    parser.add_argument("--limit", type=int, default=0, help="first N rows of each split")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=DEFAULT_MAX_LENGTH)
    parser.add_argument("--precision", choices=("fp32", "int8"), default="fp32")
    parser.add_argument("--no-baseline", action="store_true", help="skip TF-IDF (faster)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    def cut(rows: list[Any]) -> list[Any]:
        return rows[: args.limit] if args.limit else rows

    nsp_holdout = cut(datasets.finnsp_entity_split()[1])
    splits: dict[str, tuple[list[Any], bool]] = {
        "insurer dev (3 classes)": (cut(datasets.insurer("dev")), False),
        "insurer test (3 classes)": (cut(datasets.insurer("test")), False),
        "FinFE validation (3 classes)": (cut(datasets.finfe("validation")), False),
        "FinNSP hold-out (negative vs not)": (nsp_holdout, True),
    }
    scorer = TransformerSentimentScorer(
        args.model,
        batch_size=args.batch_size,
        max_length=args.max_length,
        precision=args.precision,
        latin_fallback=False,  # this folder's model alone, on every text
    )
    temperature = scorer.folder.temperature
    order = [s.value for s in scorer.folder.labels]
    print(
        f"model: {args.model} ({args.precision}, cap {args.max_length} tokens, T={temperature:.3f})"
    )
    print(f"command: python scripts/eval_sentiment.py {' '.join(argv or sys.argv[1:])}")
    baseline = None if args.no_baseline else Baseline(tfidf_training_set())
    report: dict[str, Any] = {"model": str(args.model), "temperature": temperature}
    for name, (examples, binary) in splits.items():
        t0 = time.monotonic()
        texts = [e.text for e in examples]
        logits = scorer.logits(texts)
        seconds = time.monotonic() - t0
        gold = [e.label for e in examples]
        model = metrics(gold, [order[i] for i in logits.argmax(1)], binary)
        model |= calibration(logits, order, gold, temperature, binary)
        base = baseline.best(examples, binary) if baseline else {}
        report[name] = {
            "n": len(examples),
            "model": model,
            "tfidf": base,
            "items_per_s": len(examples) / seconds,
        }
        _print_table(name, len(examples), model, base)
        if base:
            print(f"  (tfidf C={base['C']:g}, best of {TFIDF_C_GRID} on this split)")
        if isinstance(examples[0], datasets.EntityExample) and name != "insurer dev (3 classes)":
            named = [e for e in examples if e.entities]
            items = [(e.text, [n for n, _ in e.entities]) for e in named]
            results = scorer.score_with_entities(items)
            figures = entity_figures(named, results, scorer.gate_inputs(items), order, binary)
            report[name]["entities"] = figures
            key = "negative_f1" if binary else "macro_f1"
            print(f"  per entity (n={int(figures['n_entities']['n'])}), {key} / negative_f1:")
            for how in [h for h in figures if h != "n_entities"]:
                f = figures[how]
                print(f"    {how:<24} {f[key]:.3f} / {f['negative_f1']:.3f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
