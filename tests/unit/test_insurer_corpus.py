"""The team's insurer sentiment corpus stays well-formed: what training and evaluation read
from `monitors/sentiment/corpus/` is what `docs/sentiment-labelling.md` describes."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from monitors.sentiment.datasets import CORPUS_DIR, INSURER_SPLITS, insurer

LABELS = {"negative", "neutral", "positive"}
# Real insurers' names: the corpus is about fictional companies only.
REAL_NAMES = ("平安", "人寿保险股份", "中国人保", "太平洋保险", "泰康", "新华保险", "众安")


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(CORPUS_DIR.glob("insurer-*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def test_rows_are_valid() -> None:
    rows = _rows()
    assert len(rows) >= 600
    ids = Counter(r["id"] for r in rows)
    assert [i for i, n in ids.items() if n > 1] == []
    for r in rows:
        assert r["label"] in LABELS, r["id"]
        assert r["text"].strip(), r["id"]
        assert "\n" not in r["text"], r["id"]
        for part in filter(None, r["entities"].split("|")):
            name, _, label = part.rpartition("=")
            assert label in LABELS, r["id"]
            assert name in r["text"], (r["id"], name)
        assert not any(real in r["text"] for real in REAL_NAMES), r["id"]


def test_every_text_is_in_exactly_one_split() -> None:
    with (CORPUS_DIR / "splits.csv").open(encoding="utf-8", newline="") as fh:
        splits = {r["id"]: r["split"] for r in csv.DictReader(fh)}
    assert set(splits) == {r["id"] for r in _rows()}
    assert set(splits.values()) == set(INSURER_SPLITS)


@pytest.mark.parametrize("split", INSURER_SPLITS)
def test_each_split_has_every_label(split: str) -> None:
    labels = Counter(e.label for e in insurer(split))
    assert set(labels) == LABELS
    assert min(labels.values()) >= 20 if split != "train" else min(labels.values()) >= 100


def test_texts_do_not_repeat_across_splits() -> None:
    seen = {split: {e.text for e in insurer(split)} for split in INSURER_SPLITS}
    assert not seen["train"] & seen["test"]
    assert not seen["dev"] & seen["test"]
