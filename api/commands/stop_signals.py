"""Running a worker loop until SIGINT or SIGTERM asks it to stop (``monitor``, ``score``)."""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable

import anyio


async def run_until_signalled(loop: Callable[[anyio.Event], Awaitable[None]]) -> None:
    """Run ``loop(stop)``; the first SIGINT or SIGTERM sets ``stop``, and the loop finishes
    its current round before returning (nothing is cut off half-written)."""
    stop = anyio.Event()
    async with anyio.create_task_group() as group:

        async def stop_on_signal() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    stop.set()
                    return

        group.start_soon(stop_on_signal)
        await loop(stop)
        group.cancel_scope.cancel()
