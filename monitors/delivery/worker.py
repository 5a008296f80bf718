"""The delivery worker: drains the outbox, sends, retries with backoff, survives restarts.

Each round leases due deliveries in one statement, sends them concurrently in their target's
format, and records SENT, or a failed attempt with the next attempt's time (FAILED after the
policy's last attempt). Nothing is held in memory between rounds: a new worker (after a
restart, or in another process) picks up whatever is pending once its lease has expired.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
import httpx
from prometheus_client import Counter, Histogram

from graph.client import Graph
from graph.outbox import ClaimedDelivery, OutboxRepository
from monitors.clock import Clock, utc_now
from monitors.delivery.formats import (
    SmtpConfig,
    TargetKind,
    email_message,
    http_delivery,
    robot_error,
    send_email,
)
from monitors.delivery.outbox import RetryPolicy, envelope_for
from monitors.leases import run_leased_rounds

log = logging.getLogger(__name__)

DELIVERIES = Counter("riskwatch_deliveries_total", "Delivery attempts", ["kind", "outcome"])
DELIVERY_DELAY = Histogram(
    "riskwatch_delivery_delay_seconds",
    "From a delivery's creation (with its alert or event) to its successful send",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 3600),
)


class DeliveryError(Exception):
    """A delivery attempt failed; the message says why (it is stored as ``last_error``)."""


@dataclass(frozen=True)
class DeliveryRound:
    """What one round did."""

    claimed: int
    sent: int
    retrying: int
    failed: int


class DeliveryWorker:
    """Sends the outbox's due deliveries. ``wake()`` starts the next round at once."""

    def __init__(
        self,
        graph: Graph,
        *,
        policy: RetryPolicy | None = None,
        smtp: SmtpConfig | None = None,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = 10.0,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 20,
        clock: Clock = utc_now,
        owner: str | None = None,
    ) -> None:
        self.outbox = OutboxRepository(graph)
        self.policy = policy or RetryPolicy()
        self.smtp = smtp
        self.http = http or httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)
        self.lease = lease
        self.batch = batch
        self.clock = clock
        self.owner = owner or f"delivery-{uuid.uuid4().hex[:12]}"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Start the next round now instead of at the end of the interval."""
        self._wake.set()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.aclose()

    async def run_once(self, now: datetime | None = None) -> DeliveryRound:
        """One round at ``now`` (default: the clock)."""
        now = now or self.clock()
        claimed = await self.outbox.claim(self.owner, now, now + self.lease, self.batch)
        outcomes: list[str] = []

        async def deliver(item: ClaimedDelivery) -> None:
            outcomes.append(await self._deliver(item, now))

        async with anyio.create_task_group() as tasks:
            for item in claimed:
                tasks.start_soon(deliver, item)
        return DeliveryRound(
            claimed=len(claimed),
            sent=outcomes.count("sent"),
            retrying=outcomes.count("retrying"),
            failed=outcomes.count("failed"),
        )

    async def run(self, interval_s: float) -> None:
        """Rounds forever: at once while there is a full batch, else every ``interval_s``.

        When cancelled (shutdown), deliveries cut off mid-send are handed back at once.
        """

        async def claimed() -> int:
            return (await self.run_once()).claimed

        await run_leased_rounds(
            claimed,
            self.outbox.release_leases,
            self.owner,
            "delivery",
            batch=self.batch,
            interval_s=interval_s,
            wake=self._wake,
        )

    async def _deliver(self, item: ClaimedDelivery, now: datetime) -> str:
        kind = str((item.target or {}).get("kind", "MISSING"))
        try:
            await self._send(item, now)
        except (DeliveryError, ValueError, KeyError, TypeError) as error:
            # A message that cannot even be built (a malformed target or alert) will never
            # go out: it fails at once instead of coming back after every lease.
            unbuildable = not isinstance(error, DeliveryError)
            attempts = item.attempts + 1
            give_up = unbuildable or item.target is None or self.policy.gives_up(attempts)
            next_at = now + self.policy.delay(attempts)
            reason = str(error) if not unbuildable else f"cannot build the message: {error!r}"
            await self.outbox.mark_failed(item.id, self.owner, reason, now, next_at, give_up)
            outcome = "failed" if give_up else "retrying"
            DELIVERIES.labels(kind, outcome).inc()
            log.warning("delivery %s attempt %d: %s (%s)", item.id, attempts, error, outcome)
            return outcome
        sent_at = self.clock()
        await self.outbox.mark_sent(item.id, self.owner, sent_at)
        DELIVERIES.labels(kind, "sent").inc()
        created_at = item.delivery.created_at
        if created_at is not None:
            DELIVERY_DELAY.observe(max(0.0, (sent_at - created_at).total_seconds()))
        return "sent"

    async def _send(self, item: ClaimedDelivery, now: datetime) -> None:
        if item.target is None:
            raise DeliveryError("the target was removed")
        envelope = envelope_for(item)
        kind = TargetKind(item.target["kind"])
        if kind is TargetKind.EMAIL:
            if self.smtp is None:
                raise DeliveryError("no SMTP relay configured (RISKWATCH_SMTP_HOST)")
            message = email_message(item.target, envelope, self.smtp.sender)
            try:
                await anyio.to_thread.run_sync(send_email, self.smtp, message)
            except (OSError, ValueError) as error:  # smtplib errors are OSErrors
                raise DeliveryError(f"SMTP: {error}") from error
            return
        request = http_delivery(item.target, envelope, now)
        try:
            response = await self.http.post(
                request.url, content=request.body, headers=dict(request.headers)
            )
        except httpx.HTTPError as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        if response.status_code >= 300:
            raise DeliveryError(f"HTTP {response.status_code}")
        if kind is not TargetKind.GENERIC:
            try:
                answer = response.json()
            except ValueError as error:
                raise DeliveryError("the robot answered something that is not JSON") from error
            problem = robot_error(kind, answer)
            if problem:
                raise DeliveryError(problem)
