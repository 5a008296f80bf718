"""GraphQL types of the complete complaint record (assignment, contact log, attachments,
amounts, root cause, resolution, extensions, closure, reopenings, merges, the regulator's
referral, the audit history) and their conversion from repository records.

Who reads what: the desk (``complaints``) reads the whole record; other readers of complaints
(``risk``) do not see the contact log, the attachments (documents often hold ID cards and
medical records) or the history, whose fields say so with their own permission.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from graph.access.audit import AuditEvent
from graph.complaints.actions import complaint_history
from graph.complaints.details import ComplaintDetails, Stamped
from models.complaint_record import CURRENCY, ROOT_CAUSE_NAMES_ZH, fen_to_yuan

# Re-exported: schema modules import these from here, so their registration below has run.
from models.complaint_record import ClosureReason as ClosureReason
from models.complaint_record import ContactKind as ContactKind
from models.complaint_record import RootCause as RootCause
from models.complaint_record import Satisfaction as Satisfaction
from models.nfra_categories import NFRA_CATEGORIES
from models.nfra_categories import NfraCategory as NfraCategory
from models.nfra_categories import NfraKind as NfraKind
from models.roles import Role

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(NfraCategory, name="NfraCategory")
strawberry.enum(NfraKind, name="NfraKind")
strawberry.enum(RootCause, name="ComplaintRootCause")
strawberry.enum(ContactKind, name="ComplaintContactKind")
strawberry.enum(Satisfaction, name="CallbackSatisfaction")
strawberry.enum(ClosureReason, name="ComplaintClosureReason")

# The contact log, the documents and the history are the complaint desk's working file.
DESK_FILE = allow(Role.COMPLAINTS)


@strawberry.type(description="An amount of money: exact decimal yuan, currency CNY.")
class Money:
    amount: Decimal
    currency: str


@strawberry.type(description="A branch (机构) of the company.")
class Branch:
    code: str
    name: str


@strawberry.type(description="Who handles the complaint.")
class ComplaintAssignment:
    handler: str | None
    team: str | None
    assigned_at: datetime | None
    assigned_by: str | None


@strawberry.type(description="Why the complaint arose (投诉根因).")
class ComplaintRootCauseView:
    code: RootCause
    name_zh: str
    text: str | None


@strawberry.type(description="A text someone recorded, with who and when (when may be unknown).")
class ComplaintNote:
    text: str
    by: str | None
    at: datetime | None


@strawberry.type(description="How and when the complaint was closed (办结).")
class ComplaintClosure:
    reason: ClosureReason
    note: str | None
    by: str | None
    at: datetime | None


@strawberry.type(description="A duplicate merged into this complaint (its own history stays).")
class MergedComplaint:
    id: strawberry.ID
    complaint_no: str
    received_at: datetime
    merged_at: datetime | None
    merged_by: str | None
    reason: str | None


@strawberry.type(description="The regulator's referral (转办) of a complaint.")
class RegulatorReferral:
    referral_no: str | None
    reply_due_at: datetime | None


@strawberry.type(description="A contact with the complainant; a callback (回访) has a result.")
class ComplaintContact:
    id: strawberry.ID
    at: datetime
    by: str
    kind: ContactKind
    note: str
    satisfaction: Satisfaction | None


@strawberry.type(description="A document kept outside the graph: hash, size, type and URI.")
class ComplaintAttachment:
    id: strawberry.ID
    sha256: str
    size: int
    media_type: str
    uri: str
    name: str | None
    added_at: datetime
    added_by: str


@strawberry.type(description="One action on the complaint (or on a duplicate merged into it).")
class ComplaintHistoryEntry:
    at: datetime
    actor: str
    action: str
    complaint_id: strawberry.ID | None
    before: str | None
    after: str | None


@strawberry.type(description="A complaint category of the regulator's (NFRA) scheme.")
class NfraCategoryInfo:
    code: NfraCategory
    kind: NfraKind
    name_zh: str
    name_en: str


def nfra_info(category: NfraCategory) -> NfraCategoryInfo:
    info = NFRA_CATEGORIES[category]
    return NfraCategoryInfo(
        code=category, kind=info.kind, name_zh=info.name_zh, name_en=info.name_en
    )


def money(fen: int | None) -> Money | None:
    return None if fen is None else Money(amount=fen_to_yuan(fen), currency=CURRENCY)


def _note(stamped: Stamped) -> ComplaintNote:
    return ComplaintNote(text=stamped.text, by=stamped.by, at=stamped.at)


def record_fields(d: ComplaintDetails) -> dict[str, Any]:
    """The record's fields of the GraphQL ``Complaint``, from the repository's details."""
    return {
        "branch": Branch(code=d.branch, name=d.branch_name or d.branch) if d.branch else None,
        "assignment": ComplaintAssignment(
            handler=d.handler, team=d.team, assigned_at=d.assigned_at, assigned_by=d.assigned_by
        )
        if d.handler or d.team
        else None,
        "compensation": money(d.compensation_fen),
        "amount_in_dispute": money(d.dispute_fen),
        "root_cause": ComplaintRootCauseView(
            code=RootCause(d.root_cause),
            name_zh=ROOT_CAUSE_NAMES_ZH[RootCause(d.root_cause)],
            text=d.root_cause_text,
        )
        if d.root_cause
        else None,
        "satisfaction": Satisfaction(d.satisfaction) if d.satisfaction else None,
        "resolution": _note(d.resolution) if d.resolution else None,
        "extension_reasons": [_note(e) for e in d.extensions],
        "closure": ComplaintClosure(
            reason=ClosureReason(d.closure_reason),
            note=d.closure.text or None,
            by=d.closure.by,
            at=d.closure.at,
        )
        if d.closure and d.closure_reason
        else None,
        "reopenings": [_note(r) for r in d.reopenings],
        "merged_into": strawberry.ID(d.merged_into) if d.merged_into else None,
        "merged_at": d.merged_at,
        "merged_from": [
            MergedComplaint(
                id=strawberry.ID(m.id),
                complaint_no=m.complaint_no,
                received_at=m.received_at,
                merged_at=m.merged_at,
                merged_by=m.merged_by,
                reason=m.reason,
            )
            for m in d.merged_from
        ],
        "regulator_referral": RegulatorReferral(
            referral_no=d.regulator_ref, reply_due_at=d.regulator_reply_due_at
        )
        if d.regulator_ref or d.regulator_reply_due_at
        else None,
        "contact_log": [
            ComplaintContact(
                id=strawberry.ID(c.id),
                at=c.at,
                by=c.by,
                kind=ContactKind(c.kind),
                note=c.note,
                satisfaction=Satisfaction(c.satisfaction) if c.satisfaction else None,
            )
            for c in d.contacts
        ],
        "attachments": [
            ComplaintAttachment(
                id=strawberry.ID(a.id),
                sha256=a.sha256,
                size=a.size,
                media_type=a.media_type,
                uri=a.uri,
                name=a.name,
                added_at=a.added_at,
                added_by=a.added_by,
            )
            for a in d.attachments
        ],
    }


def history_loader(info: Info[Context, None]) -> DataLoader[str, list[AuditEvent]]:
    """The request's loader of complaint histories (one query for every complaint asked)."""
    graph = info.context.graph

    async def load(ids: Sequence[str]) -> list[list[AuditEvent]]:
        found = await complaint_history(graph, ids)
        return [found.get(cid, []) for cid in ids]

    return info.context.loader("complaints.history", lambda: DataLoader(load_fn=load))


def history_entry(event: AuditEvent) -> ComplaintHistoryEntry:
    return ComplaintHistoryEntry(
        at=event.at,
        actor=event.actor,
        action=event.action,
        complaint_id=strawberry.ID(event.subject_id) if event.subject_id else None,
        before=event.before,
        after=event.after,
    )
