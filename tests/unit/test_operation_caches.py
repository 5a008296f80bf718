"""Parsed and validated operations are cached, but every schema keeps its own limits."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import graphql
import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import GraphQLError
from strawberry.extensions import parser_cache

from api.schema import build_schema

DEEP = "{ watchlist(first: 1) { edges { node { evidence { nodes { id } } } } } }"
INTROSPECTION = "{ __schema { queryType { name } } }"


def _messages(errors: list[GraphQLError] | None) -> list[str]:
    return [error.message for error in errors or []]


async def test_a_repeated_operation_is_checked_against_each_schemas_depth_limit() -> None:
    strict, lenient = build_schema(max_depth=1), build_schema()
    for _ in range(3):  # the second and third rounds are answered from the caches
        strict_errors = _messages((await strict.execute(DEEP)).errors)
        lenient_errors = _messages((await lenient.execute(DEEP)).errors)
        assert any("maximum operation depth of 1" in m for m in strict_errors)
        assert not any("maximum operation depth" in m for m in lenient_errors)


async def test_disabled_introspection_stays_disabled_when_cached() -> None:
    closed, open_ = build_schema(introspection=False), build_schema()
    for _ in range(3):
        assert any(
            "introspection has been disabled" in m
            for m in _messages((await closed.execute(INTROSPECTION)).errors)
        )
        assert (await open_.execute(INTROSPECTION)).data == {
            "__schema": {"queryType": {"name": "Query"}}
        }


async def test_a_repeated_operation_is_parsed_and_validated_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = {"parse": 0, "validate": 0}

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(strawberry_schema, "validate", counting("validate", graphql.validate))
    monkeypatch.setattr(parser_cache, "parse", counting("parse", graphql.parse))
    parser_cache._get_parse_cache.cache_clear()  # the cached parse wraps the name at first use
    schema = build_schema()
    unseen = f"query Probe{uuid.uuid4().hex} {{ __typename }}"  # a text no other test sent
    for _ in range(3):
        assert (await schema.execute(unseen)).data == {"__typename": "Query"}
    assert calls == {"parse": 1, "validate": 1}
