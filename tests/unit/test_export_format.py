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
