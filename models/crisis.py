"""Public-opinion crisis vocabulary: severities, alert kinds and states, spike statistics.

Pure functions with ``now`` passed in, so tests move the clock instead of sleeping. The
detector (``monitors/crisis``) feeds these with story counts read from the graph.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


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
    """One negative story about a subject: when it was published (never later than when it
    was first seen) and how much it weighs.

    ``weight`` is the model's confidence that it is negative times the source's weight, so a
    story copied by ten feeds counts once and a doubtful one counts less than a clear one.
    """

    story_id: str
    at: datetime
    weight: float


@dataclass(frozen=True)
class SpikeSettings:
    """Thresholds of the spike test (see ``Settings.crisis``, RISKWATCH_CRISIS_*)."""

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
