#!/usr/bin/env python
"""Fit the entity gate (`monitors.sentiment.entity_gate`) on the model's own outputs.

    python scripts/fit_entity_gate.py [--model DIR] [--write]

Scores the training stories through the serving path without a gate: FinNSP's train split
with its key entities (negative about a key entity of a negative story, else not) and the
insurer corpus's train split with its entity labels. Each distinct name of a story that
names two or more (the only stories serving gates) becomes one row of `FEATURES`, labelled
negative or not. C is chosen by 5-fold cross-validated log-loss on these rows (folds by
story), and the FinNSP train figures are cross-validated the same way. Then it prints, on
insurer dev (the only split it looks at beyond train), per-entity figures of the entity head
with and without the gate and of the text label copied to every entity. `--write` stores the
gate in `monitors/sentiment/weights/entity_gate.json` with the `delta_sha256` and
`student_sha256` of the model folder's build stamp; the build copies it into
`sentiment.json` only for that model. Needs
scikit-learn (a dev dependency). Neither the FinNSP hold-out nor the insurer test split is
read here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitors.sentiment import datasets  # noqa: E402
from monitors.sentiment.delta import DEFAULT_ENTITY_GATE  # noqa: E402
from monitors.sentiment.entity_gate import (  # noqa: E402
    FEATURES,
    EntityGate,
    GateInput,
    distinct,
    features,
    gated,
)
from monitors.sentiment.paths import MODEL_ENV, resolve_model_dir  # noqa: E402
from monitors.sentiment.score import Sentiment  # noqa: E402
from monitors.sentiment.transformer_scorer import TransformerSentimentScorer  # noqa: E402

sys.path.insert(0, str(REPO / "scripts"))
from eval_sentiment import metrics  # noqa: E402

C_GRID = (0.1, 1.0, 10.0)
FOLDS = 5
NEGATIVE = Sentiment.NEGATIVE.value


def readings(
    scorer: TransformerSentimentScorer, examples: list[datasets.EntityExample]
) -> tuple[list[GateInput], list[list[str]]]:
    """The gate's inputs for the stories that name entities, and their gold labels."""
    named = [e for e in examples if e.entities]
    inputs = scorer.gate_inputs([(e.text, [n for n, _ in e.entities]) for e in named])
    return inputs, [[label for _, label in e.entities] for e in named]


@dataclass(frozen=True)
class Story:
    """One story as the gate sees it: the input, its distinct names (`distinct`), and the
    slice of its feature rows (None: fewer than two distinct names, never gated)."""

    item: GateInput
    reduced: GateInput
    where: list[int]
    rows: slice | None


def gate_rows(
    inputs: list[GateInput], gold: list[list[str]], negative: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Story]]:
    """Features, labels (negative or not) and story ids of the distinct names of every story
    with several, as serving gates them; and every story."""
    blocks: list[np.ndarray] = []
    labels: list[bool] = []
    ids: list[int] = []
    stories: list[Story] = []
    for n, (item, names_gold) in enumerate(zip(inputs, gold, strict=True)):
        reduced, where = distinct(item)
        if len(reduced.names) < 2:
            stories.append(Story(item, reduced, where, None))
            continue
        at = len(labels)
        blocks.append(features(reduced, negative))
        labels += [names_gold[where.index(r)] == NEGATIVE for r in range(len(reduced.names))]
        ids += [n] * len(reduced.names)
        stories.append(Story(item, reduced, where, slice(at, len(labels))))
    x = np.vstack(blocks) if blocks else np.zeros((0, len(FEATURES)))
    return x, np.asarray(labels), np.asarray(ids), stories


def fit(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray
) -> tuple[EntityGate, float, dict[float, float]]:
    """The gate with the C of the best cross-validated log-loss (folds keep each story's
    entities together)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_score

    losses = {
        c: -float(
            cross_val_score(
                LogisticRegression(C=c, max_iter=5000),
                x,
                y,
                groups=groups,
                cv=GroupKFold(FOLDS),
                scoring="neg_log_loss",
            ).mean()
        )
        for c in C_GRID
    }
    best = min(losses, key=lambda c: losses[c])
    model = LogisticRegression(C=best, max_iter=5000).fit(x, y)
    gate = EntityGate(tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]))
    return gate, best, losses


def cross_validated_negative(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float
) -> np.ndarray:
    """P(negative) of each row from a gate fitted on the other folds' stories."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    found: np.ndarray = cross_val_predict(
        LogisticRegression(C=c, max_iter=5000),
        x,
        y,
        groups=groups,
        cv=GroupKFold(FOLDS),
        method="predict_proba",
    )[:, 1]
    return found


def per_entity_labels(
    stories: list[Story], p: np.ndarray, order: list[str], negative: int
) -> dict[str, list[str]]:
    """Each entity's label three ways: the entity head, the head with the gate (`p`: the
    gate's P(negative) of each feature row, applied as `EntityGate.apply` does), and the
    text's label copied."""
    ways: dict[str, list[str]] = {"entity_head": [], "entity_head_gated": [], "text_copied": []}
    for story in stories:
        item = story.item
        probs = item.entity_probs
        if story.rows is not None:
            probs = gated(item, story.reduced, story.where, p[story.rows], negative)
        ways["entity_head"] += [order[i] for i in item.entity_probs.argmax(1)]
        ways["entity_head_gated"] += [order[i] for i in probs.argmax(1)]
        ways["text_copied"] += [order[int(item.text_probs.argmax())]] * len(item.names)
    return ways


def built_from(model: Path) -> dict[str, str | None] | None:
    """The deltas the model folder was built from (`delta_sha256`, and `student_sha256` for
    a student), as its build stamp says; None without a stamp."""
    stamp = model / "build-stamp.json"
    if not stamp.is_file():
        return None
    found = json.loads(stamp.read_text(encoding="utf-8"))
    if not found.get("delta_sha256"):
        return None
    return {k: found.get(k) for k in ("delta_sha256", "student_sha256")}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    from sklearn.metrics import roc_auc_score

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=resolve_model_dir(os.environ.get(MODEL_ENV)))
    parser.add_argument("--write", action="store_true", help=f"write {DEFAULT_ENTITY_GATE}")
    args = parser.parse_args(argv)

    scorer = TransformerSentimentScorer(args.model, entity_gate=False, latin_fallback=False)
    order = [s.value for s in scorer.folder.labels]
    negative = order.index(Sentiment.NEGATIVE.value)
    nsp_inputs, nsp_gold = readings(scorer, datasets.finnsp_entity_split()[0])
    insurer_inputs, insurer_gold = readings(scorer, datasets.insurer("train"))
    x, y, ids, stories = gate_rows(nsp_inputs + insurer_inputs, nsp_gold + insurer_gold, negative)
    gate, c, losses = fit(x, y, ids)
    auc = float(roc_auc_score(y, gate.p_negative(x)))
    gated_stories = sum(s.rows is not None for s in stories)
    print(f"command: python scripts/fit_entity_gate.py {' '.join(argv or sys.argv[1:])}")
    print(
        f"train: {gated_stories} stories with two or more names, {len(y)} names "
        f"({int(y.sum())} negative)"
    )
    print("5-fold log-loss by C: " + ", ".join(f"{k:g}: {v:.4f}" for k, v in losses.items()))
    print(f"chosen C={c:g}; train AUC {auc:.3f}")
    held = cross_validated_negative(x, y, ids, c)
    nsp_gold_flat = [g for labels in nsp_gold for g in labels]
    print(
        f"FinNSP train, {len(nsp_gold_flat)} entities, negative F1 (gate cross-validated by story):"
    )
    nsp_stories = stories[: len(nsp_inputs)]
    for way, pred in per_entity_labels(nsp_stories, held, order, negative).items():
        print(f"  {way:<18} {metrics(nsp_gold_flat, pred, binary=True)['negative_f1']:.3f}")
    dev_inputs, dev_gold = readings(scorer, datasets.insurer("dev"))
    dev_x, _, _, dev_stories = gate_rows(dev_inputs, dev_gold, negative)
    dev_gold_flat = [g for labels in dev_gold for g in labels]
    print(f"insurer dev, {len(dev_gold_flat)} entities: macro-F1 / negative F1")
    dev_p = gate.p_negative(dev_x)
    for way, pred in per_entity_labels(dev_stories, dev_p, order, negative).items():
        f = metrics(dev_gold_flat, pred, binary=False)
        print(f"  {way:<18} {f['macro_f1']:.3f} / {f['negative_f1']:.3f}")
    if args.write:
        deltas = built_from(args.model)
        if deltas is None:
            parser.error(f"{args.model} has no build stamp: the gate file is for a built model")
        config = gate.to_config() | {
            **deltas,
            "fitted": {"C": c, "names": len(y), "train_auc": round(auc, 4)},
        }
        DEFAULT_ENTITY_GATE.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {DEFAULT_ENTITY_GATE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
