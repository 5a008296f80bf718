"""Public-opinion crisis vocabulary: spike statistics, severities, crisis plans, step deadlines.

Pure functions with ``now`` passed in, so tests move the clock instead of sleeping. The
detector (``monitors/crisis``) feeds these with story counts read from the graph.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import yaml

from models.errors import InvalidInput


class Severity(StrEnum):
    """How bad an alert is, in increasing order."""

    WATCH = "WATCH"
    WARNING = "WARNING"
    CRISIS = "CRISIS"

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER.index(self)


SEVERITY_ORDER: tuple[Severity, ...] = (Severity.WATCH, Severity.WARNING, Severity.CRISIS)


def raise_severity(severity: Severity, levels: int = 1) -> Severity:
    """The severity ``levels`` steps higher, capped at CRISIS."""
    return SEVERITY_ORDER[min(severity.rank + levels, len(SEVERITY_ORDER) - 1)]


class AlertKind(StrEnum):
    """What raised an alert."""

    SPIKE = "SPIKE"
    HIGH_IMPACT_SOURCE = "HIGH_IMPACT_SOURCE"
    REGULATOR_LINK = "REGULATOR_LINK"
    MEDIA_ESCALATION = "MEDIA_ESCALATION"


class AlertStatus(StrEnum):
    """An alert's life."""

    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class CaseStatus(StrEnum):
    """A crisis case's life."""

    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class StepStatus(StrEnum):
    """A crisis step is pending until someone completes it."""

    PENDING = "PENDING"
    DONE = "DONE"


# ---------------------------------------------------------------- spike statistics


@dataclass(frozen=True)
class StorySignal:
    """One negative story about a subject: when it was first seen and how much it weighs.

    ``weight`` is the model's confidence that it is negative times the source's weight, so a
    story copied by ten feeds counts once and a doubtful one counts less than a clear one.
    """

    story_id: str
    at: datetime
    weight: float


@dataclass(frozen=True)
class SpikeSettings:
    """Thresholds of the spike test (see ``Settings.crisis_*``)."""

    window: timedelta = timedelta(hours=1)
    baseline_days: int = 14
    threshold_sigma: float = 3.0
    min_count: float = 5.0
    warmup_days: float = 7.0
    min_same_hour_samples: int = 5
    day_before_ratio: float = 1.5
    min_std: float = 1.0
    warning_sigma: float = 6.0
    crisis_sigma: float = 10.0
    crisis_min_count: float = 10.0


@dataclass(frozen=True)
class SpikeStats:
    """The numbers behind one spike decision (they go into the alert's explanation)."""

    window_count: float
    baseline_mean: float
    baseline_std: float
    day_before_count: float
    z_score: float
    same_hour: bool
    samples: int
    history_days: float


@dataclass(frozen=True)
class SpikeDecision:
    """Whether a subject spikes now, at what severity, and why not when it does not."""

    stats: SpikeStats
    fires: bool
    severity: Severity | None
    reason: str


class _Timeline:
    """Signals sorted by time with prefix sums: any window's weighted count in O(log n)."""

    def __init__(self, signals: Sequence[StorySignal]) -> None:
        ordered = sorted(signals, key=lambda s: s.at)
        self.times = [s.at for s in ordered]
        self.prefix = [0.0]
        for signal in ordered:
            self.prefix.append(self.prefix[-1] + signal.weight)

    def sum(self, start: datetime, end: datetime) -> float:
        """The weighted count of signals at ``start <= at < end``."""
        return (
            self.prefix[bisect_left(self.times, end)] - self.prefix[bisect_left(self.times, start)]
        )


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 0.0
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return mean, math.sqrt(variance)


def baseline_samples(
    signals: Sequence[StorySignal] | _Timeline,
    now: datetime,
    history_start: datetime,
    cfg: SpikeSettings,
) -> tuple[list[float], bool]:
    """Window-sized counts to compare the current window with, and whether they are same-hour.

    Same hour of day on each earlier day of the baseline where the subject had history; when
    fewer than ``min_same_hour_samples`` such days exist, every earlier window-sized slot of
    the baseline period instead.
    """
    timeline = signals if isinstance(signals, _Timeline) else _Timeline(signals)
    same_hour: list[float] = []
    for days_back in range(1, cfg.baseline_days + 1):
        end = now - timedelta(days=days_back)
        start = end - cfg.window
        if start >= history_start:
            same_hour.append(timeline.sum(start, end))
    if len(same_hour) >= cfg.min_same_hour_samples:
        return same_hour, True
    earliest = max(history_start, now - timedelta(days=cfg.baseline_days))
    all_hours: list[float] = []
    end = now - cfg.window
    while end - cfg.window >= earliest:
        all_hours.append(timeline.sum(end - cfg.window, end))
        end -= cfg.window
    return all_hours, False


def spike_severity(stats: SpikeStats, cfg: SpikeSettings, subject_is_company: bool) -> Severity:
    """Severity from the size of the rise; the company itself being the subject adds a level."""
    if stats.z_score >= cfg.crisis_sigma and stats.window_count >= cfg.crisis_min_count:
        severity = Severity.CRISIS
    elif stats.z_score >= cfg.warning_sigma:
        severity = Severity.WARNING
    else:
        severity = Severity.WATCH
    return raise_severity(severity) if subject_is_company else severity


def decide_spike(
    signals: Sequence[StorySignal],
    now: datetime,
    history_start: datetime | None,
    cfg: SpikeSettings,
    *,
    subject_is_company: bool = False,
) -> SpikeDecision:
    """The spike test for one subject at ``now``.

    Fires when the weighted count of the last ``window`` is above the baseline mean by
    ``threshold_sigma`` standard deviations (the deviation floored at ``min_std``, so a silent
    baseline does not make one story a spike), at least ``min_count``, at least
    ``day_before_ratio`` times the same window a day earlier, and the subject has at least
    ``warmup_days`` of history.
    """
    timeline = _Timeline(signals)
    window_count = timeline.sum(now - cfg.window, now + timedelta(microseconds=1))
    day_before = timeline.sum(now - timedelta(days=1) - cfg.window, now - timedelta(days=1))
    start = history_start or now
    history_days = max(0.0, (now - start).total_seconds() / 86400)
    samples, same_hour = baseline_samples(timeline, now, start, cfg)
    mean, std = _mean_std(samples)
    z = (window_count - mean) / max(std, cfg.min_std)
    stats = SpikeStats(
        window_count=round(window_count, 4),
        baseline_mean=round(mean, 4),
        baseline_std=round(std, 4),
        day_before_count=round(day_before, 4),
        z_score=round(z, 3),
        same_hour=same_hour,
        samples=len(samples),
        history_days=round(history_days, 3),
    )
    if history_days < cfg.warmup_days:
        return SpikeDecision(stats, False, None, "warm-up: too little history")
    if window_count < cfg.min_count:
        return SpikeDecision(stats, False, None, "below the minimum count")
    if z < cfg.threshold_sigma:
        return SpikeDecision(stats, False, None, "within the baseline")
    if window_count < cfg.day_before_ratio * day_before:
        return SpikeDecision(stats, False, None, "no rise over the day before")
    severity = spike_severity(stats, cfg, subject_is_company)
    return SpikeDecision(stats, True, severity, "spike")


# ---------------------------------------------------------------- crisis plans


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan: who does what by when, and who hears about it when it is late."""

    key: str
    title: str
    role: str
    deadline_minutes: int
    escalate_to: tuple[str, ...]


@dataclass(frozen=True)
class PlanLevel:
    """What a severity sets in motion."""

    severity: Severity
    opens_case: bool
    steps: tuple[PlanStep, ...]


@dataclass(frozen=True)
class CrisisPlan:
    """The active crisis plan: the steps per severity and the severity of absolute triggers."""

    name: str
    levels: Mapping[Severity, PlanLevel]
    trigger_severity: Mapping[AlertKind, Severity] = field(default_factory=dict)

    def level(self, severity: Severity) -> PlanLevel:
        return self.levels.get(severity) or PlanLevel(severity, False, ())

    def severity_for(self, kind: AlertKind, default: Severity) -> Severity:
        return self.trigger_severity.get(kind, default)


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _parse_step(raw: Any, where: str) -> PlanStep:
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}: a step must be a mapping")
    minutes = raw.get("deadline_minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise InvalidInput(f"{where}: 'deadline_minutes' must be a positive integer")
    escalate = raw.get("escalate_to", [])
    if isinstance(escalate, str):
        escalate = [escalate]
    if not isinstance(escalate, list) or not all(isinstance(e, str) and e for e in escalate):
        raise InvalidInput(f"{where}: 'escalate_to' must be a role or a list of roles")
    return PlanStep(
        key=_text(raw, "key", where),
        title=_text(raw, "title", where),
        role=_text(raw, "role", where),
        deadline_minutes=minutes,
        escalate_to=tuple(escalate),
    )


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(str(value).upper())
    except ValueError:
        names = ", ".join(SEVERITY_ORDER)
        raise InvalidInput(f"{where}: unknown severity {value!r} (one of {names})") from None


def parse_plan(document: str) -> CrisisPlan:
    """Parse and validate a plan written as YAML or JSON (JSON is YAML too)."""
    try:
        raw = yaml.safe_load(document)
    except yaml.YAMLError as error:
        raise InvalidInput(f"the plan is not valid YAML or JSON: {error}") from None
    if not isinstance(raw, Mapping):
        raise InvalidInput("the plan must be a mapping with 'levels'")
    levels_raw = raw.get("levels")
    if not isinstance(levels_raw, Mapping) or not levels_raw:
        raise InvalidInput("the plan needs 'levels': a mapping from severity to steps")
    levels: dict[Severity, PlanLevel] = {}
    for name, body in levels_raw.items():
        severity = _severity(name, "levels")
        where = f"levels.{severity}"
        if not isinstance(body, Mapping):
            raise InvalidInput(f"{where}: must be a mapping with 'steps'")
        steps_raw = body.get("steps", [])
        if not isinstance(steps_raw, list):
            raise InvalidInput(f"{where}.steps: must be a list")
        steps = tuple(_parse_step(s, f"{where}.steps[{i}]") for i, s in enumerate(steps_raw))
        keys = [s.key for s in steps]
        if len(set(keys)) != len(keys):
            raise InvalidInput(f"{where}.steps: step keys must be unique")
        levels[severity] = PlanLevel(severity, bool(body.get("opens_case", False)), steps)
    triggers_raw = raw.get("triggers", {}) or {}
    if not isinstance(triggers_raw, Mapping):
        raise InvalidInput("'triggers' must map alert kinds to severities")
    triggers: dict[AlertKind, Severity] = {}
    for kind_name, severity_name in triggers_raw.items():
        try:
            kind = AlertKind(str(kind_name).upper())
        except ValueError:
            raise InvalidInput(f"triggers: unknown alert kind {kind_name!r}") from None
        triggers[kind] = _severity(severity_name, f"triggers.{kind}")
    return CrisisPlan(str(raw.get("name", "crisis plan")), levels, triggers)


def plan_as_dict(plan: CrisisPlan) -> dict[str, Any]:
    """The plan as plain data (for JSON output)."""
    return {
        "name": plan.name,
        "triggers": {kind.value: sev.value for kind, sev in plan.trigger_severity.items()},
        "levels": {
            sev.value: {
                "opens_case": level.opens_case,
                "steps": [
                    {
                        "key": s.key,
                        "title": s.title,
                        "role": s.role,
                        "deadline_minutes": s.deadline_minutes,
                        "escalate_to": list(s.escalate_to),
                    }
                    for s in level.steps
                ],
            }
            for sev, level in plan.levels.items()
        },
    }


def plan_as_json(plan: CrisisPlan) -> str:
    return json.dumps(plan_as_dict(plan), ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------- steps and escalation


@dataclass(frozen=True)
class StepState:
    """A crisis step as stored: who owns it now, by when, and how often it escalated."""

    id: str
    status: StepStatus
    role: str
    due_at: datetime
    deadline_minutes: int
    escalate_to: tuple[str, ...]
    escalation_level: int


@dataclass(frozen=True)
class Escalation:
    """What happens to an overdue step: its new owner, level and deadline."""

    step_id: str
    from_role: str
    to_role: str
    level: int
    new_due_at: datetime
    overdue_since: datetime


def step_due_at(triggered_at: datetime, step: PlanStep) -> datetime:
    """A step's deadline, relative to the trigger that opened its case."""
    return triggered_at + timedelta(minutes=step.deadline_minutes)


def overdue_escalation(step: StepState, now: datetime) -> Escalation | None:
    """The escalation of a pending step past its deadline at ``now``, or None.

    Each escalation hands the step to the next role of its ``escalate_to`` chain with a fresh
    deadline of the same length; once the chain is exhausted the last role keeps being
    reminded at every deadline.
    """
    if step.status is not StepStatus.PENDING or now < step.due_at:
        return None
    chain = step.escalate_to or (step.role,)
    level = step.escalation_level + 1
    to_role = chain[min(level, len(chain)) - 1]
    return Escalation(
        step_id=step.id,
        from_role=step.role,
        to_role=to_role,
        level=level,
        new_due_at=now + timedelta(minutes=step.deadline_minutes),
        overdue_since=step.due_at,
    )


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class AlertDraft:
    """What a detector wants raised (or updated, when a running alert has the same key)."""

    subject_id: str
    subject_name: str | None
    kind: AlertKind
    severity: Severity
    explanation: Mapping[str, Any]
    mention_ids: tuple[str, ...] = ()
    story_ids: tuple[str, ...] = ()
    window_count: float | None = None
    baseline_mean: float | None = None
    baseline_std: float | None = None

    @property
    def open_key(self) -> str:
        """One running alert per subject and kind: the dedup key."""
        return f"{self.kind}|{self.subject_id}"


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_STOP_WORDS = frozenset(
    (
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "are",
        "was",
        "were",
        "has",
        "have",
        "not",
        "but",
        "its",
        "into",
        "over",
        "after",
        "about",
        "你们",
        "我们",
        "他们",
        "一个",
        "没有",
        "什么",
        "这个",
        "那个",
        "已经",
        "因为",
        "所以",
        "如果",
        "还是",
        "就是",
    )
)


def top_terms(titles: Sequence[str], limit: int = 8) -> list[str]:
    """The most frequent terms of some titles: latin words, and two-character runs of Chinese.

    Crude on purpose: enough for an operator to see what a spike is about at a glance,
    without loading a segmenter inside the detector.
    """
    counts: Counter[str] = Counter()
    for title in titles:
        seen: set[str] = set()
        for word in _WORD.findall(title):
            seen.add(word.lower())
        for run in _CJK_RUN.findall(title):
            seen.update(run[i : i + 2] for i in range(len(run) - 1))
        counts.update(term for term in seen if term not in _STOP_WORDS)
    return [term for term, n in counts.most_common(limit) if n > 1 or len(counts) <= limit]
