"""Per-key request rate limits (token buckets), answered with 429 and ``Retry-After``; the
same buckets, keyed by client address, limit failed authentications.

The buckets live in this process: with several API processes behind a load balancer, set
``RISKWATCH_RATE_LIMIT_PER_MINUTE`` to the total allowed divided by the number of processes.
Losing them on restart is harmless (a limit, not a record), so nothing needs sharing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import Counter

RATE_LIMITED = Counter(
    "riskwatch_rate_limited_total", "Requests refused by the per-key limit (HTTP and websocket)"
)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class KeyRateLimiter:
    """Allows ``per_minute`` requests per key on average, with bursts up to ``burst``."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _refilled(self, key_id: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key_id)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key_id] = _Bucket(tokens=self.burst, updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled (they hold nothing a new bucket would not), so
        many distinct keys (client addresses) cannot grow the memory without bound."""
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate >= self.burst
        ]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]

    def acquire(self, key_id: str) -> float:
        """Take one token; return 0 when allowed, else the seconds until a token is free."""
        if not self.enabled:
            return 0.0
        bucket = self._refilled(key_id)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def wait(self, key_id: str) -> float:
        """The seconds until ``key_id`` has a token, without taking one (0: it has one)."""
        if not self.enabled or key_id not in self._buckets:
            return 0.0
        bucket = self._refilled(key_id)
        return 0.0 if bucket.tokens >= 1.0 else (1.0 - bucket.tokens) / self.rate


def retry_after_header(wait_s: float) -> str:
    """Whole seconds for ``Retry-After`` (at least 1)."""
    return str(max(1, math.ceil(wait_s)))
