"""Reading a classifier's `id2label` as the three sentiment classes, so that any local
Hugging Face folder (not only the default model) can serve."""

from __future__ import annotations

from collections.abc import Mapping

from monitors.sentiment.score import Sentiment, UnknownLabels

_ALIASES: dict[Sentiment, tuple[str, ...]] = {
    Sentiment.NEGATIVE: ("neg", "负", "消极", "bad"),
    Sentiment.NEUTRAL: ("neu", "中", "none", "other"),
    Sentiment.POSITIVE: ("pos", "正", "积极", "good"),
}


def label_order(id2label: Mapping[int, str]) -> list[Sentiment]:
    """Map each output index to a `Sentiment` by name; a 2-class model has no neutral."""
    order: list[Sentiment] = []
    for index in sorted(id2label):
        name = str(id2label[index]).strip().lower()
        found = [s for s, keys in _ALIASES.items() if any(k in name for k in keys)]
        if len(found) != 1:
            raise UnknownLabels(
                f"cannot read label {index}={id2label[index]!r} as "
                "negative/neutral/positive; rename it in config.json id2label"
            )
        order.append(found[0])
    if len(set(order)) != len(order):
        raise UnknownLabels(f"labels {dict(id2label)} map twice to one sentiment")
    return order
