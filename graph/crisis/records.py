"""What the alert and crisis-case repositories return: frozen records built from Cypher maps
(the stored properties, with driver temporals already made native)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.crisis import AlertKind, AlertStatus, CaseStatus, Severity, StepStatus


@dataclass(frozen=True)
class StoredAlert:
    """An alert as stored, with the id of the crisis case it joined (if any)."""

    id: str
    subject_id: str
    subject_name: str | None
    severity: Severity
    status: AlertStatus
    kind: AlertKind
    opened_at: datetime
    updated_at: datetime
    notified_at: datetime | None
    explanation: Mapping[str, Any]
    window_count: float | None
    baseline_mean: float | None
    baseline_std: float | None
    case_id: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> StoredAlert:
        explanation = row.get("explanation")
        return cls(
            id=row["id"],
            subject_id=row["subject_id"],
            subject_name=row.get("subject_name"),
            severity=Severity(row["severity"]),
            status=AlertStatus(row["status"]),
            kind=AlertKind(row["kind"]),
            opened_at=row["opened_at"],
            updated_at=row.get("updated_at") or row["opened_at"],
            notified_at=row.get("notified_at"),
            # Stored as JSON text (a map property cannot nest in Neo4j).
            explanation=json.loads(explanation) if isinstance(explanation, str) else {},
            window_count=row.get("window_count"),
            baseline_mean=row.get("baseline_mean"),
            baseline_std=row.get("baseline_std"),
            case_id=row.get("case_id") or None,
        )


@dataclass(frozen=True)
class AlertMention:
    """A mention an alert cites, with the name of the feed it came from."""

    alert_id: str
    id: str
    title: str | None
    url: str | None
    published_at: datetime | None
    sentiment: str | None
    feed: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> AlertMention:
        return cls(
            alert_id=row["alert_id"],
            id=row["id"],
            title=row.get("title"),
            url=row.get("url"),
            published_at=row.get("published_at"),
            sentiment=row.get("sentiment"),
            feed=row.get("feed"),
        )


@dataclass(frozen=True)
class StoredCase:
    """A crisis case."""

    id: str
    title: str
    status: CaseStatus
    severity: Severity
    subject_id: str
    opened_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> StoredCase:
        return cls(
            id=row["id"],
            title=row.get("title") or "",
            status=CaseStatus(row["status"]),
            severity=Severity(row["severity"]),
            subject_id=row["subject_id"],
            opened_at=row["opened_at"],
            resolved_at=row.get("resolved_at"),
            resolved_by=row.get("resolved_by"),
            resolution=row.get("resolution"),
        )


@dataclass(frozen=True)
class StoredStep:
    """A step of a crisis case, with its deadline and escalation state."""

    id: str
    case_id: str | None
    key: str
    title: str
    role: str
    planned_role: str | None
    assignee: str | None
    status: StepStatus
    due_at: datetime
    deadline_minutes: int
    escalate_to: tuple[str, ...]
    escalation_level: int
    escalated_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    note: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> StoredStep:
        return cls(
            id=row["id"],
            case_id=row.get("case_id"),
            key=row["key"],
            title=row["title"],
            role=row["role"],
            planned_role=row.get("planned_role"),
            assignee=row.get("assignee"),
            status=StepStatus(row["status"]),
            due_at=row["due_at"],
            deadline_minutes=int(row.get("deadline_minutes") or 0),
            escalate_to=tuple(row.get("escalate_to") or ()),
            escalation_level=int(row.get("escalation_level") or 0),
            escalated_at=row.get("escalated_at"),
            completed_at=row.get("completed_at"),
            completed_by=row.get("completed_by"),
            note=row.get("note"),
        )


@dataclass(frozen=True)
class OverdueStep:
    """A pending step past its deadline, with its case's subject and severity."""

    step: StoredStep
    subject_id: str | None
    severity: str | None


@dataclass(frozen=True)
class TimelineEvent:
    """One audited action on a case, its steps or its alerts."""

    at: datetime
    actor: str | None
    action: str
    subject_id: str | None
    before: str | None
    after: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> TimelineEvent:
        return cls(
            at=row["at"],
            actor=row.get("actor"),
            action=row["action"],
            subject_id=row.get("subject_id"),
            before=row.get("before"),
            after=row.get("after"),
        )


@dataclass(frozen=True)
class RelatedComplaint:
    """A complaint by, about, or being one of a case's subjects."""

    id: str
    complaint_no: str | None
    channel: str | None
    status: str | None
    category: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> RelatedComplaint:
        return cls(
            id=row["id"],
            complaint_no=row.get("complaint_no"),
            channel=row.get("channel"),
            status=row.get("status"),
            category=row.get("category"),
        )


@dataclass(frozen=True)
class Neighbour:
    """A business node within two hops of a case's subject, and the types of the hops."""

    from_id: str
    id: str | None
    labels: list[str]
    name: str | None
    via: list[str]

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> Neighbour:
        return cls(
            from_id=row["from_id"],
            id=row.get("id"),
            labels=list(row.get("labels") or ()),
            name=row.get("name"),
            via=list(row.get("via") or ()),
        )


# -- what the detector reads -------------------------------------------------------------------


@dataclass(frozen=True)
class CoveredSubject:
    """A party or subject that negative stories mention."""

    subject_id: str
    name: str | None
    kind: str | None

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> CoveredSubject:
        return cls(str(row["subject_id"]), row.get("name"), row.get("kind"))


@dataclass(frozen=True)
class NegativeStory:
    """A story negative about a subject: when it came out, how sure the model is about it,
    and the weight of its best source."""

    story_id: str
    at: datetime
    confidence: float
    source_weight: float

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> NegativeStory:
        return cls(
            str(row["story_id"]), row["at"], float(row["confidence"]), float(row["source_weight"])
        )


@dataclass(frozen=True)
class StoryMention:
    """A mention of a story, with the feed it came from."""

    story_id: str
    story_title: str | None
    mention_id: str
    title: str | None
    feed: str | None
    high_impact: bool

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> StoryMention:
        return cls(
            story_id=row["story_id"],
            story_title=row.get("story_title"),
            mention_id=row["mention_id"],
            title=row.get("title"),
            feed=row.get("feed"),
            high_impact=bool(row.get("high_impact")),
        )


@dataclass(frozen=True)
class StoryTrigger:
    """A new negative story about a subject, with what makes it an alert by itself: its
    high-impact feeds and the subject's open regulator complaints."""

    story_id: str
    title: str | None
    subject_id: str
    name: str | None
    kind: str | None
    mention_ids: tuple[str, ...]
    high_impact_feeds: tuple[str, ...]
    regulator_complaints: tuple[str, ...]

    @classmethod
    def from_map(cls, row: Mapping[str, Any]) -> StoryTrigger:
        return cls(
            story_id=row["story_id"],
            title=row.get("title"),
            subject_id=row["subject_id"],
            name=row.get("name"),
            kind=row.get("kind"),
            mention_ids=tuple(row.get("mention_ids") or ()),
            high_impact_feeds=tuple(row.get("high_impact_feeds") or ()),
            regulator_complaints=tuple(row.get("regulator_complaints") or ()),
        )
