"""Whom a story is negative about when it names several companies: the salience gate.

The entity head reads the tokens of each name, but on its own it mostly follows the text: a
story that is negative about one company reads negative for every company it names. In
FinNSP's labels (BDCI 2019) a negative story is negative only about its *key* entities, and
what tells them apart is largely how the story names them: the company a complaint is about
is named early and often; a platform it was posted on, a police district or a company named
for comparison is named once, later, or as an @-mention.

So for a story that names two or more distinct names of those asked about, the gate decides
P(negative about this name) by logistic regression over the entity head's and the text's
P(negative) and how the name figures in the story (`FEATURES`): whether the model read it
(it has tokens in what the model read); over the title and lead as prepared for the model
(about four characters per token of the cap, more than the model reads: a name repeated
further into the lead is still what the story is about), how often and how early it occurs
and whether it is the most named; its length (`name_length`); whether it is @-mentioned. A
name the model did not read gets the gate's reading too (`occurs` 0 lowers P(negative)), not
the text's. The rest of the probability goes to the other labels in the entity head's
proportions. A story with one name keeps the entity head's reading. The coefficients are
fitted by `scripts/fit_entity_gate.py` on the model's own outputs for stories with several
names (FinNSP train key entities and the insurer corpus's train entity labels) and stored in
the model folder's `sentiment.json` under `entity_gate`; a model without them is served
without a gate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

CONFIG_KEY = "entity_gate"
FEATURES = (
    "log_p_negative_entity",
    "log_p_negative_text",
    "occurs",
    "log1p_count",
    "first_position",
    "most_named",
    "log_name_length",
    "at_mention",
)
_FLOOR = 1e-6
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class GateInput:
    """One story as the scorer read it: the title and lead as prepared, the names asked
    about, the calibrated text probabilities `[labels]`, the entity head's `[names, labels]`,
    and whether each name has tokens in what the model read."""

    text: str
    names: tuple[str, ...]
    text_probs: npt.NDArray[np.float64]
    entity_probs: npt.NDArray[np.float64]
    occurs: tuple[bool, ...]


def distinct(item: GateInput) -> tuple[GateInput, list[int]]:
    """The story with each name once (stripped; empty names dropped), and for every name of
    `item` the row of the reduced story it reads (-1 for an empty name). Two links can carry
    the same name: they must read alike, and count as one name."""
    rows: dict[str, int] = {}
    where: list[int] = []
    for name in item.names:
        key = name.strip()
        if key and key not in rows:
            rows[key] = len(rows)
        where.append(rows[key] if key else -1)
    first = [where.index(i) for i in range(len(rows))]
    reduced = GateInput(
        item.text,
        tuple(rows),
        item.text_probs,
        item.entity_probs[first] if first else item.entity_probs[:0],
        tuple(item.occurs[i] for i in first),
    )
    return reduced, where


def name_length(name: str) -> int:
    """Characters, a run of Latin letters or digits counting as one and spaces as none: the
    training names are Chinese, and an English name must not read as long for its letters."""
    return len(_SPACE.sub("", _LATIN_WORD.sub("a", name)))


def features(item: GateInput, negative: int) -> npt.NDArray[np.float64]:
    """`[names, len(FEATURES)]` for a story whose names are distinct and stripped (see
    `distinct`); `negative` is the negative label's column."""
    text, names = item.text, item.names
    counts = [text.count(n) for n in names]
    most = max(counts, default=0)
    p_text = max(float(item.text_probs[negative]), _FLOOR)
    rows = []
    for i, name in enumerate(names):
        first = text.find(name)
        rows.append(
            [
                math.log(max(float(item.entity_probs[i, negative]), _FLOOR)),
                math.log(p_text),
                float(item.occurs[i]),
                math.log1p(counts[i]),
                first / max(1, len(text)) if first >= 0 else 1.0,
                float(counts[i] > 0 and counts[i] == most),
                math.log(max(1, name_length(name))),
                float(f"@{name}" in text),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(names), len(FEATURES))


@dataclass(frozen=True)
class EntityGate:
    """Logistic regression over `FEATURES`: P(the story is negative about this name)."""

    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def from_config(cls, found: Mapping[str, Any] | None) -> EntityGate | None:
        """The gate stored in `sentiment.json` (None when there is none); a gate fitted on
        other features is refused with a message that says how to refit it."""
        if not found:
            return None
        names = tuple(found.get("features", ()))
        if names != FEATURES:
            raise ValueError(
                f"sentiment.json `{CONFIG_KEY}` was fitted on features {list(names)}, this "
                f"code computes {list(FEATURES)}; refit it with scripts/fit_entity_gate.py"
            )
        return cls(tuple(float(c) for c in found["coef"]), float(found["intercept"]))

    def to_config(self) -> dict[str, Any]:
        """What `from_config` reads back."""
        return {"features": list(FEATURES), "coef": list(self.coef), "intercept": self.intercept}

    def p_negative(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """P(negative about the name) for each row of features."""
        z = x @ np.asarray(self.coef, dtype=np.float64) + self.intercept
        result: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
        return result

    def apply(self, item: GateInput, negative: int) -> npt.NDArray[np.float64]:
        """The entity probabilities of one story after the gate (unchanged unless it names
        two or more distinct names)."""
        reduced, where = distinct(item)
        if len(reduced.names) < 2:
            return item.entity_probs
        return gated(item, reduced, where, self.p_negative(features(reduced, negative)), negative)


def gated(
    item: GateInput,
    reduced: GateInput,
    where: list[int],
    p: npt.NDArray[np.float64],
    negative: int,
) -> npt.NDArray[np.float64]:
    """The entity probabilities of `item` with P(negative) of each distinct name (`reduced`,
    `where` from `distinct`) set to `p`; an empty name keeps its own row."""
    rows = with_negative(reduced.entity_probs, p, negative)
    out = item.entity_probs.astype(np.float64).copy()
    for i, row in enumerate(where):
        if row >= 0:
            out[i] = rows[row]
    return out


def with_negative(
    probs: npt.NDArray[np.float64], p: npt.NDArray[np.float64], negative: int
) -> npt.NDArray[np.float64]:
    """`probs` `[names, labels]` with P(negative) set to `p` and the rest shared among the
    other labels in their proportions (evenly where they have none)."""
    rest = probs.astype(np.float64).copy()
    rest[:, negative] = 0.0
    totals = rest.sum(axis=1, keepdims=True)
    rest = np.where(totals > 0, rest / np.where(totals > 0, totals, 1.0), 1.0 / (rest.shape[1] - 1))
    rest[:, negative] = 0.0
    gated: npt.NDArray[np.float64] = rest * (1.0 - p)[:, None]
    gated[:, negative] = p
    return gated


def gate_inputs(
    texts: Sequence[str],
    names: Sequence[Sequence[str]],
    text_probs: npt.NDArray[np.float64],
    entity_probs: Sequence[npt.NDArray[np.float64]],
    occurs: Sequence[Sequence[bool]],
) -> list[GateInput]:
    """Zip the scorer's per-story readings into `GateInput`s."""
    return [
        GateInput(text, tuple(n), tp, ep, tuple(o))
        for text, n, tp, ep, o in zip(texts, names, text_probs, entity_probs, occurs, strict=True)
    ]
