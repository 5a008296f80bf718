"""Shared pieces of the crisis tests: a movable clock and a detector wired to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph.client import Graph
from models.crisis import SpikeSettings
from monitors.crisis.detector import CrisisDetector
from monitors.crisis.plans import PlanStore

# Far from the real clock, so the live test server's own loops (which read the real clock)
# never pick up what these tests write.
EPOCH = datetime(2031, 3, 1, 0, 0, tzinfo=UTC)


@dataclass
class MovableClock:
    now: datetime = EPOCH

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


def make_detector(graph: Graph, clock: MovableClock) -> CrisisDetector:
    return CrisisDetector(graph, PlanStore(graph, clock=clock), SpikeSettings(), clock=clock)
