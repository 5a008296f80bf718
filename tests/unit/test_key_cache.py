"""The memory of authenticated keys forgets them after its time, when full, and on clear."""

from __future__ import annotations

from api.key_cache import PrincipalCache
from graph.access.apikeys import Principal
from models.roles import Role
from tests.unit.fake_clock import FakeClock

RISK = Principal(key_id="k1", name="risk desk", role=Role.RISK)
PR = Principal(key_id="k2", name="pr desk", role=Role.PR)


def test_a_key_is_remembered_until_its_time_is_up() -> None:
    clock = FakeClock()
    cache = PrincipalCache(2.0, clock=clock)
    cache.put("h1", RISK)
    clock.now += 1.9
    assert cache.get("h1") == RISK
    clock.now += 0.1
    assert cache.get("h1") is None


def test_zero_time_remembers_nothing() -> None:
    cache = PrincipalCache(0)
    cache.put("h1", RISK)
    assert cache.get("h1") is None


def test_the_least_recently_stored_key_goes_first_when_full() -> None:
    cache = PrincipalCache(60, max_keys=2, clock=FakeClock())
    cache.put("h1", RISK)
    cache.put("h2", PR)
    cache.put("h1", RISK)  # stored again: now the newest
    cache.put("h3", PR)
    assert cache.get("h2") is None
    assert cache.get("h1") == RISK
    assert cache.get("h3") == PR


def test_clear_forgets_every_key() -> None:
    cache = PrincipalCache(60, clock=FakeClock())
    cache.put("h1", RISK)
    cache.clear()
    assert cache.get("h1") is None
