"""Pending-claim ages: whole days, fixed buckets, and age filters as report-time bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.errors import InvalidInput
from models.pending_claims import age_days, bucket_edges, bucket_labels, reported_between

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_buckets_and_edges_line_up() -> None:
    assert bucket_labels() == ["0-6", "7-29", "30-89", "90+"]
    edges = bucket_edges(NOW)
    assert edges == [NOW - timedelta(days=d) for d in (7, 30, 90)]
    for days, bucket in ((0, 0), (6, 0), (7, 1), (29, 1), (30, 2), (89, 2), (90, 3), (400, 3)):
        reported = NOW - timedelta(days=days, hours=1)
        assert age_days(reported, NOW) == days
        assert sum(reported <= edge for edge in edges) == bucket, days


def test_age_filters_become_report_bounds() -> None:
    after, before = reported_between(NOW, 7, 29)
    assert before is not None
    assert after is not None
    for days, inside in ((6, False), (7, True), (29, True), (30, False)):
        reported = NOW - timedelta(days=days, hours=3)
        assert (after < reported <= before) is inside, days
    assert reported_between(NOW, None, None) == (None, None)


def test_bad_age_filters_are_refused() -> None:
    with pytest.raises(InvalidInput, match="minAgeDays is more than maxAgeDays"):
        reported_between(NOW, 30, 7)
    with pytest.raises(InvalidInput, match="maxAgeDays must be between"):
        reported_between(NOW, None, -1)
