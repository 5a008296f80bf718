"""Parsing one raw import record: valid records become writer rows, invalid ones a RowError
naming the column; nothing else ever escapes (property-based)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.bulk.importer import ImportSource, SourceFormat, read_records
from models.import_format import (
    IMPORT_ORDER,
    RecordType,
    RowError,
    parse_record,
    parse_record_type,
    record_type_from_filename,
)

SECRET = b"unit-test-secret-0123456789"
TODAY = date(2026, 6, 1)


def _customer(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "customer_no": "C1001",
        "name": "張 偉",
        "id_number": "110105491231002",
        "phone": "+86 138-0013-8000; 0755 8888 6666",
        "plate": "粤Ｂ·１２３４５",
        "since": "2018-04-02",
    }
    raw.update(overrides)
    return raw


def test_customer_is_normalised_hashed_and_masked() -> None:
    parsed = parse_record(RecordType.CUSTOMER, _customer(), SECRET, TODAY)
    row = parsed.row
    assert row["id"] == "customer:C1001"
    props = row["props"]
    assert (props["name_key"], props["pinyin_key"]) == ("张伟", "zhangwei")
    assert props["id_masked"] == "110***********002X"
    assert props["phone_masked"] == "138****8000"
    assert props["since"] == date(2018, 4, 2)
    kinds = sorted(i["kind"] for i in row["identifiers"])  # type: ignore[typeddict-item]
    assert kinds == ["ID_CARD", "PHONE", "PHONE", "PLATE"]
    assert "13800138000" not in str(row)
    assert "110105491231002" not in str(row)
    assert parsed.references == []


def test_identifier_columns_take_a_json_list_or_a_separated_cell() -> None:
    listed = _customer(phone=["+86 138-0013-8000", "0755 8888 6666"])
    as_list = parse_record(RecordType.CUSTOMER, listed, SECRET, TODAY).row
    as_cell = parse_record(RecordType.CUSTOMER, _customer(), SECRET, TODAY).row
    assert as_list["identifiers"] == as_cell["identifiers"]  # type: ignore[typeddict-item]
    with pytest.raises(RowError, match="at most 1000") as caught:
        parse_record(RecordType.CUSTOMER, _customer(phone=["13800138000"] * 1001), SECRET, TODAY)
    assert caught.value.column == "phone"


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"customer_no": ""}, "customer_no", "missing"),
        ({"customer_no": "C 1"}, "customer_no", "not a valid key"),
        ({"name": None}, "name", "missing"),
        ({"id_number": "110105194912310021"}, "id_number", "check digit"),
        ({"phone": "12345"}, "phone", "invalid phone number"),
        ({"since": "2019/04/01"}, "since", "unparseable date"),
        ({"since": "2030-01-01"}, "since", "future"),
        ({"plate": "B12345"}, "plate", "invalid plate"),
    ],
)
def test_invalid_customer_fields_name_the_column(
    overrides: dict[str, Any], column: str, reason: str
) -> None:
    with pytest.raises(RowError, match=reason) as caught:
        parse_record(RecordType.CUSTOMER, _customer(**overrides), SECRET, TODAY)
    assert caught.value.column == column


def _complaint(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "complaint_no": "Q1",
        "customer_no": "C1",
        "channel": "hotline",
        "category": "CLAIMS",
        "received_at": "2026-03-01T09:30:00",
    }
    raw.update(overrides)
    return raw


def test_complaint_due_date_defaults_to_fifteen_days() -> None:
    raw = _complaint(claim_no="L1;L2", about="shop:S9001")
    parsed = parse_record(RecordType.COMPLAINT, raw, SECRET, TODAY)
    props = parsed.row["props"]
    received = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)  # 09:30 China Standard Time
    assert props["received_at"] == received
    assert props["due_at"] == received + timedelta(days=15)
    assert props["status"] == "OPEN"
    assert [r.node_id for r in parsed.references] == [
        "customer:C1",
        "claim:L1",
        "claim:L2",
        "shop:S9001",
    ]
    with pytest.raises(RowError, match="one complainant"):
        parse_record(RecordType.COMPLAINT, {**raw, "agent_no": "A1"}, SECRET, TODAY)
    with pytest.raises(RowError, match="kind"):
        parse_record(RecordType.COMPLAINT, {**raw, "about": "garage:S1"}, SECRET, TODAY)


def test_imported_complaint_texts_are_scrubbed() -> None:
    raw = _complaint(
        summary="来电13812345678催理赔",
        resolution="已回电13812345678",
        topic_terms="理赔;13812345678;138****5678",
    )
    props = parse_record(RecordType.COMPLAINT, raw, SECRET, TODAY).row["props"]
    assert props["summary"] == "来电138****5678催理赔"
    assert props["resolution"] == "已回电138****5678"
    assert props["topic_terms"] == ["理赔"]


def test_claim_and_policy_validation() -> None:
    claim = {
        "claim_no": "L1",
        "policy_no": "P1",
        "status": "paid",
        "reported_at": "2026-01-02T10:00:00Z",
        "amount": "18,600.50",
        "shop_code": "S1",
    }
    parsed = parse_record(RecordType.CLAIM, claim, SECRET, TODAY)
    assert parsed.row["props"]["amount"] == 18600.5
    assert [r.node_id for r in parsed.references] == ["policy:P1", "shop:S1"]
    with pytest.raises(RowError, match="not one of"):
        parse_record(RecordType.CLAIM, {**claim, "status": "LOST"}, SECRET, TODAY)
    with pytest.raises(RowError, match="before reported_at"):
        parse_record(
            RecordType.CLAIM, {**claim, "settled_at": "2025-12-01T00:00:00Z"}, SECRET, TODAY
        )
    policy = {
        "policy_no": "P1",
        "customer_no": "C1",
        "product": "交强险",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "agent_no": "A1",
        "plate": "粤B12345",
    }
    parsed = parse_record(RecordType.POLICY, policy, SECRET, TODAY)
    assert parsed.row["props"]["commercial"] is False
    assert parsed.linked_identifiers[0]["party_id"] == "customer:C1"
    with pytest.raises(RowError, match="not both"):
        parse_record(RecordType.POLICY, {**policy, "broker_no": "B1"}, SECRET, TODAY)
    with pytest.raises(RowError, match="before start_date"):
        parse_record(RecordType.POLICY, {**policy, "end_date": "2025-01-01"}, SECRET, TODAY)


def test_record_types_from_names() -> None:
    assert record_type_from_filename("exports/customers_2026-05.csv") is RecordType.CUSTOMER
    assert record_type_from_filename("broken_customers.csv") is RecordType.CUSTOMER
    assert record_type_from_filename("repair_shops.jsonl") is RecordType.REPAIR_SHOP
    assert record_type_from_filename("everything.jsonl") is None
    assert parse_record_type("Claim") is RecordType.CLAIM
    assert parse_record_type("shop") is RecordType.REPAIR_SHOP
    with pytest.raises(RowError, match="unknown record type"):
        parse_record_type("invoice")
    assert IMPORT_ORDER.index(RecordType.DEALER) < IMPORT_ORDER.index(RecordType.POLICY)


_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_columns = st.sampled_from(
    [
        "customer_no", "shop_code", "agent_no", "broker_no", "dealer_no", "adjuster_no",
        "policy_no", "claim_no", "complaint_no", "name", "id_number", "phone", "plate",
        "bank_account", "email", "address", "since", "product", "start_date", "end_date",
        "premium", "commercial", "status", "reported_at", "settled_at", "amount", "fraud_flag",
        "channel", "category", "received_at", "due_at", "closed_at", "about",
    ]
)  # fmt: skip


@given(st.sampled_from(list(RecordType)), st.dictionaries(_columns, _values, max_size=12))
def test_any_record_parses_or_raises_row_error(
    record_type: RecordType, raw: dict[str, Any]
) -> None:
    try:
        parsed = parse_record(record_type, raw, SECRET, TODAY)
    except RowError as error:
        problem: RowError | None = error
    else:
        problem = None
        assert parsed.row["id"]
    assert problem is None or (problem.column and problem.reason)


@given(
    st.from_regex(r"L[0-9]{6}", fullmatch=True),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
    st.decimals(min_value=0, max_value=10**7, places=2),
)
def test_valid_claims_keep_their_values(claim_no: str, reported: datetime, amount: Any) -> None:
    raw = {
        "claim_no": claim_no,
        "policy_no": "P1",
        "status": "PENDING",
        "reported_at": reported.isoformat() + "+08:00",
        "amount": str(amount),
    }
    props = parse_record(RecordType.CLAIM, raw, SECRET, TODAY).row["props"]
    assert props["claim_no"] == claim_no
    assert props["reported_at"] == reported.replace(tzinfo=UTC) - timedelta(hours=8)
    assert props["amount"] == round(float(amount), 2)


def test_csv_and_jsonl_readers_report_lines() -> None:
    csv_text = 'customer_no,name\nC1,"多行\n名字"\n\nC2,李娜,extra\nC3,王芳\n'
    records = list(read_records(ImportSource.from_text("t.csv", csv_text, SourceFormat.CSV, None)))
    assert [line for line, _ in records] == [2, 5, 6]
    assert isinstance(records[1][1], RowError)
    jsonl = '{"customer_no": "C1"}\n\nnot json\n[1]\n{"Customer_No": "C4"}\n'
    records = list(read_records(ImportSource.from_text("t.jsonl", jsonl, SourceFormat.JSONL, None)))
    assert [line for line, _ in records] == [1, 3, 4, 5]
    assert [isinstance(r, RowError) for _, r in records] == [False, True, True, False]
    assert records[3][1] == {"customer_no": "C4"}
