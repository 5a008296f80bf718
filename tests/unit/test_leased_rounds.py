"""The one leased-rounds loop (feed, scoring, delivery and event workers): when the next
round runs, how ``stop`` and cancellation end it, and that the leases always go back."""

from __future__ import annotations

import asyncio
import logging

import anyio
import anyio.lowlevel
import pytest

from monitors.leases import run_leased_rounds

LONG_S = 3600.0  # only a wake or a stop can end such a wait within a test
DEADLINE_S = 10.0


class Rounds:
    """Counts rounds and releases; each round claims the next of ``claims`` (then 0)."""

    def __init__(self, *claims: int | Exception) -> None:
        self.claims = list(claims)
        self.rounds = 0
        self.released: list[str] = []
        self.done = anyio.Event()

    async def run_round(self) -> int:
        self.rounds += 1
        claim = self.claims.pop(0) if self.claims else 0
        if not self.claims:
            self.done.set()
        if isinstance(claim, Exception):
            raise claim
        return claim

    async def release(self, owner: str) -> int:
        self.released.append(owner)
        return 1

    async def loop(
        self, owner: str, *, wake: asyncio.Event | None = None, stop: anyio.Event | None = None
    ) -> None:
        """The loop on these rounds: batches of 5, an idle wait no test could sit out."""
        await run_leased_rounds(
            self.run_round,
            self.release,
            owner,
            "thing",
            batch=5,
            interval_s=LONG_S,
            wake=wake,
            stop=stop,
        )


async def test_a_full_batch_runs_the_next_round_at_once_and_stop_ends_the_wait() -> None:
    rounds = Rounds(5, 5, 2)
    stop = anyio.Event()
    with anyio.fail_after(DEADLINE_S):
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: rounds.loop("w1", stop=stop))
            await rounds.done.wait()
            stop.set()
    # Two full batches went straight on; the short one waited, and stop cut the wait short.
    assert rounds.rounds == 3
    assert rounds.released == ["w1"]


async def test_stop_is_honoured_between_rounds_never_inside_one() -> None:
    stop = anyio.Event()
    finished: list[int] = []

    async def round_that_sets_stop() -> int:
        stop.set()
        await anyio.lowlevel.checkpoint()  # the round still runs to its end
        finished.append(1)
        return 10

    released: list[str] = []

    async def release(owner: str) -> int:
        released.append(owner)
        return 0

    with anyio.fail_after(DEADLINE_S):
        await run_leased_rounds(
            round_that_sets_stop, release, "w1", "thing", batch=1, interval_s=LONG_S, stop=stop
        )
    assert finished == [1]
    assert released == ["w1"]


async def test_a_failed_round_is_logged_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rounds = Rounds(RuntimeError("neo4j went away"), 3)
    wake = asyncio.Event()
    wake.set()  # the failed round waits like an empty one, and this wake ends that wait
    with anyio.fail_after(DEADLINE_S), caplog.at_level(logging.ERROR, "monitors.leases"):
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: rounds.loop("w2", wake=wake))
            await rounds.done.wait()
            group.cancel_scope.cancel()
    assert rounds.rounds == 2
    assert not wake.is_set(), "a wake is used up by the wait it ended"
    assert "thing round failed" in caplog.text
    # Cancelled (the shutdown of the delivery and event loops): the leases still go back.
    assert rounds.released == ["w2"]
