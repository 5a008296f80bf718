"""Exporting the business graph as JSON Lines in the import format (``riskwatch export``).

Records come out in import order (parties by kind, policies, claims, complaints, watchlist
entries) and, within a type, in ``id`` order, read one keyset page at a time: the export
streams whatever the size of the book, two exports of the same graph are byte-identical,
and ``riskwatch import`` of the file into an empty database rebuilds the graph.

Identifiers leave as keyed hashes with their masked forms (``identifier_keys``) plus the
identity secret's public check (``key_check``): raw ID numbers and phones are not in the
database, so they cannot be in an export either.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString, TextIO

import anyio

from graph.bulk import queries as q
from graph.bulk.ingest import DEFAULT_BATCH_SIZE
from graph.client import Graph
from graph.values import native
from models.complaint_record import fen_to_yuan
from models.identity import identity_key_check
from models.import_format import (
    HASHED_IDENTIFIER_COLUMN,
    IMPORT_ORDER,
    KEY_CHECK_COLUMN,
    PARTY_KEY_COLUMN,
    PARTY_TYPES,
    RecordType,
)
from models.records import PartyKind

Record = dict[str, Any]

_POLICY_FIELDS = ("product", "start_date", "end_date", "premium", "commercial", "plate_masked")
_CLAIM_FIELDS = (
    "status",
    "reported_at",
    "settled_at",
    "amount",
    "fraud_flag",
    "denial_code",
    "denial_reason",
    "denial_reason_valid",
    "handler",
)
_COMPLAINT_FIELDS = (
    "channel",
    "category",
    "status",
    "received_at",
    "due_at",
    "closed_at",
    "summary",
    # the complaint desk's lifecycle fields
    "extensions",
    "extended_by",
    "extension_reasons",
    "approver",
    "overdue_at",
    "resolution",
    "resolved_by",
    "filed_by",
    "repeat",
    "topic_terms",
    "nfra_category",
    "branch",
    "handler",
    "team",
    "assigned_at",
    "assigned_by",
    "amounts_at",
    "amounts_by",
    "root_cause",
    "root_cause_text",
    "root_cause_at",
    "root_cause_by",
    "satisfaction",
    "callback_at",
    "resolved_at",
    "closure_reason",
    "closure_note",
    "case_closed_at",
    "case_closed_by",
    "extended_at",
    "reopened_at",
    "reopened_by",
    "reopen_reasons",
    "clock_started_at",
    "due_soon_for",
    "merged_at",
    "merged_by",
    "merge_reason",
    "regulator_ref",
    "regulator_reply_due_at",
    "regulator_recorded_at",
    "regulator_recorded_by",
)
# Money is stored in whole fen and exported in yuan, as the import format writes it.
_COMPLAINT_MONEY = (("compensation_fen", "compensation"), ("dispute_fen", "amount_in_dispute"))
_ESCALATION_FIELDS = ("id", "from_channel", "to_channel", "at", "by", "reason")
_REVIEW_FIELDS = (
    "id",
    "status",
    "reasons",
    "participants",
    "opened_at",
    "opened_by",
    "outcome",
    "concluded_at",
    "concluded_by",
)
_ENTRY_FIELDS = (
    "reason",
    "status",
    "source",
    "summary",
    "proposed_by",
    "proposed_by_key",
    "created_at",
    "reviewed_by",
    "reviewed_by_key",
    "reviewed_at",
    "review_comment",
    "expires_at",
    "expired_at",
    "last_seen_at",
    "updated_at",
    "evidence_nodes",
    "evidence_edges",
    "fingerprint",
    "dismissed_fingerprint",
)
_AUDIT_FIELDS = ("id", "at", "actor", "action", "before", "after")
_CONTACT_FIELDS = ("id", "at", "by", "kind", "note", "satisfaction")
_ATTACHMENT_FIELDS = ("id", "sha256", "size", "media_type", "uri", "name", "added_at", "added_by")


@dataclass
class ExportReport:
    """Records written per type."""

    written: dict[RecordType, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Records written, all types together."""
        return sum(self.written.values())


def _plain(value: Any) -> Any:
    """A property value as JSON: temporals as ISO-8601 text (instants keep their offset),
    in lists too."""
    value = native(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _fields(node: Mapping[str, Any], names: Sequence[str]) -> Record:
    return {name: _plain(node[name]) for name in names if node.get(name) is not None}


def _first(values: Sequence[Any]) -> Any:
    return sorted(values)[0] if values else None


def _identifier_keys(node: Mapping[str, Any], identifiers: Sequence[Sequence[str]]) -> list[str]:
    """``KIND:hash:masked`` items, the ones the party shows as ``id_masked``/``phone_masked``
    first, so the import derives the same display fields from them."""
    shown = {node.get("id_masked"), node.get("phone_masked")}
    ordered = sorted(identifiers, key=lambda i: (i[2] not in shown, i[0], i[1]))
    return [f"{kind}:{key}:{masked}" for kind, key, masked in ordered]


class GraphExporter:
    """Reads the business graph page by page and yields import-format records."""

    def __init__(self, graph: Graph, secret: bytes, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.graph = graph
        self.key_check = identity_key_check(secret)
        self.batch_size = batch_size

    async def pages(self, record_type: RecordType) -> AsyncIterator[list[Record]]:
        """The records of one type, a page (``batch_size`` records) at a time, in id order
        (complaints in the order received)."""
        cypher, convert = self._reader(record_type)
        cursor: dict[str, Any] = {"after": "", "after_at": None}
        while True:
            page = await self.graph.read(cypher, limit=self.batch_size, **cursor)
            if not page:
                return
            yield [convert(record) for record in page]
            last = page[-1]["node"]
            cursor = {"after": last["id"], "after_at": last.get("received_at")}

    async def write(
        self, out: TextIO, on_page: Callable[[ExportReport], None] | None = None
    ) -> ExportReport:
        """Write every record as one JSON line to ``out``, in import order."""
        report = ExportReport()
        for record_type in IMPORT_ORDER:
            report.written[record_type] = 0
            async for page in self.pages(record_type):
                text = "".join(
                    json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
                    for record in page
                )
                # A file or a pipe may block: the write leaves the event loop.
                await anyio.to_thread.run_sync(out.write, text)
                report.written[record_type] += len(page)
                if on_page is not None:
                    on_page(report)
        return report

    def _reader(self, record_type: RecordType) -> tuple[LiteralString, Callable[[Any], Record]]:
        if record_type in PARTY_TYPES:
            kind = PARTY_TYPES[record_type]
            return q.PARTY_PAGES[kind.value], lambda r: self._party(record_type, kind, r)
        readers: dict[RecordType, tuple[LiteralString, Callable[[Any], Record]]] = {
            RecordType.POLICY: (q.POLICY_PAGE, _policy),
            RecordType.CLAIM: (q.CLAIM_PAGE, _claim),
            RecordType.COMPLAINT: (q.COMPLAINT_PAGE, _complaint),
            RecordType.BRANCH: (q.BRANCH_PAGE, _branch),
            RecordType.WATCHLIST_ENTRY: (q.WATCHLIST_PAGE, _watchlist_entry),
        }
        return readers[record_type]

    def _party(self, record_type: RecordType, kind: PartyKind, record: Any) -> Record:
        node = record["node"]
        out: Record = {
            "type": record_type.value,
            PARTY_KEY_COLUMN[kind]: node["ref"],
            "name": node["name"],
        }
        out.update(_fields(node, ("city", "since", "branch", "description")))
        if record["identifiers"]:
            out[HASHED_IDENTIFIER_COLUMN] = _identifier_keys(node, record["identifiers"])
        # On every party, so an import under another secret stops at the first record.
        out[KEY_CHECK_COLUMN] = self.key_check
        return out


def _policy(record: Any) -> Record:
    node = record["node"]
    out: Record = {"type": RecordType.POLICY.value, "policy_no": node["policy_no"]}
    out["customer_no"] = _first(record["holders"])
    if record["sellers"]:
        column, ref = _first(record["sellers"])
        out[column] = ref
    out["dealer_no"] = _first(record["dealers"])
    out.update(_fields(node, _POLICY_FIELDS))
    return {k: v for k, v in out.items() if v is not None}


def _claim(record: Any) -> Record:
    node = record["node"]
    out: Record = {
        "type": RecordType.CLAIM.value,
        "claim_no": node["claim_no"],
        "policy_no": _first(record["policies"]),
        "shop_code": _first(record["shops"]),
        "adjuster_no": _first(record["adjusters"]),
    }
    out.update(_fields(node, _CLAIM_FIELDS))
    return {k: v for k, v in out.items() if v is not None}


def _branch(record: Any) -> Record:
    node = record["node"]
    return {"type": RecordType.BRANCH.value, "branch_code": node["code"], "name": node["name"]}


def _complaint(record: Any) -> Record:
    node = record["node"]
    out: Record = {"type": RecordType.COMPLAINT.value, "complaint_no": node["complaint_no"]}
    if record["complainants"]:
        label, ref = _first(record["complainants"])
        out[PARTY_KEY_COLUMN[PartyKind(label)]] = ref
    for column, values in (
        ("policy_no", record["policies"]),
        ("claim_no", record["claims"]),
        ("about", record["parties"]),
        ("repeat_of", record["repeat_of"]),
        ("merged_from", record["merged_from"]),
    ):
        if values:
            out[column] = sorted(values)
    if record["merged_into"]:
        out["merged_into"] = _first(record["merged_into"])
    out.update(_fields(node, _COMPLAINT_FIELDS))
    for stored, column in _COMPLAINT_MONEY:
        if node.get(stored) is not None:
            out[column] = str(fen_to_yuan(int(node[stored])))
    for column, items, names, when in (
        ("escalations", record["escalations"], _ESCALATION_FIELDS, "at"),
        ("joint_reviews", record["joint_reviews"], _REVIEW_FIELDS, "opened_at"),
        ("contacts", record["contacts"], _CONTACT_FIELDS, "at"),
        ("attachments", record["attachments"], _ATTACHMENT_FIELDS, "added_at"),
        ("audit", record["audit"], _AUDIT_FIELDS, "at"),
    ):
        if items:
            history = [_fields(item, names) for item in items]
            out[column] = sorted(history, key=lambda item: (item[when], item["id"]))
    return out


def _watchlist_entry(record: Any) -> Record:
    node = record["node"]
    out: Record = {
        "type": RecordType.WATCHLIST_ENTRY.value,
        "entry_id": node["id"],
        "party": _first(record["parties"]) or node.get("party_id"),
    }
    out.update(_fields(node, _ENTRY_FIELDS))
    audit = [_fields(event, _AUDIT_FIELDS) for event in record["audit"]]
    if audit:
        out["audit"] = sorted(audit, key=lambda event: (event["at"], event["id"]))
    return out
