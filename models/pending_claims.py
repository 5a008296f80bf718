"""Pending claims by age: the age buckets claims staff and management read.

A claim's age is the whole days since it was reported. Buckets are fixed so that figures
compare from one week to the next: under 7 days, 7-29, 30-89, and 90 days or more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models.errors import InvalidInput

AGE_EDGES_DAYS: tuple[int, ...] = (7, 30, 90)


def age_days(reported_at: datetime, now: datetime) -> int:
    """Whole days from report to ``now`` (0 for a claim reported in the last 24 hours)."""
    return max((now - reported_at).days, 0)


def bucket_labels() -> list[str]:
    """The buckets' labels in order: ``0-6``, ``7-29``, ``30-89``, ``90+``."""
    lows = (0, *AGE_EDGES_DAYS)
    return [f"{low}-{high - 1}" for low, high in zip(lows, AGE_EDGES_DAYS, strict=False)] + [
        f"{AGE_EDGES_DAYS[-1]}+"
    ]


def bucket_edges(now: datetime) -> list[datetime]:
    """The report instants that separate the buckets, newest first: a claim reported at or
    before ``edges[i]`` is at least ``AGE_EDGES_DAYS[i]`` days old."""
    return [now - timedelta(days=days) for days in AGE_EDGES_DAYS]


def reported_between(
    now: datetime, min_age_days: int | None, max_age_days: int | None
) -> tuple[datetime | None, datetime | None]:
    """``(reported_after, reported_before)`` bounds for an age filter: the claim's age in
    whole days lies in ``[min_age_days, max_age_days]`` (either side open when None)."""
    for name, value in (("minAgeDays", min_age_days), ("maxAgeDays", max_age_days)):
        if value is not None and not 0 <= value <= 36_500:
            raise InvalidInput(f"{name} must be between 0 and 36500")
    if min_age_days is not None and max_age_days is not None and min_age_days > max_age_days:
        raise InvalidInput("minAgeDays is more than maxAgeDays")
    before = now - timedelta(days=min_age_days) if min_age_days is not None else None
    after = now - timedelta(days=max_age_days + 1) if max_age_days is not None else None
    return after, before
