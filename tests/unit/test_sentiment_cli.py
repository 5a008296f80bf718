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


def test_odd_lines_each_get_a_score_or_an_error_and_never_stop_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = write_tiny_model(tmp_path / "model")
    lines = [
        b"",
        b"   \t ",
        "保险".encode() * 50_000,
        b"\xff\xfe not utf-8",
        "BOOM 好".encode(),
        b"ok",
    ]
    text_file = tmp_path / "odd.txt"
    text_file.write_bytes(b"\n".join(lines) + b"\n")
    assert len(lines[2].decode()) == 100_000
    real_score = TransformerSentimentScorer.score

    def fragile(self: TransformerSentimentScorer, texts: list[str]) -> list[object]:
        if any("BOOM" in t for t in texts):
            raise RuntimeError("the runtime refused this input")
        return real_score(self, texts)  # type: ignore[return-value]

    monkeypatch.setattr(TransformerSentimentScorer, "score", fragile)
    assert run(_parse(["--file", str(text_file), "--jsonl"]), model) == 1
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert len(rows) == len(lines), "one output line per input line"
    assert [set(r) for r in rows] == [{"label", "scores"}] * 3 + [{"error", "line"}] * 2 + [
        {"label", "scores"}
    ]
    assert (rows[3]["line"], rows[4]["line"]) == (4, 5)
    assert "not UTF-8" in rows[3]["error"]
    assert "refused" in rows[4]["error"]
    assert "line 5" in captured.err
