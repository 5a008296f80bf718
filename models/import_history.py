"""The history parts of the import format that ``riskwatch export`` writes so that a restore
keeps what happened, not only what is: a watchlist entry's fields, evidence and audit trail,
and a complaint's lifecycle fields, channel escalations and joint reviews.

Pure parsing on top of ``models.import_columns``; nested items (audit events, escalations,
reviews) are JSON objects, their instants passed on as ISO-8601 text in UTC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from models.complaint_record import (
    ClosureReason,
    ContactKind,
    RootCause,
    Satisfaction,
    attachment_ref,
)
from models.complaint_topics import is_topic_term
from models.errors import InvalidInput
from models.import_columns import (
    MAX_ITEMS,
    RowError,
    choice_value,
    flag_value,
    instant_value,
    key_values,
    many_values,
    number_value,
    present,
    required_text,
    text_value,
)
from models.nfra_categories import NfraCategory
from models.records import AuditRow, ComplaintChannel
from models.text_scrub import scrub_personal_data
from models.watchlist import WatchlistStatus

_NODE_ID = re.compile(r"[A-Za-z_]+:[^|\s]{1,120}")
_REL_TYPE = re.compile(r"[A-Z_]{1,40}")
_FINGERPRINT = re.compile(r"[0-9a-f]{1,64}")
_ENTRY_TEXT = (
    "summary",
    "proposed_by",
    "proposed_by_key",
    "reviewed_by",
    "reviewed_by_key",
    "review_comment",
)
_ENTRY_INSTANTS = (
    "created_at",
    "reviewed_at",
    "expires_at",
    "expired_at",
    "last_seen_at",
    "updated_at",
)


def node_ids(raw: Mapping[str, Any], column: str) -> list[str]:
    """Node ids (``<kind>:<key>``), as evidence lists hold them."""
    ids = many_values(raw, column, limit=None)
    bad = next((n for n in ids if not _NODE_ID.fullmatch(n)), None)
    if bad is not None:
        raise RowError(column, f"{bad!r} is not a node id (<kind>:<key>)")
    return ids


def _evidence_edges(raw: Mapping[str, Any]) -> list[str]:
    edges = many_values(raw, "evidence_edges", limit=None)
    for edge in edges:
        parts = edge.split("|")
        if len(parts) != 3 or not (
            _NODE_ID.fullmatch(parts[0])
            and _REL_TYPE.fullmatch(parts[1])
            and _NODE_ID.fullmatch(parts[2])
        ):
            raise RowError("evidence_edges", f"{edge!r} is not source|TYPE|target")
    return edges


def _fingerprint(raw: Mapping[str, Any], column: str) -> str | None:
    value = text_value(raw, column)
    if value is not None and not _FINGERPRINT.fullmatch(value):
        raise RowError(column, "expected up to 64 lower-case hex characters")
    return value


def _objects(raw: Mapping[str, Any], column: str) -> list[Mapping[str, Any]]:
    """A list of JSON objects (or, in a CSV cell, the JSON text of one)."""
    value = raw.get(column)
    if isinstance(value, str) and value.strip():
        try:
            value = json.loads(value)
        except ValueError:
            raise RowError(column, "expected a JSON list of objects") from None
    if value is None or value == "":
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise RowError(column, f"expected a list of at most {MAX_ITEMS} objects")
    if not all(isinstance(item, dict) for item in value):
        raise RowError(column, "each item is a JSON object")
    return value


def _item_id(item: Mapping[str, Any], column: str) -> str:
    value = required_text(item, "id")
    if not _NODE_ID.fullmatch(value) and not re.fullmatch(r"[A-Za-z0-9_\-]{1,80}", value):
        raise RowError(column, f"{value!r} is not an id")
    return value


def _iso(item: Mapping[str, Any], name: str, column: str) -> str | None:
    try:
        value = instant_value(item, name)
    except RowError as error:
        raise RowError(column, f"{name}: {error.reason}") from None
    return value.isoformat() if value else None


def _nested(column: str, item: Mapping[str, Any], name: str) -> str:
    """A required text of a nested item, reported under the record's column."""
    value = text_value(item, name)
    if value is None:
        raise RowError(column, f"{name}: missing")
    return value


def audit_trail(raw: Mapping[str, Any], prefix: str = "watchlist.") -> list[AuditRow]:
    """A watchlist entry's (or, with ``prefix`` ``complaint.``, a complaint's) audit events
    (ids kept, so a re-import adds none)."""
    trail: list[AuditRow] = []
    for event in _objects(raw, "audit"):
        action = _nested("audit", event, "action")
        if not action.startswith(prefix):
            raise RowError("audit", f"{action!r} is not a {prefix.rstrip('.')} action")
        at = _iso(event, "at", "audit")
        trail.append(
            {
                "id": _item_id(event, "audit"),
                "at": present(at, "audit"),
                "actor": _nested("audit", event, "actor"),
                "action": action,
                "before": text_value(event, "before"),
                "after": text_value(event, "after"),
            }
        )
    return trail


def watchlist_entry_props(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The stored fields of a watchlist entry (absent ones as None, so a re-import resets)."""
    source = text_value(raw, "source") or "rule"
    if source not in ("rule", "manual"):
        raise RowError("source", f"{source!r} is not rule or manual")
    props: dict[str, Any] = {
        "status": choice_value(raw, "status", WatchlistStatus).value,
        "source": source,
        "evidence_nodes": node_ids(raw, "evidence_nodes"),
        "evidence_edges": _evidence_edges(raw),
        "fingerprint": _fingerprint(raw, "fingerprint"),
        "dismissed_fingerprint": _fingerprint(raw, "dismissed_fingerprint"),
    }
    props.update({column: text_value(raw, column) for column in _ENTRY_TEXT})
    props.update({column: instant_value(raw, column) for column in _ENTRY_INSTANTS})
    present(props["created_at"], "created_at")
    present(props["proposed_by"], "proposed_by")
    return props


# -- complaint history ---------------------------------------------------------------------------

_COMPLAINT_TEXT = (
    "approver",
    "resolution",
    "resolved_by",
    "filed_by",
    "handler",
    "team",
    "assigned_by",
    "amounts_by",
    "root_cause_text",
    "root_cause_by",
    "closure_note",
    "case_closed_by",
    "merged_by",
    "merge_reason",
    "regulator_ref",
    "regulator_recorded_by",
)
_COMPLAINT_LISTS = (
    "extended_by",
    "extension_reasons",
    "topic_terms",
    "reopened_by",
    "reopen_reasons",
)
_COMPLAINT_INSTANTS = (
    "overdue_at",
    "assigned_at",
    "amounts_at",
    "root_cause_at",
    "resolved_at",
    "case_closed_at",
    "callback_at",
    "merged_at",
    "clock_started_at",
    "due_soon_for",
    "regulator_reply_due_at",
    "regulator_recorded_at",
)
_COMPLAINT_INSTANT_LISTS = ("extended_at", "reopened_at")
_COMPLAINT_CHOICES: tuple[tuple[str, type[StrEnum]], ...] = (
    ("nfra_category", NfraCategory),
    ("root_cause", RootCause),
    ("satisfaction", Satisfaction),
    ("closure_reason", ClosureReason),
)
# Money columns in yuan (CNY), stored as whole fen.
_COMPLAINT_MONEY = (("compensation", "compensation_fen"), ("amount_in_dispute", "dispute_fen"))
# What staff wrote in their own words: identifiers typed into it are masked on import, as at
# the desk (``models.complaint_record.staff_text``), so an import cannot store them raw.
_STAFF_WORDS = frozenset(
    {
        "resolution",
        "root_cause_text",
        "closure_note",
        "merge_reason",
        "extension_reasons",
        "reopen_reasons",
    }
)


def _words(raw: Mapping[str, Any], column: str) -> str | None:
    """A free-text column with identifiers masked (``models.text_scrub``)."""
    value = text_value(raw, column)
    return None if value is None else scrub_personal_data(value)


def complaint_lifecycle(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the complaint desk adds after filing (assignment, amounts, root cause,
    extensions, resolution, closure, reopenings, merge, the regulator's referral, repeats);
    only those present, so a plain complaint export leaves them untouched."""
    props: dict[str, Any] = {}
    for column in _COMPLAINT_TEXT:
        read = _words if column in _STAFF_WORDS else text_value
        if (value := read(raw, column)) is not None:
            props[column] = value
    for column in _COMPLAINT_LISTS:
        if raw.get(column) is not None:
            found = many_values(raw, column, limit=None)
            scrub = column in _STAFF_WORDS
            props[column] = [scrub_personal_data(t) for t in found] if scrub else found
    for column in _COMPLAINT_INSTANTS:
        if (instant := instant_value(raw, column)) is not None:
            props[column] = instant
    for column in _COMPLAINT_INSTANT_LISTS:
        if raw.get(column) is not None:
            props[column] = [
                present(instant_value({column: item}, column), column)
                for item in many_values(raw, column, limit=None)
            ]
    for column, enum in _COMPLAINT_CHOICES:
        if text_value(raw, column) is not None:
            props[column] = choice_value(raw, column, enum).value
    for column, stored in _COMPLAINT_MONEY:
        if (amount := number_value(raw, column)) is not None:
            props[stored] = round(amount * 100)
    # Terms taken from complaint wording never keep number-like tokens (issue 19).
    if "topic_terms" in props:
        props["topic_terms"] = [t for t in props["topic_terms"] if is_topic_term(t)]
    extensions = raw.get("extensions")
    if extensions is not None:
        if isinstance(extensions, bool) or not isinstance(extensions, int) or extensions < 0:
            raise RowError("extensions", "expected a whole number, not negative")
        props["extensions"] = extensions
    repeat = flag_value(raw, "repeat")
    if repeat is not None:
        props["repeat"] = repeat
    return props


def contacts(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A complaint's contact log (callbacks with their satisfaction result)."""
    entries: list[dict[str, Any]] = []
    for entry in _objects(raw, "contacts"):
        satisfaction = text_value(entry, "satisfaction")
        entries.append(
            {
                "id": _item_id(entry, "contacts"),
                "at": present(_iso(entry, "at", "contacts"), "contacts"),
                "by": text_value(entry, "by"),
                "kind": choice_value(entry, "kind", ContactKind).value,
                "note": _words(entry, "note") or "",
                "satisfaction": choice_value(entry, "satisfaction", Satisfaction).value
                if satisfaction
                else None,
            }
        )
    return entries


def attachments(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A complaint's attachment references, validated like the desk's (http(s) URIs)."""
    found: list[dict[str, Any]] = []
    for item in _objects(raw, "attachments"):
        size = item.get("size")
        try:
            ref = attachment_ref(
                _nested("attachments", item, "sha256"),
                size if isinstance(size, int) else -1,
                _nested("attachments", item, "media_type"),
                _nested("attachments", item, "uri"),
                text_value(item, "name"),
            )
        except InvalidInput as error:
            raise RowError("attachments", error.message) from None
        found.append(
            {
                "id": _item_id(item, "attachments"),
                "sha256": ref.sha256,
                "size": ref.size,
                "media_type": ref.media_type,
                "uri": ref.uri,
                "name": ref.name,
                "added_at": present(_iso(item, "added_at", "attachments"), "attachments"),
                "added_by": text_value(item, "added_by"),
            }
        )
    return found


def escalations(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A complaint's channel history, step by step."""
    steps: list[dict[str, Any]] = []
    for step in _objects(raw, "escalations"):
        steps.append(
            {
                "id": _item_id(step, "escalations"),
                "from_channel": choice_value(step, "from_channel", ComplaintChannel).value,
                "to_channel": choice_value(step, "to_channel", ComplaintChannel).value,
                "at": present(_iso(step, "at", "escalations"), "escalations"),
                "by": text_value(step, "by"),
                "reason": _words(step, "reason"),
            }
        )
    return steps


def joint_reviews(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A complaint's joint reviews (会商), open or concluded."""
    reviews: list[dict[str, Any]] = []
    for review in _objects(raw, "joint_reviews"):
        status = _nested("joint_reviews", review, "status").upper()
        if status not in ("OPEN", "CONCLUDED"):
            raise RowError("joint_reviews", f"status {status!r} is not OPEN or CONCLUDED")
        reviews.append(
            {
                "id": _item_id(review, "joint_reviews"),
                "status": status,
                "reasons": many_values(review, "reasons"),
                "participants": many_values(review, "participants"),
                "opened_at": present(_iso(review, "opened_at", "joint_reviews"), "joint_reviews"),
                "opened_by": text_value(review, "opened_by"),
                "outcome": _words(review, "outcome"),
                "concluded_at": _iso(review, "concluded_at", "joint_reviews"),
                "concluded_by": text_value(review, "concluded_by"),
            }
        )
    return reviews


def repeats(raw: Mapping[str, Any]) -> list[str]:
    """The complaint numbers this complaint repeats (earlier complaints on the same matter)."""
    return key_values(raw, "repeat_of")
