"""What a poll's outcome does to a feed: health fields, backoff, and disabling.

A failing feed is polled again later and later (exponential backoff, at least what the
server's ``Retry-After`` asked for) and disabled, with the reason, after
``failure_threshold`` consecutive failures; one success resets the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from graph.media.feeds import FeedRecord, PollRecord
from monitors.feeds.fetch import FetchOutcome, FetchResult
from monitors.feeds.parse import ParsedFeed

MAX_BACKOFF = timedelta(hours=6)


def backoff(poll_interval_s: int, failures: int) -> timedelta:
    """Wait before the next try after ``failures`` consecutive failures (capped)."""
    seconds = poll_interval_s * 2 ** min(failures, 16)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def poll_record(
    feed: FeedRecord,
    fetched: FetchResult,
    parsed: ParsedFeed | None,
    now: datetime,
    failure_threshold: int,
) -> PollRecord:
    """The changes to store on ``feed`` after one poll."""
    error = fetched.error
    if fetched.outcome is FetchOutcome.OK and parsed is not None and parsed.unusable:
        error = f"not a usable feed: {parsed.bozo_reason or 'no feed format recognised'}"
    props: dict[str, Any]
    if fetched.outcome is FetchOutcome.FAILED or error:
        failures = feed.consecutive_failures + 1
        wait = backoff(feed.poll_interval_s, failures)
        if fetched.retry_after_s is not None:
            wait = max(wait, timedelta(seconds=fetched.retry_after_s))
        props = {
            "consecutive_failures": failures,
            "last_error": error,
            "last_error_at": now,
            "last_status": fetched.status_code,
            "next_poll_at": now + wait,
        }
        if failures >= failure_threshold:
            props["enabled"] = False
            props["disabled_reason"] = f"{failures} consecutive failures, last: {error}"
        return PollRecord(feed.id, props)
    props = {
        "consecutive_failures": 0,
        "last_success_at": now,
        "last_status": fetched.status_code,
        "next_poll_at": now + timedelta(seconds=feed.poll_interval_s),
    }
    if fetched.etag:
        props["etag"] = fetched.etag
    if fetched.last_modified:
        props["last_modified"] = fetched.last_modified
    if parsed is not None:
        props["last_bozo"] = parsed.bozo
        props["last_bozo_reason"] = parsed.bozo_reason
    return PollRecord(feed.id, props)
