"""What the complaint repositories return: plain frozen records built from Cypher maps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.complaints.details import ComplaintDetails
from graph.values import native
from models.records import ComplaintCategory, ComplaintChannel, ComplaintStatus


@dataclass(frozen=True)
class PartyRef:
    """A party or business record a complaint or feedback points at (masked identifiers)."""

    id: str
    kind: str
    ref: str | None
    name: str | None = None
    customer_no: str | None = None
    id_masked: str | None = None
    phone_masked: str | None = None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> PartyRef:
        return cls(
            id=row["id"],
            kind=row.get("kind") or "Unknown",
            ref=row.get("ref"),
            name=row.get("name"),
            customer_no=row.get("customer_no"),
            id_masked=row.get("id_masked"),
            phone_masked=row.get("phone_masked"),
        )


@dataclass(frozen=True)
class Escalation:
    """One step up the channel ladder."""

    id: str
    from_channel: ComplaintChannel
    to_channel: ComplaintChannel
    at: datetime
    by: str
    reason: str | None


@dataclass(frozen=True)
class JointReview:
    """A joint review (会商) of a complaint."""

    id: str
    status: str
    reasons: list[str]
    participants: list[str]
    opened_at: datetime
    opened_by: str
    outcome: str | None = None
    concluded_at: datetime | None = None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> JointReview:
        return cls(
            id=row["id"],
            status=row["status"],
            reasons=list(row.get("reasons") or []),
            participants=list(row.get("participants") or []),
            opened_at=native(row["opened_at"]),
            opened_by=row.get("opened_by") or "unknown",
            outcome=row.get("outcome"),
            concluded_at=native(row.get("concluded_at")),
        )


@dataclass(frozen=True)
class Complaint:
    """A complaint with its complainant, subjects, channel history, reviews and the record
    the desk keeps after filing (``details``)."""

    id: str
    complaint_no: str
    channel: ComplaintChannel
    category: ComplaintCategory
    status: ComplaintStatus
    received_at: datetime
    due_at: datetime
    summary: str
    closed_at: datetime | None
    extensions: int
    approver: str | None
    repeat: bool
    complainant: PartyRef | None
    about: list[PartyRef] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    reviews: list[JointReview] = field(default_factory=list)
    repeat_of: list[str] = field(default_factory=list)
    topic_terms: list[str] = field(default_factory=list)
    details: ComplaintDetails = field(default_factory=ComplaintDetails)

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> Complaint:
        """From a row of the complaint projection in ``graph.complaints.queries``."""
        q = row["complaint"]
        escalations = sorted(
            (
                Escalation(
                    id=e["id"],
                    from_channel=ComplaintChannel(e["from_channel"]),
                    to_channel=ComplaintChannel(e["to_channel"]),
                    at=native(e["at"]),
                    by=e.get("by") or "unknown",
                    reason=e.get("reason"),
                )
                for e in row["escalations"]
            ),
            key=lambda e: (e.at, e.id),
        )
        reviews = sorted(
            (JointReview.from_map(r) for r in row["reviews"]), key=lambda r: (r.opened_at, r.id)
        )
        return cls(
            id=q["id"],
            complaint_no=q["complaint_no"],
            channel=ComplaintChannel(q["channel"]),
            category=ComplaintCategory(q["category"]),
            status=ComplaintStatus(q["status"]),
            received_at=native(q["received_at"]),
            due_at=native(q["due_at"]),
            summary=q.get("summary") or "",
            closed_at=native(q.get("closed_at")),
            extensions=int(q.get("extensions") or 0),
            approver=q.get("approver"),
            repeat=bool(q.get("repeat")),
            complainant=PartyRef.from_map(row["complainant"]) if row["complainant"] else None,
            about=sorted((PartyRef.from_map(a) for a in row["about"]), key=lambda a: a.id),
            escalations=escalations,
            reviews=reviews,
            repeat_of=sorted(row["repeat_of"]),
            topic_terms=list(q.get("topic_terms") or []),
            details=ComplaintDetails.from_record(row),
        )


@dataclass(frozen=True)
class HandlingGuide:
    """A script for the frontline handler of a common dispute."""

    id: str
    key: str
    title: str
    category: ComplaintCategory
    keywords: list[str]
    script: str
    updated_at: datetime | None
    updated_by: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> HandlingGuide:
        return cls(
            id=row["id"],
            key=row["key"],
            title=row["title"],
            category=ComplaintCategory(row["category"]),
            keywords=list(row.get("keywords") or []),
            script=row["script"],
            updated_at=native(row.get("updated_at")),
            updated_by=row.get("updated_by"),
        )
