"""The parts of a complaint record the desk adds after filing: assignment, contact log,
attachments, amounts, root cause, resolution, extensions, closure, reopenings, merges and the
regulator's referral. Plain frozen records built from the complaint projection's maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.values import native


@dataclass(frozen=True)
class ContactEntry:
    """One contact with the complainant; a callback (回访) carries its satisfaction result."""

    id: str
    at: datetime
    by: str
    kind: str
    note: str
    satisfaction: str | None


@dataclass(frozen=True)
class Attachment:
    """A document kept outside the graph, referenced by hash and URI."""

    id: str
    sha256: str
    size: int
    media_type: str
    uri: str
    name: str | None
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class Stamped:
    """A text someone recorded, with who and when (when may be unknown for old records)."""

    text: str
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class MergedComplaint:
    """A duplicate that was merged into this complaint."""

    id: str
    complaint_no: str
    received_at: datetime
    merged_at: datetime | None
    merged_by: str | None
    reason: str | None


@dataclass(frozen=True)
class ComplaintDetails:
    """Everything the desk recorded about a complaint after filing."""

    nfra_category: str | None = None
    branch: str | None = None
    branch_name: str | None = None
    handler: str | None = None
    team: str | None = None
    assigned_at: datetime | None = None
    assigned_by: str | None = None
    compensation_fen: int | None = None
    dispute_fen: int | None = None
    root_cause: str | None = None
    root_cause_text: str | None = None
    satisfaction: str | None = None
    resolution: Stamped | None = None
    extensions: list[Stamped] = field(default_factory=list)
    closure_reason: str | None = None
    closure: Stamped | None = None
    reopenings: list[Stamped] = field(default_factory=list)
    merged_into: str | None = None
    merged_at: datetime | None = None
    merged_from: list[MergedComplaint] = field(default_factory=list)
    regulator_ref: str | None = None
    regulator_reply_due_at: datetime | None = None
    contacts: list[ContactEntry] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> ComplaintDetails:
        """From a row of the complaint projection in ``graph.complaints.queries``."""
        q = row["complaint"]
        resolution = q.get("resolution")
        note = q.get("closure_note")
        return cls(
            nfra_category=q.get("nfra_category"),
            branch=q.get("branch"),
            branch_name=row.get("branch_name"),
            handler=q.get("handler"),
            team=q.get("team"),
            assigned_at=native(q.get("assigned_at")),
            assigned_by=q.get("assigned_by"),
            compensation_fen=q.get("compensation_fen"),
            dispute_fen=q.get("dispute_fen"),
            root_cause=q.get("root_cause"),
            root_cause_text=q.get("root_cause_text"),
            satisfaction=q.get("satisfaction"),
            resolution=Stamped(
                resolution,
                q.get("resolved_by"),
                native(q.get("resolved_at") or q.get("closed_at")),
            )
            if resolution
            else None,
            extensions=_history(q, "extension_reasons", "extended_by", "extended_at"),
            closure_reason=q.get("closure_reason"),
            closure=Stamped(note or "", q.get("case_closed_by"), native(q.get("case_closed_at")))
            if q.get("closure_reason")
            else None,
            reopenings=_history(q, "reopen_reasons", "reopened_by", "reopened_at"),
            merged_into=q.get("merged_into"),
            merged_at=native(q.get("merged_at")),
            merged_from=sorted(
                (
                    MergedComplaint(
                        id=m["id"],
                        complaint_no=m["complaint_no"],
                        received_at=native(m["received_at"]),
                        merged_at=native(m.get("merged_at")),
                        merged_by=m.get("merged_by"),
                        reason=m.get("merge_reason"),
                    )
                    for m in row.get("merged_from") or []
                ),
                key=lambda m: (m.received_at, m.id),
            ),
            regulator_ref=q.get("regulator_ref"),
            regulator_reply_due_at=native(q.get("regulator_reply_due_at")),
            contacts=sorted(
                (_contact(c) for c in row.get("contacts") or []), key=lambda c: (c.at, c.id)
            ),
            attachments=sorted(
                (_attachment(a) for a in row.get("attachments") or []),
                key=lambda a: (a.added_at, a.id),
            ),
        )


def _history(q: Mapping[str, Any], texts: str, whos: str, whens: str) -> list[Stamped]:
    """Parallel lists (reasons, who, when) as stamped entries; lists written before a field
    existed are shorter, so they are aligned on their last items."""
    reasons: Sequence[str] = q.get(texts) or []
    by: Sequence[str] = q.get(whos) or []
    at: Sequence[Any] = q.get(whens) or []
    n = len(reasons)
    padded_by = [None] * (n - len(by)) + list(by[-n:] if n else [])
    padded_at = [None] * (n - len(at)) + [native(x) for x in (at[-n:] if n else [])]
    return [Stamped(r, b, a) for r, b, a in zip(reasons, padded_by, padded_at, strict=True)]


def _contact(row: Mapping[str, Any]) -> ContactEntry:
    return ContactEntry(
        id=row["id"],
        at=native(row["at"]),
        by=row.get("by") or "unknown",
        kind=row["kind"],
        note=row.get("note") or "",
        satisfaction=row.get("satisfaction"),
    )


def _attachment(row: Mapping[str, Any]) -> Attachment:
    return Attachment(
        id=row["id"],
        sha256=row["sha256"],
        size=int(row["size"]),
        media_type=row["media_type"],
        uri=row["uri"],
        name=row.get("name"),
        added_at=native(row["added_at"]),
        added_by=row.get("added_by") or "unknown",
    )
