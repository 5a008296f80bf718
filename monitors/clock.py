"""The clock monitors read ``now`` from: injected, so tests move time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, timezone-aware (the default clock)."""
    return datetime.now(UTC)
