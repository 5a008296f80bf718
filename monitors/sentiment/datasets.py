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
