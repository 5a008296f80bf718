"""The entity gate: the features it reads off a story, how it rewrites the entity head's
probabilities (only where a story names several names), the config it refuses, and the
scorer applying the gate stored in a model folder's `sentiment.json`, and the build copying
it only for the delta it was fitted on."""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from monitors.sentiment import Sentiment, TransformerSentimentScorer
from monitors.sentiment.entity_gate import (
    CONFIG_KEY,
    FEATURES,
    EntityGate,
    GateInput,
    distinct,
    features,
    name_length,
    with_negative,
)
from tests.unit.sentiment_tiny_model import write_tiny_model

NEG = 0  # labels in the order negative, neutral, positive


def _input(text: str, names: tuple[str, ...], occurs: tuple[bool, ...] = ()) -> GateInput:
    entity = np.tile([0.6, 0.3, 0.1], (len(names), 1))
    return GateInput(
        text, names, np.array([0.8, 0.15, 0.05]), entity, occurs or (True,) * len(names)
    )


def _reduced(item: GateInput) -> GateInput:
    return distinct(item)[0]


def _feature(row: np.ndarray, name: str) -> float:
    return float(row[FEATURES.index(name)])


def test_features_say_how_each_name_figures_in_the_text() -> None:
    item = _input(
        "瑞安拒赔，瑞安被罚。转自@新闻社", ("瑞安", "新闻社", "不在"), (True, True, False)
    )
    rows = features(_reduced(item), NEG)
    assert rows.shape == (3, len(FEATURES))
    ruian, press, absent = rows
    assert _feature(ruian, "log1p_count") == pytest.approx(math.log1p(2))
    assert _feature(ruian, "first_position") == 0.0
    assert _feature(ruian, "most_named") == 1.0
    assert _feature(press, "most_named") == 0.0
    assert _feature(press, "at_mention") == 1.0
    assert _feature(ruian, "at_mention") == 0.0
    assert 0.0 < _feature(press, "first_position") < 1.0
    assert _feature(absent, "first_position") == 1.0
    assert _feature(absent, "occurs") == 0.0
    assert _feature(ruian, "log_p_negative_entity") == pytest.approx(math.log(0.6))
    assert _feature(ruian, "log_p_negative_text") == pytest.approx(math.log(0.8))
    assert _feature(ruian, "log_name_length") == pytest.approx(math.log(2))
    # no name occurs: none is the most named
    nowhere = features(_reduced(_input("保险公司拒赔", ("瑞安", "安信"))), NEG)
    assert [_feature(r, "most_named") for r in nowhere] == [0.0, 0.0]


def test_name_length_counts_a_latin_word_as_one() -> None:
    assert name_length("鑫达汽修") == 4
    assert name_length("Ruian Insurance Group") == 3
    assert name_length("P2P 平台") == 3


def test_distinct_reads_a_repeated_name_once() -> None:
    item = _input("瑞安拒赔，安信回应", ("瑞安", " 瑞安", "", "安信"))
    reduced, where = distinct(item)
    assert reduced.names == ("瑞安", "安信")
    assert where == [0, 0, -1, 1]


def test_with_negative_keeps_the_other_labels_in_proportion() -> None:
    probs = np.array([[0.6, 0.3, 0.1], [0.2, 0.0, 0.0]])
    got = with_negative(probs, np.array([0.2, 0.5]), NEG)
    np.testing.assert_allclose(got.sum(axis=1), 1.0)
    np.testing.assert_allclose(got[0], [0.2, 0.6, 0.2])
    np.testing.assert_allclose(got[1], [0.5, 0.25, 0.25])  # no mass elsewhere: shared evenly


def _salience_gate() -> EntityGate:
    """A gate that calls a story negative about the name it names most, and not the other."""
    coef = [0.0] * len(FEATURES)
    coef[FEATURES.index("most_named")] = 12.0
    return EntityGate(tuple(coef), -6.0)


def test_the_gate_moves_only_stories_with_several_names() -> None:
    gate = _salience_gate()
    one = _input("瑞安拒赔", ("瑞安",))
    assert gate.apply(one, NEG) is one.entity_probs
    # the same name twice (two links) is still one name: not gated
    twice = _input("瑞安拒赔，瑞安被罚", ("瑞安", "瑞安"))
    assert gate.apply(twice, NEG) is twice.entity_probs
    two = _input("瑞安拒赔，瑞安被罚，安信回应", ("瑞安", "安信"))
    got = gate.apply(two, NEG)
    assert got[0].argmax() == NEG
    assert got[1].argmax() != NEG
    assert got[0, NEG] == pytest.approx(1 / (1 + math.exp(-6.0)))
    np.testing.assert_allclose(got.sum(axis=1), 1.0)


def test_config_round_trips_and_refuses_other_features() -> None:
    gate = _salience_gate()
    assert EntityGate.from_config(gate.to_config()) == gate
    assert EntityGate.from_config(None) is None
    stale = gate.to_config() | {"features": ["log_p_negative_entity"]}
    with pytest.raises(ValueError, match="fit_entity_gate"):
        EntityGate.from_config(stale)


def test_the_scorer_applies_the_folders_gate(tmp_path: Path) -> None:
    folder = write_tiny_model(tmp_path / "m", layers=1, entity_head=True, temperature=2.5)
    config_path = folder / "sentiment.json"
    config = json.loads(config_path.read_text())
    config[CONFIG_KEY] = _salience_gate().to_config()
    config_path.write_text(json.dumps(config))
    gated = TransformerSentimentScorer(folder)
    plain = TransformerSentimentScorer(folder, entity_gate=False)
    assert gated.folder.entity_gate == _salience_gate()

    items = [
        ("瑞安拒赔，瑞安骗子，好保险", ["瑞安", "好保险"]),
        ("瑞安拒赔", ["瑞安"]),
        ("瑞安拒赔，瑞安骗子，好保险", ["瑞安", "好保险", "瑞安"]),
    ]
    [(_, two), (_, one), (_, repeated)] = gated.score_with_entities(items)
    [(_, two_plain), (_, one_plain), _] = plain.score_with_entities(items)
    assert two[0].label is Sentiment.NEGATIVE
    assert two[1].label is not Sentiment.NEGATIVE
    # the gate's P(negative) comes out as it is (the temperature is undone, not applied twice)
    want = 1 / (1 + math.exp(-6.0))
    assert two[0].probabilities[Sentiment.NEGATIVE] == pytest.approx(want, abs=1e-5)
    assert two[1].probabilities[Sentiment.NEGATIVE] == pytest.approx(1 - want, abs=1e-5)
    # a repeated link reads like the first
    assert repeated[2].probabilities == pytest.approx(repeated[0].probabilities)
    assert repeated[0].probabilities == pytest.approx(two[0].probabilities)
    # one name: the entity head's own reading, gate or no gate
    assert one[0].probabilities == pytest.approx(one_plain[0].probabilities)
    # the ungated scorer serves the head, which the gate's inputs carry too
    [reading] = gated.gate_inputs(items[:1])
    for score, row in zip(two_plain, reading.entity_probs, strict=True):
        assert [score.probabilities[s] for s in Sentiment] == pytest.approx(row.tolist())
    # the pair path reads through the same gate (the pairs of one text are read together)
    text = items[0][0]
    about = gated.score_about([(text, "好保险"), (text, "瑞安")])
    assert about[0].probabilities == pytest.approx(two[1].probabilities)
    assert about[1].probabilities == pytest.approx(two[0].probabilities)


def test_the_build_copies_the_gate_only_for_the_model_it_was_fitted_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from build_sentiment_model import _entity_gate

    import monitors.sentiment.delta as delta_module

    delta = tmp_path / "delta.safetensors"
    delta.write_bytes(b"weights")
    gate_file = tmp_path / "entity_gate.json"
    monkeypatch.setattr(delta_module, "DEFAULT_ENTITY_GATE", gate_file)
    assert _entity_gate(delta, None) is None  # no gate file
    sha = hashlib.sha256(b"weights").hexdigest()
    config = _salience_gate().to_config() | {"delta_sha256": sha}
    gate_file.write_text(json.dumps(config))
    assert _entity_gate(delta, None) == gate_file
    student = tmp_path / "student.safetensors"
    student.write_bytes(b"distilled")
    assert _entity_gate(delta, student) is None  # fitted on the teacher, not on this student
    on_student = config | {"student_sha256": hashlib.sha256(b"distilled").hexdigest()}
    gate_file.write_text(json.dumps(on_student))
    assert _entity_gate(delta, student) == gate_file
    assert _entity_gate(delta, None) is None  # fitted on the student, not on its teacher
    gate_file.write_text(json.dumps(config))
    delta.write_bytes(b"retrained")  # the gate was fitted on another teacher
    assert _entity_gate(delta, None) is None
    delta.write_bytes(b"weights")
    gate_file.write_text(json.dumps(config | {"features": ["log_p_negative_entity"]}))
    assert _entity_gate(delta, None) is None
    assert "refit it" in capsys.readouterr().err
