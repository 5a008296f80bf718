"""What the outbox repositories return: deliveries, webhook targets and domain events as
frozen records built from Cypher maps (driver temporals already made native)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Delivery:
    """One message to one target about one alert or domain event, and how sending it went."""

    id: str
    idempotency_key: str
    event_type: str | None
    target_id: str | None
    status: str
    attempts: int
    created_at: datetime | None
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> Delivery:
        return cls(
            id=str(row["id"]),
            idempotency_key=str(row["idempotency_key"]),
            event_type=row.get("event_type"),
            target_id=row.get("target_id"),
            status=row["status"],
            attempts=int(row.get("attempts") or 0),
            created_at=row.get("created_at"),
            next_attempt_at=row.get("next_attempt_at"),
            last_attempt_at=row.get("last_attempt_at"),
            sent_at=row.get("sent_at"),
            last_error=row.get("last_error"),
        )


@dataclass(frozen=True)
class StoredTarget:
    """A webhook URL or e-mail recipient list, and which alerts and events it wants."""

    id: str
    name: str
    kind: str
    url: str
    secret: str | None
    min_severity: str | None
    event_types: tuple[str, ...]

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> StoredTarget:
        return cls(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            url=str(row["url"]),
            secret=row.get("secret"),
            min_severity=row.get("min_severity") or None,
            event_types=tuple(row.get("event_types") or ()),
        )


@dataclass(frozen=True)
class DomainEvent:
    """A change other departments react to; ``payload`` is the JSON text it was written with."""

    id: str
    type: str
    at: datetime | None
    subject_id: str | None
    payload: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> DomainEvent:
        return cls(
            id=str(row["id"]),
            type=str(row.get("type")),
            at=row.get("at"),
            subject_id=row.get("subject_id"),
            payload=row.get("payload"),
        )
