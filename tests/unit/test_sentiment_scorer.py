"""TransformerSentimentScorer on a tiny model: order, batching, labels, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitors.sentiment import (
    Sentiment,
    SentimentModelMissing,
    TransformerSentimentScorer,
)
from tests.unit.sentiment_tiny_model import write_tiny_model

TEXTS = [
    "保险公司拒赔",
    "好",
    "理赔快服务好 good",
    "骗子公司罚款\n投诉拒赔慢慢慢",
    "",
    "bad!",
    "业绩增长" * 30,
    "保险",
]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("tiny"))


def test_batched_scores_match_one_by_one_in_input_order(tiny_dir: Path) -> None:
    batched = TransformerSentimentScorer(tiny_dir, batch_size=3, max_length=32).score(TEXTS)
    single = TransformerSentimentScorer(tiny_dir, batch_size=1, max_length=32)
    one_by_one = [single.score([t])[0] for t in TEXTS]
    assert len(batched) == len(TEXTS)
    for got, want in zip(batched, one_by_one, strict=True):
        assert got.label == want.label
        for s in Sentiment:
            assert got.probabilities[s] == pytest.approx(want.probabilities[s], abs=1e-5)
    # the tiny model must tell these texts apart, or the order check above proves nothing
    assert len({round(s.probabilities[Sentiment.NEGATIVE], 4) for s in batched}) > 3


def test_scores_are_distributions_with_argmax_label(tiny_dir: Path) -> None:
    for score in TransformerSentimentScorer(tiny_dir).score(TEXTS):
        assert set(score.probabilities) == set(Sentiment)
        assert sum(score.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert score.confidence == max(score.probabilities.values())
        assert score.as_json()["label"] == score.label.value


def test_two_class_model_reports_zero_neutral(tmp_path: Path) -> None:
    folder = write_tiny_model(tmp_path, labels=("NEGATIVE", "POSITIVE"))
    for score in TransformerSentimentScorer(folder).score(["保险", "好"]):
        assert score.probabilities[Sentiment.NEUTRAL] == 0.0
        assert score.label in (Sentiment.NEGATIVE, Sentiment.POSITIVE)


def test_missing_folder_says_how_to_build(tmp_path: Path) -> None:
    scorer = TransformerSentimentScorer(tmp_path / "absent")
    with pytest.raises(SentimentModelMissing, match=r"scripts/build_sentiment_model\.py"):
        scorer.score(["保险"])


def test_empty_input_and_single_string(tiny_dir: Path) -> None:
    scorer = TransformerSentimentScorer(tiny_dir)
    assert scorer.score([]) == []
    with pytest.raises(TypeError):
        scorer.score("保险公司")
