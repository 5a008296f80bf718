"""A monotonic clock that tests move by hand."""

from __future__ import annotations


class FakeClock:
    """Returns ``now`` (seconds); tests add to it instead of sleeping."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
