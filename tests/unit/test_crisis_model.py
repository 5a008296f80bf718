"""Spike statistics, severity, crisis plans and step escalation, with fixed clocks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from models.crisis import (
    AlertKind,
    Severity,
    SpikeSettings,
    StepStatus,
    StorySignal,
    decide_spike,
    raise_severity,
    top_terms,
)
from models.crisis_plan import StepState, overdue_escalation, parse_plan, step_due_at
from models.errors import InvalidInput
from monitors.crisis.plans import DEFAULT_PLAN_FILE

NOW = datetime(2026, 11, 14, 11, 0, tzinfo=UTC)
CFG = SpikeSettings()


def quiet_history(days: int, per_hour: float = 0.3, seed: int = 1) -> list[StorySignal]:
    """Negative stories at a low Poisson-ish rate for ``days`` before NOW."""
    rng = random.Random(seed)
    signals = []
    start = NOW - timedelta(days=days)
    minute = 0
    while start + timedelta(minutes=minute) < NOW - CFG.window:
        if rng.random() < per_hour / 60:
            signals.append(StorySignal(f"q{minute}", start + timedelta(minutes=minute), 0.8))
        minute += 1
    return signals


def burst(count: int, weight: float = 0.9, at: datetime = NOW) -> list[StorySignal]:
    return [
        StorySignal(f"b{i}", at - timedelta(minutes=50) + timedelta(minutes=5 * i % 45), weight)
        for i in range(count)
    ]


def test_quiet_baseline_does_not_fire() -> None:
    history = quiet_history(14)
    decision = decide_spike(history, NOW, history[0].at, CFG)
    assert not decision.fires
    # Thirteen same-hour days: the fourteenth day back starts just before the first story.
    assert decision.stats.samples == 13
    assert decision.stats.same_hour


def test_planted_spike_fires_warning_with_its_numbers() -> None:
    history = quiet_history(14)
    signals = history + burst(8)
    decision = decide_spike(signals, NOW, history[0].at, CFG)
    assert decision.fires
    assert decision.severity is Severity.WARNING
    assert decision.stats.window_count == pytest.approx(7.2)
    assert decision.stats.z_score >= CFG.warning_sigma


def test_big_spike_is_crisis_and_company_subject_adds_a_level() -> None:
    history = quiet_history(14)
    assert decide_spike(history + burst(15), NOW, history[0].at, CFG).severity is Severity.CRISIS
    small = decide_spike(history + burst(6), NOW, history[0].at, CFG)
    assert small.severity is Severity.WATCH
    company = decide_spike(history + burst(6), NOW, history[0].at, CFG, subject_is_company=True)
    assert company.severity is Severity.WARNING


def test_warm_up_blocks_a_subject_with_two_days_of_history() -> None:
    history = quiet_history(2)
    decision = decide_spike(history + burst(15), NOW, NOW - timedelta(days=2), CFG)
    assert not decision.fires
    assert decision.reason.startswith("warm-up")


def test_minimum_count_blocks_a_small_rise_over_silence() -> None:
    start = NOW - timedelta(days=14)
    decision = decide_spike(burst(4, weight=1.0), NOW, start, CFG)
    assert not decision.fires
    assert decision.reason == "below the minimum count"


def test_day_before_check_suppresses_a_daily_peak() -> None:
    history = quiet_history(14)
    yesterday = burst(8, at=NOW - timedelta(days=1))
    decision = decide_spike(history + yesterday + burst(8), NOW, history[0].at, CFG)
    assert not decision.fires
    # The same-hour baseline includes yesterday's peak, and the day-before check says no rise.
    assert decision.stats.day_before_count == pytest.approx(7.2)


def test_short_history_uses_all_hours_as_baseline() -> None:
    start = NOW - timedelta(days=3)
    signals = [StorySignal(f"s{h}", start + timedelta(hours=h), 1.0) for h in range(0, 70, 2)]
    decision = decide_spike(signals, NOW, start, SpikeSettings(warmup_days=1))
    assert not decision.stats.same_hour
    assert decision.stats.samples == 71
    assert decision.stats.baseline_mean == pytest.approx(35 / 71, abs=0.01)


def test_severity_ladder_caps_at_crisis() -> None:
    assert raise_severity(Severity.WATCH) is Severity.WARNING
    assert raise_severity(Severity.CRISIS) is Severity.CRISIS
    assert Severity.CRISIS.rank > Severity.WARNING.rank > Severity.WATCH.rank


def test_default_plan_parses_and_has_management_step() -> None:
    plan = parse_plan(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    crisis = plan.level(Severity.CRISIS)
    assert crisis.opens_case
    management = next(s for s in crisis.steps if s.key == "notify_management")
    assert management.deadline_minutes == 30
    assert plan.severity_for(AlertKind.MEDIA_ESCALATION, Severity.WATCH) is Severity.CRISIS
    assert not plan.level(Severity.WATCH).opens_case


def test_plan_accepts_json_and_single_escalation_role() -> None:
    plan = parse_plan(
        '{"levels": {"warning": {"opens_case": true, "steps": [{"key": "a", "title": "A",'
        ' "role": "pr", "deadline_minutes": 5, "escalate_to": "lead"}]}}}'
    )
    assert plan.level(Severity.WARNING).steps[0].escalate_to == ("lead",)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("[]", "mapping"),
        ("levels: {}", "levels"),
        ("levels: {SEVERE: {steps: []}}", "unknown severity"),
        (
            "levels: {WATCH: {steps: [{key: a, title: A, role: r, deadline_minutes: 0}]}}",
            "deadline_minutes",
        ),
        ("levels: {WATCH: {steps: [{title: A, role: r, deadline_minutes: 3}]}}", "'key'"),
        (
            "levels: {WATCH: {steps: [{key: a, title: A, role: r, deadline_minutes: 99999999}]}}",
            "deadline_minutes",
        ),
        ("levels: {WATCH: {steps: []}}\ntriggers: {LOUD: CRISIS}", "unknown alert kind"),
        ("levels: [", "not valid YAML"),
    ],
)
def test_invalid_plans_are_rejected_with_the_reason(document: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_plan(document)


def _step(due_at: datetime, level: int = 0, status: StepStatus = StepStatus.PENDING) -> StepState:
    return StepState(
        id="case:notify",
        status=status,
        role="pr_duty_officer",
        due_at=due_at,
        deadline_minutes=10,
        escalate_to=("pr_lead", "management"),
        escalation_level=level,
    )


def test_step_escalates_along_its_chain_at_its_deadline() -> None:
    due = NOW + timedelta(minutes=10)
    assert overdue_escalation(_step(due), NOW) is None
    first = overdue_escalation(_step(due), due)
    assert first is not None
    assert (first.to_role, first.level) == ("pr_lead", 1)
    assert first.new_due_at == due + timedelta(minutes=10)
    second = overdue_escalation(_step(first.new_due_at, level=1), first.new_due_at)
    assert second is not None
    assert second.to_role == "management"
    third = overdue_escalation(_step(second.new_due_at, level=2), second.new_due_at)
    assert third is not None
    assert third.to_role == "management"
    assert third.level == 3
    assert overdue_escalation(_step(due, status=StepStatus.DONE), due + timedelta(hours=1)) is None


def test_step_deadline_counts_from_the_trigger() -> None:
    plan = parse_plan(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    step = plan.level(Severity.CRISIS).steps[0]
    assert step_due_at(NOW, step) == NOW + timedelta(minutes=step.deadline_minutes)


def test_top_terms_counts_latin_words_and_chinese_bigrams() -> None:
    terms = top_terms(["理赔拒赔 投诉", "理赔 拖延 insurer delays", "Insurer refuses 理赔"])
    assert terms[0] == "理赔"
    assert "insurer" in terms
