"""Leased work loops: claim-and-work rounds, and handing the leases back when they stop.

A worker that dies keeps its leases until they run out (that is what makes leases safe); a
worker that is shut down, or whose loop is cancelled mid-round, can do better and release
them on the way out. The release runs shielded from the cancellation that stops the loop,
and bounded, so a shutdown with Neo4j gone is not held up: the leases then expire as usual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio

log = logging.getLogger(__name__)

RELEASE_TIMEOUT_S = 5.0


async def release_leases(release: Callable[[str], Awaitable[int]], owner: str, what: str) -> None:
    """Run ``release(owner)`` even while being cancelled; log how many ``what`` went back."""
    with anyio.move_on_after(RELEASE_TIMEOUT_S, shield=True):
        try:
            released = await release(owner)
        except Exception:  # the leases expire on their own; a failed release only delays them
            log.exception("releasing %s leases of %s failed; they will expire", what, owner)
            return
        if released:
            log.info("released %d %s leases of %s", released, what, owner)


async def run_leased_rounds(
    run_round: Callable[[], Awaitable[int]],
    release: Callable[[str], Awaitable[int]],
    owner: str,
    what: str,
    *,
    batch: int,
    interval_s: float,
    wake: asyncio.Event | None = None,
    stop: anyio.Event | None = None,
) -> None:
    """Rounds until ``stop`` is set (or forever, until cancelled): the next one at once
    after a round that claimed a full ``batch``, else after ``interval_s`` or sooner when
    ``wake`` or ``stop`` is set. A failed round is logged and the loop goes on. ``stop`` is
    honoured between rounds, so a round is never cut off; when the loop ends, stopped or
    cancelled (shutdown), the leases ``owner`` still holds go back at once."""
    try:
        while stop is None or not stop.is_set():
            try:
                claimed = await run_round()
            except Exception:  # the loop must outlive a bad round (Neo4j restart...); logged
                log.exception("%s round failed", what)
                claimed = 0
            if claimed >= batch:
                continue
            await _rest(interval_s, wake, stop)
            if wake is not None:
                wake.clear()
    finally:
        await release_leases(release, owner, what)


class _Signal(Protocol):
    async def wait(self) -> object: ...


async def _rest(interval_s: float, *signals: _Signal | None) -> None:
    """Wait ``interval_s``, or less once one of ``signals`` is set."""
    with anyio.move_on_after(interval_s):
        async with anyio.create_task_group() as group:

            async def end_on(signal: _Signal) -> None:
                await signal.wait()
                group.cancel_scope.cancel()

            for signal in signals:
                if signal is not None:
                    group.start_soon(end_on, signal)
            await anyio.sleep_forever()
