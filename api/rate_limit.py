"""Per-key request rate limits (token buckets), answered with 429 and ``Retry-After``.

The buckets live in this process: with several API processes behind a load balancer, set
``RISKWATCH_RATE_LIMIT_PER_MINUTE`` to the total allowed divided by the number of processes.
Losing them on restart is harmless (a limit, not a record), so nothing needs sharing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class KeyRateLimiter:
    """Allows ``per_minute`` requests per key on average, with bursts up to ``burst``."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, key_id: str) -> float:
        """Take one token; return 0 when allowed, else the seconds until a token is free."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        bucket = self._buckets.get(key_id)
        if bucket is None:
            bucket = self._buckets[key_id] = _Bucket(tokens=self.burst, updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


def retry_after_header(wait_s: float) -> str:
    """Whole seconds for ``Retry-After`` (at least 1)."""
    return str(max(1, math.ceil(wait_s)))
