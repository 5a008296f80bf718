"""What a delivery says (the envelope) and when a failed one is tried again (the retry policy).

Deliveries are written by whoever raises an alert or dispatches an event, in the same
transaction (see ``graph.crisis.alerts`` and ``graph.outbox``); the worker turns each into an
:class:`Envelope` and sends it in its target's format.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from graph.outbox import ClaimedDelivery


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped, and a number of attempts before giving up."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(seconds=60)
    max_attempts: int = 30

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1-based): half to full backoff."""
        exponential = self.base.total_seconds() * (2 ** max(0, attempts - 1))
        ceiling = min(self.cap.total_seconds(), exponential)
        jitter = (rng or random).uniform(0.5, 1.0)
        return timedelta(seconds=ceiling * jitter)

    def gives_up(self, attempts: int) -> bool:
        """True when ``attempts`` failed attempts are all this delivery gets."""
        return attempts >= self.max_attempts


@dataclass(frozen=True)
class Envelope:
    """A delivery's content, independent of the target's format."""

    idempotency_key: str
    event_type: str
    title: str
    lines: tuple[str, ...]
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The generic JSON body."""
        return {
            "idempotency_key": self.idempotency_key,
            "type": self.event_type,
            "title": self.title,
            "text": "\n".join(self.lines),
            "data": self.data,
        }


def _loads(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _alert_envelope(key: str, event_type: str, alert: Mapping[str, Any]) -> Envelope:
    explanation = _loads(alert.get("explanation")) or {}
    subject = alert.get("subject_name") or alert.get("subject_id")
    title = f"[{alert.get('severity')}] {alert.get('kind')}: {subject}"
    lines = [f"**{title}**", f"reason: {explanation.get('reason', '')}"]
    if alert.get("window_count") is not None:
        lines.append(
            f"window count {alert.get('window_count')} vs baseline "
            f"{alert.get('baseline_mean')} ± {alert.get('baseline_std')}"
        )
    sources = explanation.get("top_sources") or []
    if sources:
        names = [s["feed"] if isinstance(s, Mapping) else str(s) for s in sources]
        lines.append("sources: " + ", ".join(names))
    if explanation.get("top_terms"):
        lines.append("terms: " + ", ".join(explanation["top_terms"]))
    lines.append(f"alert {alert.get('id')} opened {_iso(alert.get('opened_at'))}")
    data = {
        key_: _iso(alert.get(key_))
        for key_ in (
            "id",
            "subject_id",
            "subject_name",
            "severity",
            "status",
            "kind",
            "opened_at",
            "updated_at",
            "window_count",
            "baseline_mean",
            "baseline_std",
        )
    }
    data["explanation"] = explanation
    return Envelope(key, event_type, title, tuple(lines), {"alert": data})


def _event_envelope(key: str, event: Mapping[str, Any]) -> Envelope:
    payload = _loads(event.get("payload")) or {}
    event_type = str(event.get("type"))
    reference = payload.get("complaint_no") or payload.get("step") or event.get("subject_id")
    title = f"{event_type}: {reference}"
    lines = [f"**{title}**"]
    lines += [f"{name}: {value}" for name, value in payload.items() if value is not None]
    data = {
        "id": event.get("id"),
        "type": event_type,
        "at": _iso(event.get("at")),
        "subject_id": event.get("subject_id"),
        "payload": payload,
    }
    return Envelope(key, event_type, title, tuple(lines), {"event": data})


def envelope_for(claimed: ClaimedDelivery) -> Envelope:
    """The envelope of a claimed delivery, from the alert or domain event it is for."""
    key = claimed.delivery.idempotency_key
    event_type = claimed.delivery.event_type or "alert.raised"
    subject = claimed.subject or {}
    if "DomainEvent" in claimed.subject_labels:
        return _event_envelope(key, subject)
    return _alert_envelope(key, event_type, subject)
