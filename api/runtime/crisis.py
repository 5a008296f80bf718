"""Crisis detection and alert delivery, wired from settings: the objects and their loops.

:class:`CrisisRuntime` holds the long-lived crisis objects (one per process): the plan store,
the detector the media pipeline calls (``detector.on_new_stories``), the alert broker that
feeds GraphQL subscriptions, the delivery worker, the domain-event dispatcher and the
escalation sweep. :func:`crisis_loops` runs their loops in a task group until shutdown;
an interval of 0 turns a loop off (e.g. API processes that leave delivery to a worker).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import anyio

from api.settings import CrisisSettings, Settings
from graph.client import Graph
from graph.crisis.alerts import RaisedAlert
from models.crisis import SpikeSettings
from monitors.clock import Clock, utc_now
from monitors.crisis.broker import AlertBroker
from monitors.crisis.detector import CrisisDetector
from monitors.crisis.escalation import EscalationSweep
from monitors.crisis.plans import DEFAULT_PLAN_FILE, PlanStore
from monitors.delivery.formats import SmtpConfig
from monitors.delivery.outbox import RetryPolicy
from monitors.delivery.worker import DeliveryWorker
from monitors.events_dispatch import DomainEventDispatcher
from monitors.schedule import run_every


def spike_settings(crisis: CrisisSettings) -> SpikeSettings:
    """The spike thresholds from the ``RISKWATCH_CRISIS_*`` settings."""
    return SpikeSettings(
        window=timedelta(minutes=crisis.window_minutes),
        baseline_days=crisis.baseline_days,
        threshold_sigma=crisis.threshold_sigma,
        min_count=crisis.min_count,
        warmup_days=crisis.warmup_days,
        day_before_ratio=crisis.day_before_ratio,
        min_std=crisis.min_std,
        warning_sigma=crisis.warning_sigma,
        crisis_sigma=crisis.crisis_sigma,
        crisis_min_count=crisis.crisis_min_count,
    )


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The mail relay, when ``RISKWATCH_SMTP_HOST`` is set."""
    if not settings.smtp.host:
        return None
    return SmtpConfig(
        host=settings.smtp.host,
        port=settings.smtp.port,
        sender=settings.smtp.sender,
        username=settings.smtp.username,
        password=settings.smtp.password.get_secret_value() or None,
        starttls=settings.smtp.starttls,
        timeout_s=settings.delivery.timeout_s,
    )


@dataclass
class CrisisRuntime:
    """The crisis objects of one process."""

    plans: PlanStore
    detector: CrisisDetector
    broker: AlertBroker
    delivery: DeliveryWorker
    dispatcher: DomainEventDispatcher
    escalation: EscalationSweep

    @classmethod
    def build(cls, settings: Settings, graph: Graph, clock: Clock = utc_now) -> CrisisRuntime:
        """Wire the crisis objects; an alert raised here wakes this process's worker and broker."""
        plans = PlanStore(graph, settings.crisis.plan_file or DEFAULT_PLAN_FILE, clock)
        broker = AlertBroker(graph, clock=clock)
        delivery = DeliveryWorker(
            graph,
            policy=RetryPolicy(
                base=timedelta(seconds=settings.delivery.backoff_base_s),
                cap=timedelta(seconds=settings.delivery.backoff_max_s),
                max_attempts=settings.delivery.max_attempts,
            ),
            smtp=smtp_config(settings),
            timeout_s=settings.delivery.timeout_s,
            clock=clock,
        )

        def alert_raised(raised: RaisedAlert) -> None:
            delivery.wake()
            broker.wake()

        detector = CrisisDetector(
            graph,
            plans,
            spike_settings(settings.crisis),
            dedup_window=timedelta(hours=settings.crisis.alert_dedup_hours),
            clock=clock,
            on_alert=alert_raised,
        )
        dispatcher = DomainEventDispatcher(graph, detector, clock=clock, on_enqueued=delivery.wake)
        return cls(plans, detector, broker, delivery, dispatcher, EscalationSweep(graph, clock))


@asynccontextmanager
async def crisis_loops(settings: Settings, graph: Graph) -> AsyncIterator[CrisisRuntime]:
    """The process's crisis objects, with every loop whose interval is above 0 running.

    Seeds the crisis plan first; on exit cancels the loops and closes the delivery worker's
    HTTP client (a delivery cut off mid-send is sent again once its lease runs out).
    """
    runtime = CrisisRuntime.build(settings, graph)
    await runtime.plans.seed()
    try:
        async with anyio.create_task_group() as tasks:
            loops = (
                (settings.crisis.alert_broker_interval_s, runtime.broker.run),
                (settings.delivery.interval_s, runtime.delivery.run),
                (settings.crisis.event_dispatch_interval_s, runtime.dispatcher.run),
            )
            for interval, loop in loops:
                if interval > 0:
                    tasks.start_soon(loop, interval)
            sweeps = (
                (settings.crisis.detect_interval_s, runtime.detector.sweep, "spike sweep"),
                (
                    settings.crisis.escalation_interval_s,
                    runtime.escalation.run_once,
                    "escalation sweep",
                ),
            )
            for interval, job, name in sweeps:
                if interval > 0:
                    tasks.start_soon(run_every, interval, job, name)
            yield runtime
            tasks.cancel_scope.cancel()
    finally:
        await runtime.delivery.aclose()
