"""The escalation sweep: pending crisis steps past their deadline go to the next role.

Each escalation is recorded (an audit event) and announced (a ``crisis.step_escalated``
domain event, which the dispatcher turns into deliveries for the targets subscribed to it).
The sweep is safe to run in several processes: a step escalates only if its deadline is
still the one the sweep read.
"""

from __future__ import annotations

import logging
from datetime import datetime

from prometheus_client import Counter

from graph.client import Graph
from graph.crisis.cases import CrisisCaseRepository
from models.crisis_plan import Escalation, StepState, overdue_escalation
from monitors.clock import Clock, utc_now

log = logging.getLogger(__name__)

STEPS_ESCALATED = Counter("riskwatch_crisis_steps_escalated_total", "Crisis steps escalated")


class EscalationSweep:
    """Escalates overdue crisis steps at ``now``."""

    def __init__(self, graph: Graph, clock: Clock = utc_now) -> None:
        self.cases = CrisisCaseRepository(graph)
        self.clock = clock

    async def run_once(self, now: datetime | None = None) -> list[Escalation]:
        """Escalate every step overdue at ``now`` (default: the clock); return what escalated."""
        now = now or self.clock()
        applied: list[Escalation] = []
        for overdue in await self.cases.overdue_steps(now):
            step = overdue.step
            state = StepState(
                id=step.id,
                status=step.status,
                role=step.role,
                due_at=step.due_at,
                deadline_minutes=step.deadline_minutes,
                escalate_to=step.escalate_to,
                escalation_level=step.escalation_level,
            )
            escalation = overdue_escalation(state, now)
            if escalation is None:
                continue
            payload = {
                "case_id": step.case_id,
                "step_id": state.id,
                "step": step.title,
                "subject_id": overdue.subject_id,
                "severity": overdue.severity,
                "from_role": escalation.from_role,
                "to_role": escalation.to_role,
                "level": escalation.level,
                "overdue_since": escalation.overdue_since.isoformat(),
                "new_due_at": escalation.new_due_at.isoformat(),
            }
            if await self.cases.escalate_step(escalation, state.due_at, payload, now):
                STEPS_ESCALATED.inc()
                log.warning(
                    "crisis step %s overdue since %s: escalated to %s",
                    state.id,
                    escalation.overdue_since,
                    escalation.to_role,
                )
                applied.append(escalation)
        return applied
