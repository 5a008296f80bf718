"""The labelled Chinese sentiment data (FinFE, FinNSP) and its fixed evaluation splits.

The data is read in place from `shared/data/sentiment/` beside the repository (CI clones the
repo with `shared/` as a sibling); `RISKWATCH_SENTIMENT_DATA` overrides the folder. It is
research data without a stated licence and is never copied into the repository.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_ENV = "RISKWATCH_SENTIMENT_DATA"
REPO_ROOT = Path(__file__).resolve().parents[2]
FINNSP_SEED = 0
FINNSP_TRAIN_FRACTION = 0.8


@dataclass(frozen=True)
class Example:
    """One labelled text; `label` is negative, neutral or positive (FinNSP: negative or
    neutral, where neutral means "not negative")."""

    text: str
    label: str


def data_dir() -> Path:
    """The sentiment data folder: `$RISKWATCH_SENTIMENT_DATA`, else `<repo>/../shared/...`."""
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else REPO_ROOT.parent / "shared" / "data" / "sentiment"


def read_csv(path: Path) -> list[Example]:
    """Read a `text,label` CSV."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [Example(row["text"], row["label"]) for row in csv.DictReader(fh)]


def finfe(split: str) -> list[Example]:
    """FinFE stock-forum posts, 3 classes; `split` is `train` or `validation`."""
    return read_csv(data_dir() / "fincuge_finfe" / f"{split}.csv")


def finnsp_split() -> tuple[list[Example], list[Example]]:
    """FinNSP news about named financial firms, shuffled with seed 0 (numpy
    `default_rng(0).permutation`), split 80% train / 20% hold-out."""
    rows = read_csv(data_dir() / "fincuge_finnsp" / "train.csv")
    order = np.random.default_rng(FINNSP_SEED).permutation(len(rows))
    cut = int(len(rows) * FINNSP_TRAIN_FRACTION)
    return [rows[i] for i in order[:cut]], [rows[i] for i in order[cut:]]


# --------------------------------------------------------------------- reviews (binary)
REVIEW_FILES = ("hotel_chnsenticorp", "waimai_10k", "online_shopping_10_cats")


def reviews(per_file: int, seed: int = 0) -> list[Example]:
    """Consumer reviews (negative/positive only), up to `per_file` from each file, half of
    them of each label where the file allows, sampled with `seed`: the language of service
    failure and praise that the finance sets lack."""
    rng = np.random.default_rng(seed)
    picked: list[Example] = []
    for name in REVIEW_FILES:
        rows = read_csv(data_dir() / "reviews" / f"{name}.csv")
        for label in ("negative", "positive"):
            pool = [r for r in rows if r.label == label]
            take = min(per_file // 2, len(pool))
            picked += [pool[i] for i in sorted(rng.choice(len(pool), take, replace=False))]
    return picked


# ------------------------------------------------------------- entities (per-target labels)
@dataclass(frozen=True)
class EntityExample:
    """A text with the entities it names, each with its own label (negative, neutral or
    positive; FinNSP: negative or neutral = not negative about that entity)."""

    text: str
    label: str
    entities: tuple[tuple[str, str], ...]


def _finnsp_entities(row: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Per-entity labels of a FinNSP row. BDCI 2019 leaves out of `key_entities` a name that
    is part of a longer listed name (众车 beside 众车在线), so such names are dropped here:
    their label says nothing about them."""
    names = [e for e in dict.fromkeys(row["entities"].split(";")) if e]
    names = [n for n in names if not any(n != m and n in m for m in names)]
    keys = {e for e in row["key_entities"].split(";") if e}
    negative = row["label"] == "negative"
    return tuple((n, "negative" if negative and n in keys else "neutral") for n in names)


def finnsp_entity_split() -> tuple[list[EntityExample], list[EntityExample]]:
    """FinNSP with per-entity labels, in the same 80/20 split as `finnsp_split`."""
    path = data_dir() / "fincuge_finnsp" / "train_with_entities.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [
            EntityExample(r["text"], r["label"], _finnsp_entities(r)) for r in csv.DictReader(fh)
        ]
    order = np.random.default_rng(FINNSP_SEED).permutation(len(rows))
    cut = int(len(rows) * FINNSP_TRAIN_FRACTION)
    return [rows[i] for i in order[:cut]], [rows[i] for i in order[cut:]]


# ------------------------------------------------------------------ the insurer corpus
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
INSURER_SPLITS = ("train", "dev", "test")


def _parse_entities(field: str) -> tuple[tuple[str, str], ...]:
    pairs = [part.rsplit("=", 1) for part in field.split("|") if part.strip()]
    return tuple((name.strip(), label.strip()) for name, label in pairs)


def insurer(split: str) -> list[EntityExample]:
    """The team's insurer-domain texts (`corpus/insurer-*.csv`, labelled by
    `docs/sentiment-labelling.md`) in one split of `corpus/splits.csv`: train, dev or test.
    Nothing is ever chosen on test."""
    if split not in INSURER_SPLITS:
        raise ValueError(f"unknown split {split!r}; one of {INSURER_SPLITS}")
    with (CORPUS_DIR / "splits.csv").open(encoding="utf-8", newline="") as fh:
        wanted = {r["id"] for r in csv.DictReader(fh) if r["split"] == split}
    found: list[EntityExample] = []
    for path in sorted(CORPUS_DIR.glob("insurer-*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            found += [
                EntityExample(r["text"], r["label"], _parse_entities(r["entities"]))
                for r in csv.DictReader(fh)
                if r["id"] in wanted
            ]
    return found
