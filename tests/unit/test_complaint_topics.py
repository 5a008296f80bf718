"""Segmentation drops stop words; hot topics count terms once per complaint, with the trend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.complaint_topics import STOP_WORDS, hot_topics, terms
from models.cursors import decode_cursor, encode_cursor, page_size
from models.errors import InvalidInput


def test_terms_are_content_words_only() -> None:
    words = terms("理赔拖了一个多月还没有结果，定损金额太低！")
    assert "理赔" in words
    assert "定损" in words
    assert not STOP_WORDS & set(words)
    assert all(len(w) >= 2 for w in words)
    assert "，" not in words


def test_numbers_and_identifiers_are_never_terms() -> None:
    words = terms(
        "客户13812345678（138****5678）保单P00012345车牌粤B12345邮箱zhangsan@example.cn"
        "卡号６２２２０２１２３４要求退保 abcdefghijklmnopq"
    )
    assert "退保" in words
    assert [w for w in words if any(c.isdigit() or c in "*@." for c in w)] == []
    assert "abcdefghijklmnopq" not in words


def test_terms_of_too_few_complaints_are_left_out() -> None:
    current = [("CLAIMS", ["退保", "王老五"])] + [("CLAIMS", ["退保"])] * 4
    [claims] = hot_topics(current, [], top_terms=5, min_complaints=5)
    assert claims.count == 5
    assert [(x.term, x.count) for x in claims.terms] == [("退保", 5)]


def test_hot_topics_counts_and_trend() -> None:
    current = [
        ("CLAIMS", ["理赔", "定损"]),
        ("CLAIMS", ["理赔"]),
        ("SERVICE", ["客服"]),
    ]
    previous = [("CLAIMS", ["理赔"]), ("SERVICE", ["客服"]), ("SERVICE", ["态度"])]
    topics = hot_topics(current, previous, top_terms=5)
    assert [t.category for t in topics] == ["CLAIMS", "SERVICE"]
    claims, service = topics
    assert (claims.count, claims.previous, claims.trend) == (2, 1, "UP")
    assert [(x.term, x.count, x.previous, x.change) for x in claims.terms] == [
        ("理赔", 2, 1, 1),
        ("定损", 1, 0, 1),
    ]
    assert (service.count, service.previous, service.trend) == (1, 2, "DOWN")


def test_cursor_round_trip_and_tampering() -> None:
    when = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    cursor = encode_cursor("RECEIVED_DESC", when, "complaint:Q1")
    assert decode_cursor(cursor, "RECEIVED_DESC") == (when, "complaint:Q1")
    with pytest.raises(InvalidInput, match="another ordering"):
        decode_cursor(cursor, "DUE_ASC")
    with pytest.raises(InvalidInput, match="not one this service issued"):
        decode_cursor("not-a-cursor!!", "RECEIVED_DESC")
    with pytest.raises(InvalidInput):
        page_size(0)
    with pytest.raises(InvalidInput):
        page_size(101)
