"""The ONNX graph the build writes computes the classifier it was given: logits of ONNX
Runtime fp32 against a plain numpy forward pass of the same weights (and against
`transformers` when torch is installed), for the teacher's and a student's layer counts;
the temperature; the entity head; which file each precision loads; and the errors that name
what a model folder lacks."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitors.sentiment import (
    Sentiment,
    SentimentModelMissing,
    TransformerSentimentScorer,
)
from monitors.sentiment.transformer_scorer import calibrated_softmax, entity_tokens, reads_as_latin
from tests.sentiment_reference import classify, classify_entities
from tests.unit.sentiment_tiny_model import (
    EPS,
    HEADS,
    tiny_tokenizer,
    tiny_weights,
    write_tiny_hf_model,
    write_tiny_model,
)

TEXTS = ["保险公司拒赔", "好", "理赔快服务好 good", "骗子公司罚款\n投诉拒赔慢慢慢", "", "bad!"]


def _reference_logits(layers: int, ids: list[list[int]]) -> np.ndarray:
    weights = tiny_weights(layers)
    rows = []
    for seq in ids:  # one at a time: no padding in the reference
        arr = np.asarray([seq])
        rows.append(classify(weights, arr, np.ones_like(arr), HEADS, EPS)[0])
    return np.asarray(rows)


@pytest.mark.parametrize("layers", [1, 3])
def test_onnx_logits_match_a_numpy_forward_pass(tmp_path: Path, layers: int) -> None:
    folder = write_tiny_model(tmp_path / "m", layers=layers)
    scorer = TransformerSentimentScorer(folder, batch_size=4, max_length=32)
    got = scorer.logits(TEXTS)
    tok = tiny_tokenizer()
    tok.enable_truncation(32)  # type: ignore[attr-defined]
    ids = [e.ids for e in tok.encode_batch(TEXTS)]  # type: ignore[attr-defined]
    want = _reference_logits(layers, ids)
    np.testing.assert_allclose(got, want, atol=1e-4)
    assert np.ptp(want[:, 0]) > 1.0, "the tiny model must tell these texts apart"
    assert json.loads((folder / "sentiment.json").read_text())["layers"] == layers


def test_temperature_divides_the_logits(tmp_path: Path) -> None:
    plain = TransformerSentimentScorer(write_tiny_model(tmp_path / "a"))
    warm = TransformerSentimentScorer(write_tiny_model(tmp_path / "b", temperature=2.5))
    logits = plain.logits(TEXTS)
    for score, row in zip(warm.score(TEXTS), calibrated_softmax(logits, 2.5), strict=True):
        got = [score.probabilities[s] for s in Sentiment]
        np.testing.assert_allclose(got, row, atol=1e-6)
    sharp = max(s.confidence for s in plain.score(TEXTS))
    assert max(s.confidence for s in warm.score(TEXTS)) < sharp


def test_the_entity_head_reads_the_tokens_of_each_name(tmp_path: Path) -> None:
    folder = write_tiny_model(tmp_path / "m", layers=2, entity_head=True)
    scorer = TransformerSentimentScorer(folder, batch_size=2, max_length=32)
    items = [
        ("瑞安拒赔，好保险理赔快", ["瑞安", "好保险", "不在文中"]),
        ("好", []),
        ("骗子瑞安", ["瑞安"]),
    ]
    results = scorer.score_with_entities(items)
    tok = tiny_tokenizer()
    tok.enable_truncation(32)  # type: ignore[attr-defined]
    weights = tiny_weights(2, entity_head=True)
    for (text, names), (text_score, entity_scores) in zip(items, results, strict=True):
        enc = tok.encode(text)  # type: ignore[attr-defined]
        spans = [entity_tokens(text, name, enc.offsets) for name in names]
        found = [s for s in spans if s]
        want_text, want_entities = classify_entities(
            weights, np.asarray([enc.ids]), HEADS, EPS, found or [[0]]
        )
        probs = calibrated_softmax(want_text[None].astype(np.float32), 1.0)[0]
        np.testing.assert_allclose(
            [text_score.probabilities[s] for s in Sentiment], probs, atol=1e-4
        )
        assert len(entity_scores) == len(names)
        rows = iter(want_entities)
        for tokens, score in zip(spans, entity_scores, strict=True):
            # a name that does not occur reads like the text
            want = next(rows) if tokens else want_text
            got = [score.probabilities[s] for s in Sentiment]
            np.testing.assert_allclose(
                got, calibrated_softmax(want[None].astype(np.float32), 1.0)[0], atol=1e-4
            )
    both = results[0][1]
    assert both[0].probabilities != both[1].probabilities, "two names, two readings"
    pairs = scorer.score_about([("瑞安拒赔，好保险理赔快", "好保险"), ("好", "瑞安")])
    assert pairs[0].probabilities == pytest.approx(both[1].probabilities)
    assert pairs[1].probabilities == pytest.approx(results[1][0].probabilities)


def test_without_an_entity_head_every_name_reads_like_its_text(tmp_path: Path) -> None:
    scorer = TransformerSentimentScorer(write_tiny_model(tmp_path / "m"))
    [(text_score, entity_scores)] = scorer.score_with_entities([("瑞安拒赔", ["瑞安", "拒赔"])])
    for score in entity_scores:
        assert score.probabilities == pytest.approx(text_score.probabilities)


def test_texts_in_latin_script_are_scored_by_the_folders_latin_fallback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    student = write_tiny_model(tmp_path / "student", entity_head=True)
    teacher = write_tiny_model(tmp_path / "teacher", seed=1, layers=2, entity_head=True)
    config = json.loads((student / "sentiment.json").read_text())
    (student / "sentiment.json").write_text(json.dumps(config | {"latin_fallback": "teacher"}))
    routed = TransformerSentimentScorer(student)
    alone = TransformerSentimentScorer(student, latin_fallback=False)
    fallback = TransformerSentimentScorer(teacher)
    texts = ["bad claims!", "保险公司拒赔", "good service", "理赔快服务好 good", "bad!"]

    def probs(scores: list[Any]) -> np.ndarray:
        return np.asarray([[score.probabilities[s] for s in Sentiment] for score in scores])

    def same(a: np.ndarray, b: np.ndarray) -> None:
        np.testing.assert_allclose(a, b, atol=1e-6)

    got = probs(routed.score(texts))
    same(got[[0]], probs(fallback.score(["bad claims!"])))
    same(got[[2]], probs(fallback.score(["good service"])))
    mine = probs(alone.score(texts))
    same(got[[1, 3, 4]], mine[[1, 3, 4]])  # Chinese, mixed, one word: the folder's own model
    assert np.abs(got[0] - mine[0]).max() > 1e-3, "the two tiny models must differ"
    np.testing.assert_array_equal(routed.logits(texts), alone.logits(texts))  # always its own
    items = [("good service", ["service"]), ("瑞安拒赔", ["瑞安"])]
    with_entities = routed.score_with_entities(items)
    same(probs(with_entities[0][1]), probs(fallback.score_with_entities(items[:1])[0][1]))
    same(probs(with_entities[1][1]), probs(alone.score_with_entities(items[1:])[0][1]))
    about = routed.score_about([("good service", "service"), ("瑞安拒赔", "瑞安")])
    same(probs(about[:1]), probs(with_entities[0][1]))
    # a fallback folder that is not there: the folder scores everything, and says so once
    (student / "sentiment.json").write_text(json.dumps(config | {"latin_fallback": "gone"}))
    lone = TransformerSentimentScorer(student)
    same(probs(lone.score(texts)), mine)
    assert "latin_fallback" in caplog.text
    # one that is there but cannot be served (no tokenizer): the same
    (tmp_path / "broken").mkdir()
    (student / "sentiment.json").write_text(json.dumps(config | {"latin_fallback": "broken"}))
    caplog.clear()
    same(probs(TransformerSentimentScorer(student).score(texts)), mine)
    assert "latin_fallback not used" in caplog.text


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("Ping An posts record profit", True),
        ("Société Générale", True),
        ("中国平安 Ping An", False),
        ("ソニー損保", False),
        ("삼성화재", False),
        ("2024 +3.5%", False),
        ("👍 OK", False),
        ("#NAME?", False),
        ("8.89E37 3×4", False),
        ("", False),
    ],
)
def test_reads_as_latin_wants_latin_letters_and_no_cjk(text: str, latin: bool) -> None:
    assert reads_as_latin(text) is latin


def test_int8_precision_loads_the_quantised_graph(tmp_path: Path) -> None:
    folder = write_tiny_model(tmp_path / "m")
    fp32 = TransformerSentimentScorer(folder)
    int8 = TransformerSentimentScorer(folder, precision="int8")
    assert int8.folder.graph == folder / "model.int8.onnx"
    assert fp32.folder.graph == folder / "model.onnx"
    for score in int8.score(TEXTS):
        assert sum(score.probabilities.values()) == pytest.approx(1.0, abs=1e-6)


def test_nodes_left_in_fp32_are_the_named_parts_of_the_graph(tmp_path: Path) -> None:
    import onnx

    from monitors.sentiment.build import quantise_int8
    from monitors.sentiment.onnx_graph import GRAPH_PARTS, node_names

    folder = write_tiny_model(tmp_path / "m", layers=2)
    ops = {n.name: n.op_type for n in onnx.load(folder / "model.onnx").graph.node}
    for part in GRAPH_PARTS:
        # One node per layer; the head part's pooler and text head (the tiny model has no
        # entity head, whose two nodes are absent).
        present = [name for name in node_names(part, 2) if name in ops]
        assert len(present) == 2, part
        assert {ops[name] for name in present} <= {"MatMul", "Attention"}, part
    kept = node_names("ffn_down", 2)
    quantise_int8(folder / "model.onnx", tmp_path / "q.onnx", keep_fp32=kept)
    quantised = {n.name: n.op_type for n in onnx.load(tmp_path / "q.onnx").graph.node}
    assert all(quantised[name] == "MatMul" for name in kept), "left in fp32"
    assert all(name not in quantised for name in node_names("ffn_up", 2)), "replaced by int8"


def test_a_folder_without_model_files_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SentimentModelMissing) as error:
        TransformerSentimentScorer(tmp_path / "empty").score(["保险"])
    assert "tokenizer.json" in str(error.value)
    assert "ONNX file" in str(error.value)
    folder = write_tiny_model(tmp_path / "no-int8")
    (folder / "model.int8.onnx").unlink()
    with pytest.raises(SentimentModelMissing, match=r"model\.int8\.onnx"):
        TransformerSentimentScorer(folder, precision="int8").score(["保险"])


def test_a_user_onnx_file_with_hf_labels_is_served(tmp_path: Path) -> None:
    built = write_tiny_model(tmp_path / "built")
    own = tmp_path / "own"
    own.mkdir()
    (own / "classifier.onnx").write_bytes((built / "model.onnx").read_bytes())
    (own / "tokenizer.json").write_bytes((built / "tokenizer.json").read_bytes())
    (own / "config.json").write_text(json.dumps({"id2label": {"0": "NEG", "1": "NEU", "2": "POS"}}))
    want = TransformerSentimentScorer(built).score(TEXTS)
    got = TransformerSentimentScorer(own).score(TEXTS)
    assert [s.label for s in got] == [s.label for s in want]


def test_a_hf_folder_without_torch_asks_for_the_train_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_tiny_hf_model(tmp_path / "hf")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("torch", "transformers") else real(name, *a),
    )
    with pytest.raises(SentimentModelMissing, match=r"\[train\]"):
        TransformerSentimentScorer(folder).score(["保险"])


def test_onnx_matches_transformers_when_torch_is_installed(tmp_path: Path) -> None:
    if (
        importlib.util.find_spec("torch") is None
        or importlib.util.find_spec("transformers") is None
    ):
        pytest.skip("torch/transformers not installed (the [train] extra)")
    onnx = TransformerSentimentScorer(write_tiny_model(tmp_path / "onnx", layers=2), batch_size=3)
    torch = TransformerSentimentScorer(write_tiny_hf_model(tmp_path / "hf", layers=2), batch_size=3)
    assert torch.folder.runtime == "torch"
    np.testing.assert_allclose(onnx.logits(TEXTS), torch.logits(TEXTS), atol=1e-4)
