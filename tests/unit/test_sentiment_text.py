"""Title-plus-lead preparation of long texts, and reading arbitrary label names."""

from __future__ import annotations

import pytest

from monitors.sentiment import Sentiment, UnknownLabels
from monitors.sentiment.labels import label_order
from monitors.sentiment.text import title_and_lead


def test_title_joined_to_lead_and_tail_cut() -> None:
    text = "某保险公司被罚款\n\n  记者获悉，  该公司   因虚假理赔被处罚。\n" + "后文。" * 500
    out = title_and_lead(text, max_chars=40)
    assert out.startswith("某保险公司被罚款。记者获悉， 该公司 因虚假理赔被处罚。")
    assert len(out) == 40


def test_title_with_punctuation_and_single_line() -> None:
    assert title_and_lead("重磅！\n业绩大增", 100) == "重磅！业绩大增"
    assert title_and_lead("Ping An 理赔 fast", 100) == "Ping An 理赔 fast"
    assert title_and_lead(" \n\t\n", 100) == ""


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({0: "negative", 1: "neutral", 2: "positive"}, ["negative", "neutral", "positive"]),
        ({0: "POSITIVE", 1: "NEGATIVE"}, ["positive", "negative"]),
        ({0: "负面", 1: "中性", 2: "正面"}, ["negative", "neutral", "positive"]),
    ],
)
def test_label_order_reads_common_names(id2label: dict[int, str], expected: list[str]) -> None:
    assert label_order(id2label) == [Sentiment(e) for e in expected]


def test_label_order_rejects_unreadable_names() -> None:
    with pytest.raises(UnknownLabels):
        label_order({0: "LABEL_0", 1: "LABEL_1"})
    with pytest.raises(UnknownLabels):
        label_order({0: "negative", 1: "neg"})
