"""The complete complaint record's rules as pure logic: money, attachment references, what
staff type, callbacks, and when a complaint may be closed, reopened or merged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models.complaint_record import (
    Clock,
    ClosureReason,
    ComplaintRecordRefused,
    ContactKind,
    Satisfaction,
    amount_in_fen,
    attachment_ref,
    check_close,
    check_contact,
    check_merge,
    check_reopen,
    fen_to_yuan,
    merged_clock,
    open_status,
    regulator_reference,
    reopened_due,
    staff_text,
)
from models.nfra_categories import (
    FALLBACK,
    NFRA_CATEGORIES,
    CategoryMismatch,
    NfraCategory,
    categories_for_filing,
    coarse_category,
    nfra_category,
)
from models.records import ComplaintCategory, ComplaintStatus

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SHA = "a" * 64


def _rule(call: object) -> str:
    assert callable(call)
    with pytest.raises(ComplaintRecordRefused) as refused:
        call()
    return refused.value.rule


def test_amounts_are_exact_cny_fen() -> None:
    assert amount_in_fen(Decimal("1234.5"), "CNY", "x") == 123450
    assert amount_in_fen(Decimal("0.01"), "cny", "x") == 1
    assert amount_in_fen("18,600.00", "CNY", "x") == 1860000
    assert amount_in_fen(None, "CNY", "x") is None
    assert fen_to_yuan(123450) == Decimal("1234.50")
    assert _rule(lambda: amount_in_fen(Decimal("-1"), "CNY", "x")) == "NEGATIVE_AMOUNT"
    assert _rule(lambda: amount_in_fen(Decimal("10"), "USD", "x")) == "CURRENCY"
    assert _rule(lambda: amount_in_fen(Decimal("1.001"), "CNY", "x")) == "INVALID_AMOUNT"
    assert _rule(lambda: amount_in_fen(Decimal("NaN"), "CNY", "x")) == "INVALID_AMOUNT"
    assert _rule(lambda: amount_in_fen(Decimal("1e12"), "CNY", "x")) == "INVALID_AMOUNT"
    assert _rule(lambda: amount_in_fen("abc", "CNY", "x")) == "INVALID_AMOUNT"


@pytest.mark.parametrize(
    ("uri", "rule"),
    [
        ("ftp://docs.example.com/a.pdf", "URI_NOT_HTTP"),
        ("file:///etc/passwd", "URI_NOT_HTTP"),
        ("javascript:alert(1)", "URI_NOT_HTTP"),
        ("/relative/a.pdf", "URI_NOT_HTTP"),
        ("s3://bucket/key", "URI_NOT_HTTP"),
        ("https://", "URI_NOT_HTTP"),
        ("https://user:secret@docs.example.com/a.pdf", "URI_WITH_CREDENTIALS"),
        ("https://docs.example.com/a b.pdf", "INVALID_URI"),
    ],
)
def test_attachment_uris_must_be_plain_http_or_https(uri: str, rule: str) -> None:
    assert _rule(lambda: attachment_ref(SHA, 10, "application/pdf", uri)) == rule


def test_attachment_references_are_validated_and_normalised() -> None:
    ref = attachment_ref(
        "A" * 64,
        2048,
        "Application/PDF",
        " https://docs.example.com/q/1.pdf ",
        "身份证110101199003071234.jpg",
    )
    assert (ref.sha256, ref.size, ref.media_type) == ("a" * 64, 2048, "application/pdf")
    assert ref.uri == "https://docs.example.com/q/1.pdf"
    assert ref.name is not None
    assert "110101199003071234" not in ref.name
    assert _rule(lambda: attachment_ref("xyz", 1, "image/png", "https://x.cn/a")) == "INVALID_HASH"
    assert _rule(lambda: attachment_ref(SHA, 0, "image/png", "https://x.cn/a")) == "INVALID_SIZE"
    assert _rule(lambda: attachment_ref(SHA, 1, "pdf", "https://x.cn/a")) == "INVALID_MEDIA_TYPE"


def test_staff_text_is_scrubbed_and_bounded() -> None:
    text = staff_text("客户电话13812345678，身份证110101199003071234", "a note")
    assert "13812345678" not in text
    assert "110101199003071234" not in text
    assert "138****5678" in text
    assert staff_text("  ", "a note", required=False) == ""
    assert _rule(lambda: staff_text(" ", "a note")) == "TEXT_REQUIRED"
    assert _rule(lambda: staff_text("x" * 6000, "a note")) == "TEXT_TOO_LONG"


def test_a_callback_records_satisfaction_and_only_a_callback() -> None:
    check_contact(ContactKind.CALLBACK, Satisfaction.SATISFIED)
    check_contact(ContactKind.OUTBOUND_CALL, None)
    assert _rule(lambda: check_contact(ContactKind.CALLBACK, None)) == "SATISFACTION_REQUIRED"
    assert (
        _rule(lambda: check_contact(ContactKind.SMS, Satisfaction.DISSATISFIED))
        == "SATISFACTION_ONLY_ON_CALLBACK"
    )


def test_close_rules() -> None:
    check_close(ComplaintStatus.RESOLVED, ClosureReason.ANSWERED)
    check_close(ComplaintStatus.OPEN, ClosureReason.WITHDRAWN)
    check_close(ComplaintStatus.OVERDUE, ClosureReason.UNREACHABLE)
    assert (
        _rule(lambda: check_close(ComplaintStatus.OPEN, ClosureReason.ANSWERED)) == "NOT_ANSWERED"
    )
    assert (
        _rule(lambda: check_close(ComplaintStatus.RESOLVED, ClosureReason.WITHDRAWN))
        == "ALREADY_ANSWERED"
    )
    for status in (ComplaintStatus.CLOSED, ComplaintStatus.MERGED):
        assert _rule(lambda s=status: check_close(s, ClosureReason.ANSWERED)) == "ALREADY_FINISHED"


def test_reopen_rules_and_the_fresh_clock() -> None:
    check_reopen(ComplaintStatus.RESOLVED)
    check_reopen(ComplaintStatus.CLOSED)
    for status in (ComplaintStatus.OPEN, ComplaintStatus.EXTENDED, ComplaintStatus.OVERDUE):
        assert _rule(lambda s=status: check_reopen(s)) == "NOT_FINISHED"
    assert _rule(lambda: check_reopen(ComplaintStatus.MERGED)) == "MERGED"
    assert reopened_due(T0) == T0 + timedelta(days=15)


def test_merge_rules() -> None:
    open_ = ComplaintStatus.OPEN
    check_merge("complaint:A", open_, "complaint:B", ComplaintStatus.EXTENDED)
    assert _rule(lambda: check_merge("complaint:A", open_, "complaint:A", open_)) == "SELF_MERGE"
    assert (
        _rule(lambda: check_merge("complaint:A", ComplaintStatus.MERGED, "complaint:B", open_))
        == "ALREADY_MERGED"
    )
    for status in (ComplaintStatus.CLOSED, ComplaintStatus.MERGED, ComplaintStatus.RESOLVED):
        assert (
            _rule(lambda s=status: check_merge("complaint:A", open_, "complaint:B", s))
            == "TARGET_FINISHED"
        )
    assert (
        _rule(lambda: check_merge("complaint:A", ComplaintStatus.RESOLVED, "complaint:B", open_))
        == "SOURCE_FINISHED"
    )


def test_merging_keeps_the_clock_that_started_first() -> None:
    early = Clock(T0, T0, T0 + timedelta(days=30), 1)
    late = Clock(T0 + timedelta(days=5), T0 + timedelta(days=5), T0 + timedelta(days=20), 0)
    for source, target in ((early, late), (late, early)):
        clock = merged_clock(source, target)
        assert clock == Clock(T0, T0, T0 + timedelta(days=30), 1)
    assert open_status(early) is ComplaintStatus.EXTENDED
    assert open_status(late) is ComplaintStatus.OPEN
    # A complaint reopened later restarts its clock; an older receipt still counts.
    reopened = Clock(T0 - timedelta(days=40), T0 + timedelta(days=1), T0 + timedelta(days=16), 0)
    clock = merged_clock(reopened, late)
    assert clock.received_at == T0 - timedelta(days=40)
    assert clock.due_at == T0 + timedelta(days=16)


def test_regulator_referral_numbers() -> None:
    assert regulator_reference(" 粤银保监转〔2026〕118号 ") == "粤银保监转〔2026〕118号"
    assert regulator_reference("NFRA-2026/00123") == "NFRA-2026/00123"
    assert _rule(lambda: regulator_reference("")) == "INVALID_REFERRAL_NO"
    assert _rule(lambda: regulator_reference("a b")) == "INVALID_REFERRAL_NO"


def test_every_nfra_category_maps_to_one_coarse_category_with_a_fallback_each() -> None:
    assert set(NFRA_CATEGORIES) == set(NfraCategory)
    for coarse, fallback in FALLBACK.items():
        assert coarse_category(fallback) is coarse
    assert set(FALLBACK) == set(ComplaintCategory)
    assert nfra_category(ComplaintCategory.CLAIMS, None) is NfraCategory.CLAIM_OTHER
    assert nfra_category(ComplaintCategory.CLAIMS, "CLAIM_AMOUNT") is NfraCategory.CLAIM_AMOUNT
    assert categories_for_filing(None, NfraCategory.SURRENDER) == (
        ComplaintCategory.UNDERWRITING,
        NfraCategory.SURRENDER,
    )
    assert categories_for_filing(ComplaintCategory.SALES, None) == (ComplaintCategory.SALES, None)
    with pytest.raises(CategoryMismatch):
        categories_for_filing(ComplaintCategory.SALES, NfraCategory.CLAIM_AMOUNT)
