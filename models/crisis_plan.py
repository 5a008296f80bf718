"""Crisis plans as data: the steps per severity, their deadlines and escalation chains.

Parsed and validated from YAML or JSON (``parse_plan``); the escalation of an overdue step is
a pure function of the step and ``now``, so tests move the clock instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import yaml

from models.crisis import SEVERITY_ORDER, AlertKind, Severity, StepStatus
from models.errors import InvalidInput

# The longest deadline a step may have: a year.
MAX_MINUTES = 525_600


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan: who does what by when, and who hears about it when it is late."""

    key: str
    title: str
    role: str
    deadline_minutes: int
    escalate_to: tuple[str, ...]
    # Done as soon as someone acknowledges the alert (e.g. "notify the PR duty officer").
    done_on_acknowledge: bool = False


@dataclass(frozen=True)
class PlanLevel:
    """What a severity sets in motion."""

    severity: Severity
    opens_case: bool
    steps: tuple[PlanStep, ...]


@dataclass(frozen=True)
class CrisisPlan:
    """The active crisis plan: the steps per severity and the severity of absolute triggers."""

    name: str
    levels: Mapping[Severity, PlanLevel]
    trigger_severity: Mapping[AlertKind, Severity] = field(default_factory=dict)

    def level(self, severity: Severity) -> PlanLevel:
        return self.levels.get(severity) or PlanLevel(severity, False, ())

    def severity_for(self, kind: AlertKind, default: Severity) -> Severity:
        return self.trigger_severity.get(kind, default)


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _flag(raw: Mapping[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"{where}: '{key}' must be true or false")
    return value


def _parse_step(raw: Any, where: str) -> PlanStep:
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}: a step must be a mapping")
    minutes = raw.get("deadline_minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= MAX_MINUTES:
        raise InvalidInput(
            f"{where}: 'deadline_minutes' must be a whole number from 1 to {MAX_MINUTES}"
        )
    escalate = raw.get("escalate_to", [])
    if isinstance(escalate, str):
        escalate = [escalate]
    if not isinstance(escalate, list) or not all(isinstance(e, str) and e for e in escalate):
        raise InvalidInput(f"{where}: 'escalate_to' must be a role or a list of roles")
    return PlanStep(
        key=_text(raw, "key", where),
        title=_text(raw, "title", where),
        role=_text(raw, "role", where),
        deadline_minutes=minutes,
        escalate_to=tuple(escalate),
        done_on_acknowledge=_flag(raw, "done_on_acknowledge", where),
    )


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(str(value).upper())
    except ValueError:
        names = ", ".join(SEVERITY_ORDER)
        raise InvalidInput(f"{where}: unknown severity {value!r} (one of {names})") from None


def parse_plan(document: str) -> CrisisPlan:
    """Parse and validate a plan written as YAML or JSON (JSON is YAML too)."""
    try:
        raw = yaml.safe_load(document)
    except yaml.YAMLError as error:
        raise InvalidInput(f"the plan is not valid YAML or JSON: {error}") from None
    if not isinstance(raw, Mapping):
        raise InvalidInput("the plan must be a mapping with 'levels'")
    levels_raw = raw.get("levels")
    if not isinstance(levels_raw, Mapping) or not levels_raw:
        raise InvalidInput("the plan needs 'levels': a mapping from severity to steps")
    levels: dict[Severity, PlanLevel] = {}
    for name, body in levels_raw.items():
        severity = _severity(name, "levels")
        where = f"levels.{severity}"
        if not isinstance(body, Mapping):
            raise InvalidInput(f"{where}: must be a mapping with 'steps'")
        steps_raw = body.get("steps", [])
        if not isinstance(steps_raw, list):
            raise InvalidInput(f"{where}.steps: must be a list")
        steps = tuple(_parse_step(s, f"{where}.steps[{i}]") for i, s in enumerate(steps_raw))
        keys = [s.key for s in steps]
        if len(set(keys)) != len(keys):
            raise InvalidInput(f"{where}.steps: step keys must be unique")
        levels[severity] = PlanLevel(severity, _flag(body, "opens_case", where), steps)
    triggers_raw = raw.get("triggers", {}) or {}
    if not isinstance(triggers_raw, Mapping):
        raise InvalidInput("'triggers' must map alert kinds to severities")
    triggers: dict[AlertKind, Severity] = {}
    for kind_name, severity_name in triggers_raw.items():
        try:
            kind = AlertKind(str(kind_name).upper())
        except ValueError:
            raise InvalidInput(f"triggers: unknown alert kind {kind_name!r}") from None
        triggers[kind] = _severity(severity_name, f"triggers.{kind}")
    return CrisisPlan(str(raw.get("name", "crisis plan")), levels, triggers)


def plan_as_dict(plan: CrisisPlan) -> dict[str, Any]:
    """The plan as plain data (for JSON output)."""
    return {
        "name": plan.name,
        "triggers": {kind.value: sev.value for kind, sev in plan.trigger_severity.items()},
        "levels": {
            sev.value: {
                "opens_case": level.opens_case,
                "steps": [
                    {
                        "key": s.key,
                        "title": s.title,
                        "role": s.role,
                        "deadline_minutes": s.deadline_minutes,
                        "escalate_to": list(s.escalate_to),
                        "done_on_acknowledge": s.done_on_acknowledge,
                    }
                    for s in level.steps
                ],
            }
            for sev, level in plan.levels.items()
        },
    }


# ---------------------------------------------------------------- steps and escalation


@dataclass(frozen=True)
class StepState:
    """A crisis step as stored: who owns it now, by when, and how often it escalated."""

    id: str
    status: StepStatus
    role: str
    due_at: datetime
    deadline_minutes: int
    escalate_to: tuple[str, ...]
    escalation_level: int


@dataclass(frozen=True)
class Escalation:
    """What happens to an overdue step: its new owner, level and deadline."""

    step_id: str
    from_role: str
    to_role: str
    level: int
    new_due_at: datetime
    overdue_since: datetime


def step_due_at(triggered_at: datetime, step: PlanStep) -> datetime:
    """A step's deadline, relative to the trigger that opened its case."""
    return triggered_at + timedelta(minutes=step.deadline_minutes)


def overdue_escalation(step: StepState, now: datetime) -> Escalation | None:
    """The escalation of a pending step past its deadline at ``now``, or None.

    Each escalation hands the step to the next role of its ``escalate_to`` chain with a fresh
    deadline of the same length; once the chain is exhausted the last role keeps being
    reminded at every deadline.
    """
    if step.status is not StepStatus.PENDING or now < step.due_at:
        return None
    chain = step.escalate_to or (step.role,)
    level = step.escalation_level + 1
    to_role = chain[min(level, len(chain)) - 1]
    return Escalation(
        step_id=step.id,
        from_role=step.role,
        to_role=to_role,
        level=level,
        new_due_at=now + timedelta(minutes=step.deadline_minutes),
        overdue_since=step.due_at,
    )
