"""The record forms ``riskwatch export`` writes: hashed identifiers that are valid only under
the secret that made them, and watchlist entries that must name their own party and reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.identity import IdentifierKind, identity_key_check, make_identifier
from models.import_format import (
    IdentitySecretMismatch,
    RecordType,
    RowError,
    parse_record,
)
from models.watchlist import WatchlistReason, entry_id

SECRET = b"unit-test-secret-0123456789"
TODAY = date(2026, 6, 1)
PHONE = make_identifier(SECRET, IdentifierKind.PHONE, "13800138000")


def _hashed_customer(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "customer_no": "C1001",
        "name": "张伟",
        "identifier_keys": [f"PHONE:{PHONE.key}:{PHONE.masked}"],
        "key_check": identity_key_check(SECRET),
    }
    raw.update(overrides)
    return raw


def test_hashed_identifiers_land_as_the_raw_ones_would() -> None:
    hashed = parse_record(RecordType.CUSTOMER, _hashed_customer(), SECRET, TODAY).row
    raw = {"customer_no": "C1001", "name": "张伟", "phone": "138 0013 8000"}
    plain = parse_record(RecordType.CUSTOMER, raw, SECRET, TODAY).row
    assert hashed == plain


def test_hashed_identifiers_need_the_same_secret() -> None:
    with pytest.raises(IdentitySecretMismatch, match="RISKWATCH_IDENTITY_SECRET"):
        parse_record(RecordType.CUSTOMER, _hashed_customer(), b"another-secret-0123456", TODAY)
    no_identifiers = _hashed_customer(identifier_keys=None)
    with pytest.raises(IdentitySecretMismatch):  # checked wherever it appears
        parse_record(RecordType.CUSTOMER, no_identifiers, b"another-secret-0123456", TODAY)
    with pytest.raises(RowError, match="key_check: missing"):
        parse_record(RecordType.CUSTOMER, _hashed_customer(key_check=None), SECRET, TODAY)
    bad = _hashed_customer(identifier_keys=["PHONE:13800138000:138****8000"])
    with pytest.raises(RowError, match="KIND:hash:masked"):
        parse_record(RecordType.CUSTOMER, bad, SECRET, TODAY)


def _entry(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "entry_id": entry_id("customer:C1001", WatchlistReason.MANUAL),
        "party": "customer:C1001",
        "reason": "MANUAL",
        "status": "ACTIVE",
        "source": "manual",
        "proposed_by": "analyst",
        "created_at": "2026-05-01T09:00:00+08:00",
        "evidence_nodes": ["customer:C1001"],
        "evidence_edges": [],
        "audit": [
            {
                "id": "5e96c063-e38f-4491-9540-2434d7b97bc1",
                "at": "2026-05-01T01:00:00+00:00",
                "actor": "analyst",
                "action": "watchlist.propose",
                "after": "PROPOSED: tip-off",
            }
        ],
    }
    raw.update(overrides)
    return raw


def test_lists_the_service_writes_without_bound_come_back_whole() -> None:
    # A rule's evidence and a complaint's history can pass 1,000 items; an export of them
    # must import whole, neither refused nor cut short (identifier lists keep their limit).
    nodes = [f"customer:C{n}" for n in range(1500)]
    edges = [f"customer:C{n}|HAS_IDENTIFIER|identifier:x{n}" for n in range(1500)]
    entry: Any = parse_record(
        RecordType.WATCHLIST_ENTRY,
        _entry(evidence_nodes=nodes, evidence_edges=edges),
        SECRET,
        TODAY,
    ).row
    assert entry["props"]["evidence_nodes"] == nodes
    assert entry["props"]["evidence_edges"] == edges
    complaint: Any = parse_record(
        RecordType.COMPLAINT, _complaint(extension_reasons=["复杂案件"] * 1001), SECRET, TODAY
    ).row
    assert len(complaint["props"]["extension_reasons"]) == 1001


def test_a_watchlist_entry_parses_with_its_party_reference_and_audit_trail() -> None:
    parsed = parse_record(RecordType.WATCHLIST_ENTRY, _entry(), SECRET, TODAY)
    row: Any = parsed.row
    assert row["party_id"] == "customer:C1001"
    assert [ref.node_id for ref in parsed.references] == ["customer:C1001"]
    assert row["props"]["status"] == "ACTIVE"
    assert row["audit"][0]["at"] == "2026-05-01T01:00:00+00:00"


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"entry_id": "watch:000000000000000000000000"}, "entry_id"),
        ({"status": "MAYBE"}, "status"),
        ({"evidence_edges": ["customer:C1|HAS ID|x"]}, "evidence_edges"),
        (
            {"audit": [{"id": "a1", "at": "2026-05-01", "actor": "x", "action": "key.create"}]},
            "audit",
        ),
        ({"created_at": None}, "created_at"),
    ],
)
def test_inconsistent_watchlist_entries_are_rejected(
    overrides: dict[str, Any], column: str
) -> None:
    with pytest.raises(RowError) as caught:
        parse_record(RecordType.WATCHLIST_ENTRY, _entry(**overrides), SECRET, TODAY)
    assert caught.value.column == column


def _complaint(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "complaint_no": "Q1",
        "customer_no": "C1001",
        "channel": "REGULATOR",
        "category": "CLAIMS",
        "received_at": "2026-05-01T09:00:00+08:00",
        "repeat_of": ["Q0"],
        "extension_reasons": ["复杂案件; 需要调查"],
        "escalations": [
            {
                "id": "escalation:5e96c063-e38f-4491-9540-2434d7b97bc1",
                "from_channel": "HOTLINE",
                "to_channel": "REGULATOR",
                "at": "2026-05-02T10:00:00+08:00",
                "by": "desk",
            }
        ],
        "joint_reviews": [
            {
                "id": "review:5e96c063-e38f-4491-9540-2434d7b97bc1",
                "status": "OPEN",
                "reasons": ["REGULATOR"],
                "opened_at": "2026-05-02T02:00:00Z",
            }
        ],
    }
    raw.update(overrides)
    return raw


def test_complaint_history_parses_with_ids_kept_and_instants_in_utc() -> None:
    row: Any = parse_record(RecordType.COMPLAINT, _complaint(), SECRET, TODAY).row
    assert row["repeat_of_ids"] == ["complaint:Q0"]
    assert row["props"]["extension_reasons"] == ["复杂案件; 需要调查"]  # list items keep ";"
    [step] = row["escalations"]
    assert step["at"] == "2026-05-02T02:00:00+00:00"
    assert step["id"].startswith("escalation:")
    assert row["joint_reviews"][0]["concluded_at"] is None
    plain: Any = parse_record(RecordType.COMPLAINT, _complaint(escalations=None), SECRET, TODAY)
    assert plain.row["escalations"] == []
    assert "extensions" not in plain.row["props"]  # absent lifecycle fields stay untouched


@pytest.mark.parametrize(
    "overrides",
    [
        {"escalations": [{"id": "e1", "from_channel": "PIGEON", "to_channel": "HOTLINE"}]},
        {"escalations": "not json"},
        {"joint_reviews": [{"id": "r1", "status": "MAYBE", "opened_at": "2026-05-02"}]},
        {"joint_reviews": [{"id": "r1", "status": "OPEN"}]},
        {"extensions": -1},
    ],
)
def test_inconsistent_complaint_history_is_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(RowError):
        parse_record(RecordType.COMPLAINT, _complaint(**overrides), SECRET, TODAY)
