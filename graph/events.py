"""The domain-event outbox: append events in the transaction of the change they describe."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.queries import APPEND_DOMAIN_EVENTS


class DomainEventType(StrEnum):
    """The event types other departments consume."""

    # A watchlist entry a reviewer confirmed (four eyes): renewal and frontline systems.
    WATCHLIST_ENTRY_ACTIVATED = "watchlist.entry_activated"
    COMPLAINT_FILED = "complaint.filed"
    COMPLAINT_ESCALATED = "complaint.escalated"
    COMPLAINT_OVERDUE = "complaint.overdue"
    COMPLAINT_JOINT_REVIEW_OPENED = "complaint.joint_review_opened"
    COMPLAINT_EXTENDED = "complaint.extended"
    COMPLAINT_RESOLVED = "complaint.resolved"
    COMPLAINT_DUE_SOON = "complaint.due_soon"
    COMPLAINT_CLOSED = "complaint.closed"
    COMPLAINT_REOPENED = "complaint.reopened"
    COMPLAINT_MERGED = "complaint.merged"
    # A renewal key refused for probing (issue 19): audit and alert, whatever the media say.
    IDENTIFIER_ENUMERATION_SUSPECTED = "identifier.enumeration_suspected"
    IDENTIFIER_FAILED_LIMIT_REACHED = "identifier.failed_limit_reached"


def domain_event(
    event_type: DomainEventType, subject_id: str, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """One outbox row: a fresh id, the type, the subject and the payload as JSON text."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type.value,
        "subject_id": subject_id,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str),
    }


def complaint_payload(
    complaint: Mapping[str, Any],
    customer_id: str | None,
    about_ids: Sequence[str],
    **extra: Any,
) -> dict[str, Any]:
    """The payload of a ``complaint.*`` event: the complaint's number, channel and category,
    its customer and subjects, ``from_channel``/``to_channel`` (None unless escalated), and
    ``extra`` (review id, due date...)."""
    return {
        "complaint_no": complaint["complaint_no"],
        "channel": complaint["channel"],
        "category": complaint["category"],
        "customer_id": customer_id,
        "about_ids": sorted(about_ids),
        "from_channel": None,
        "to_channel": None,
        **extra,
    }


async def append_domain_events(
    tx: AsyncManagedTransaction, events: Sequence[Mapping[str, Any]]
) -> int:
    """Write ``events`` (made by :func:`domain_event`) inside the caller's transaction."""
    if not events:
        return 0
    result = await tx.run(APPEND_DOMAIN_EVENTS, events=list(events))
    record = await result.single()
    return int(record["appended"]) if record else 0
