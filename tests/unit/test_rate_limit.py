"""Token buckets per key: bursts allowed, then one request per 1/rate seconds."""

from __future__ import annotations

from api.rate_limit import KeyRateLimiter, retry_after_header
from tests.unit.fake_clock import FakeClock


def test_burst_then_refill() -> None:
    clock = FakeClock()
    limiter = KeyRateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.acquire("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("k")
    assert 0.99 <= wait <= 1.0
    clock.now += 1.0
    assert limiter.acquire("k") == 0.0


def test_keys_are_independent() -> None:
    limiter = KeyRateLimiter(per_minute=60, burst=1, clock=FakeClock())
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


def test_zero_rate_disables() -> None:
    limiter = KeyRateLimiter(per_minute=0, burst=1, clock=FakeClock())
    assert all(limiter.acquire("k") == 0.0 for _ in range(100))


def test_retry_after_is_whole_seconds() -> None:
    assert retry_after_header(0.2) == "1"
    assert retry_after_header(2.1) == "3"
