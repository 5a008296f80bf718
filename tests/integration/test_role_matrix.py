"""End to end: each operation refuses exactly the roles its declaration leaves out.

For every root field a minimal operation is built from the schema (dummy values for required
arguments, ``__typename`` as the selection) and sent with a key of every role. A role outside
the declaration must get FORBIDDEN; a role inside it must never get FORBIDDEN (it may get
another error, e.g. NOT_FOUND for a dummy id). New operations are covered automatically.
"""

from __future__ import annotations

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)

from api.schema import build_schema
from api.schema.role_matrix import role_matrix
from models.roles import Role
from tests.integration.conftest import KeyFactory, gql

SCALAR_DUMMIES = {
    "String": '"x"',
    "ID": '"x"',
    "Int": "1",
    "Float": "1.0",
    "Boolean": "false",
    "DateTime": '"2026-01-01T00:00:00+00:00"',
    "Date": '"2026-01-01"',
    "JSON": "{}",
    "Decimal": '"1"',
}


def _dummy(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return _dummy(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{_dummy(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        required = [
            f"{name}: {_dummy(field.type)}"
            for name, field in type_.fields.items()
            # An input field without a default has ``Undefined`` (not None) as its default.
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        return "{" + ", ".join(required) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return SCALAR_DUMMIES.get(type_.name, '"x"')


def _operations() -> list[tuple[str, str, frozenset[Role]]]:
    schema = build_schema()
    graphql_schema = schema._schema
    found = []
    for op in role_matrix(schema):
        if op.root == "Subscription":
            continue  # websocket auth is tested with the subscriptions themselves
        root_type = (
            graphql_schema.query_type if op.root == "Query" else graphql_schema.mutation_type
        )
        assert root_type is not None
        field = root_type.fields[op.graphql_name]
        args = [
            f"{name}: {_dummy(arg.type)}"
            for name, arg in field.args.items()
            if isinstance(arg.type, GraphQLNonNull)
        ]
        call = op.graphql_name + (f"({', '.join(args)})" if args else "")
        returned = get_named_type(field.type)
        selection = (
            "" if isinstance(returned, GraphQLScalarType | GraphQLEnumType) else " { __typename }"
        )
        keyword = "query" if op.root == "Query" else "mutation"
        found.append((op.graphql_name, f"{keyword} {{ {call}{selection} }}", op.roles))
    return found


async def test_every_operation_refuses_exactly_the_undeclared_roles(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    keys = {role: await make_key(role) for role in Role}
    wrong: list[str] = []
    for name, document, allowed in _operations():
        for role, key in keys.items():
            body = (await gql(client, key, document)).json()
            codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
            forbidden = "FORBIDDEN" in codes
            if forbidden == (role in allowed):
                wrong.append(f"{name} as {role.value}: forbidden={forbidden} {body.get('errors')}")
    assert wrong == []
