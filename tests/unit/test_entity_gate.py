"""The entity gate: the features it reads off a story, how it rewrites the entity head's
probabilities (only where a story names several names), the config it refuses, and the
scorer applying the gate stored in a model folder's `sentiment.json`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from monitors.sentiment import Sentiment, TransformerSentimentScorer
from monitors.sentiment.entity_gate import (
    CONFIG_KEY,
    FEATURES,
    EntityGate,
    GateInput,
    features,
    with_negative,
)
from tests.unit.sentiment_tiny_model import write_tiny_model

NEG = 0  # labels in the order negative, neutral, positive


def _input(text: str, names: tuple[str, ...], occurs: tuple[bool, ...] = ()) -> GateInput:
    entity = np.tile([0.6, 0.3, 0.1], (len(names), 1))
    return GateInput(
        text, names, np.array([0.8, 0.15, 0.05]), entity, occurs or (True,) * len(names)
    )


def _feature(row: np.ndarray, name: str) -> float:
    return float(row[FEATURES.index(name)])


def test_features_say_how_each_name_figures_in_the_text() -> None:
    item = _input(
        "瑞安拒赔，瑞安被罚。转自@新闻社", ("瑞安", "新闻社", "不在"), (True, True, False)
    )
    rows = features(item, NEG)
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
    assert all(_feature(r, "several_names") == 1.0 for r in rows)
    assert _feature(features(_input("瑞安", ("瑞安",)), NEG)[0], "several_names") == 0.0


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
    folder = write_tiny_model(tmp_path / "m", layers=1, entity_head=True)
    config_path = folder / "sentiment.json"
    config = json.loads(config_path.read_text())
    config[CONFIG_KEY] = _salience_gate().to_config()
    config_path.write_text(json.dumps(config))
    gated = TransformerSentimentScorer(folder)
    plain = TransformerSentimentScorer(folder, entity_gate=False)
    assert gated.folder.entity_gate == _salience_gate()

    items = [("瑞安拒赔，瑞安骗子，好保险", ["瑞安", "好保险"]), ("瑞安拒赔", ["瑞安"])]
    [(_, two), (_, one)] = gated.score_with_entities(items)
    [(_, two_plain), (_, one_plain)] = plain.score_with_entities(items)
    assert two[0].label is Sentiment.NEGATIVE
    assert two[1].label is not Sentiment.NEGATIVE
    assert two[1].probabilities[Sentiment.NEGATIVE] < 0.01
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
