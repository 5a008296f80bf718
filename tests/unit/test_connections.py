"""Every paged field has one shape (``edges { cursor node }``, ``pageInfo``) and one cursor
format; top-N lists stay plain lists."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from graphql import GraphQLField, GraphQLList, GraphQLNonNull, GraphQLObjectType, get_named_type

from api.schema import build_schema
from models.cursors import (
    decode_cursor,
    decode_id_cursor,
    decode_number_cursor,
    encode_cursor,
)
from models.errors import InvalidInput

SCHEMA = build_schema()._schema


def _every_field() -> Iterator[tuple[str, str, GraphQLField]]:
    """``(type, field, definition)`` of every field of every object type of the schema."""
    for type_ in SCHEMA.type_map.values():
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__"):
            for name, field in type_.fields.items():
                yield type_.name, name, field


def _paged_fields() -> Iterator[tuple[str, str, GraphQLField]]:
    """The fields, at any depth, that take ``first`` and ``after``."""
    for type_name, name, field in _every_field():
        if {"first", "after"} <= set(field.args):
            yield type_name, name, field


def _object(field: GraphQLField) -> GraphQLObjectType:
    named = get_named_type(field.type)
    assert isinstance(named, GraphQLObjectType)
    return named


def test_every_field_with_first_and_after_returns_a_connection() -> None:
    for type_name, name, field in _paged_fields():
        where = f"{type_name}.{name}"
        assert isinstance(field.type, GraphQLNonNull), where
        assert not isinstance(field.type.of_type, GraphQLList), f"{where} is a bare list"
        connection = _object(field)
        assert {"edges", "pageInfo"} <= set(connection.fields), where
        edge = _object(connection.fields["edges"])
        assert {"cursor", "node"} <= set(edge.fields), where
        assert str(edge.fields["cursor"].type) == "String!", where
        page_info = _object(connection.fields["pageInfo"])
        assert page_info.name == "PageInfo", where
        assert {"hasNextPage", "endCursor"} <= set(page_info.fields), where


def test_the_paged_fields_are_all_found() -> None:
    # A guard against the test above passing on nothing.
    found = {f"{type_name}.{name}" for type_name, name, _ in _paged_fields()}
    assert found == {
        "Query.alerts",
        "Query.complaintQueue",
        "Query.auditEvents",
        "Query.complaints",
        "Query.frontlineFeedback",
        "Query.mentions",
        "Query.network",
        "Query.pendingClaims",
        "Query.rings",
        "Query.stories",
        "Query.watchlist",
    }


@pytest.mark.parametrize("name", ["riskRanking", "searchParties", "complaintRisk"])
def test_top_n_lists_stay_plain_lists_with_first(name: str) -> None:
    query = SCHEMA.query_type
    assert query is not None
    field = query.fields[name]
    assert "first" in field.args
    assert "after" not in field.args
    assert isinstance(field.type, GraphQLNonNull)
    assert isinstance(field.type.of_type, GraphQLList)


def test_no_field_pages_by_offset() -> None:
    for type_name, name, field in _every_field():
        assert not {"offset", "skip", "page"} & set(field.args), f"{type_name}.{name}"


def test_cursors_round_trip_for_every_kind_of_sort_key() -> None:
    when = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor("T", when, "a:1"), "T") == (when, "a:1")
    assert decode_number_cursor(encode_cursor("N", 12.75, "r:1"), "N") == (12.75, "r:1")
    assert decode_number_cursor(encode_cursor("N", 2, "n:1"), "N") == (2.0, "n:1")
    assert decode_id_cursor(encode_cursor("I", "w:1", "w:1"), "I") == "w:1"


def _forged(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


@pytest.mark.parametrize(
    ("decode", "cursor", "message"),
    [
        (decode_cursor, "not-a-cursor!!", "not one this service issued"),
        (decode_cursor, "", "not one this service issued"),
        (decode_cursor, _forged([1, 2]), "not one this service issued"),
        (decode_cursor, _forged({"o": "T", "v": "yesterday", "id": "a"}), "not one this service"),
        (decode_cursor, _forged({"o": "T", "v": "2026-01-01T00:00:00", "id": "a"}), "not one"),
        (decode_cursor, _forged({"o": "T", "v": 5, "id": "a"}), "not one this service issued"),
        (decode_cursor, _forged({"o": "OTHER", "v": "x", "id": "a"}), "another ordering"),
        (decode_number_cursor, _forged({"o": "T", "v": "1", "id": "a"}), "not one"),
        (decode_number_cursor, _forged({"o": "T", "v": True, "id": "a"}), "not one"),
        (decode_number_cursor, _forged({"o": "T", "v": 1, "id": 7}), "not one"),
        (decode_id_cursor, _forged({"o": "T", "v": "b", "id": "a"}), "not one"),
    ],
)
def test_a_malformed_cursor_is_bad_input(
    decode: Callable[[str, str], object], cursor: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as raised:
        decode(cursor, "T")
    assert raised.value.code == "BAD_USER_INPUT"
