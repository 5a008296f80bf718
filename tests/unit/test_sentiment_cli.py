"""`riskwatch sentiment` on a tiny model: --jsonl prints one JSON object per line, in order."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from monitors.sentiment import Sentiment, TransformerSentimentScorer
from monitors.sentiment.cli import add_arguments, run
from tests.unit.sentiment_tiny_model import write_tiny_model


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_jsonl_file_one_object_per_line_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = write_tiny_model(tmp_path / "model")
    lines = ["保险公司拒赔", "好服务 good", "", "骗子" * 40, "业绩增长"]
    text_file = tmp_path / "posts.txt"
    text_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(_parse(["--file", str(text_file), "--jsonl", "--batch-size", "2"]), model) == 0
    out = capsys.readouterr().out.splitlines()
    expected = TransformerSentimentScorer(model).score(lines)
    assert len(out) == len(lines)
    for raw, want in zip(out, expected, strict=True):
        obj = json.loads(raw)
        assert set(obj) == {"label", "scores"}
        assert set(obj["scores"]) == {"negative", "neutral", "positive"}
        assert obj["label"] == want.label.value
        assert obj["scores"]["negative"] == pytest.approx(
            want.probabilities[Sentiment.NEGATIVE], abs=1e-5
        )


def test_plain_output_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = write_tiny_model(tmp_path / "model")
    assert run(_parse(["保险", "好"]), model) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in out] == ["保险", "好"]
    assert run(_parse([]), model) == 2
    assert run(_parse(["保险"]), tmp_path / "absent") == 1
    assert "build_sentiment_model.py" in capsys.readouterr().err
