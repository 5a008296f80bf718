"""Which roles may call which operation, read from the schema's permission classes."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from strawberry.types.base import get_object_definition

from api.auth import RolePermission
from models.roles import Role


@dataclass(frozen=True)
class OperationRoles:
    """One root field (``Query.network``) and the roles its permission classes allow."""

    root: str
    field: str
    graphql_name: str
    roles: frozenset[Role]


def role_matrix(schema: strawberry.Schema) -> list[OperationRoles]:
    """Every root field of Query, Mutation and Subscription with its allowed roles."""
    found: list[OperationRoles] = []
    for root in (schema.query, schema.mutation, schema.subscription):
        if root is None:
            continue
        definition = get_object_definition(root, strict=True)
        for field in definition.fields:
            roles: frozenset[Role] = frozenset().union(
                *(p.roles for p in field.permission_classes if issubclass(p, RolePermission))
            )
            graphql_name = schema.config.name_converter.get_graphql_name(field)
            found.append(OperationRoles(definition.name, field.python_name, graphql_name, roles))
    return found


def role_matrix_markdown(schema: strawberry.Schema) -> str:
    """The matrix as a Markdown table (operations by roles)."""
    roles = list(Role)
    lines = [
        "| operation | " + " | ".join(role.value for role in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for op in role_matrix(schema):
        marks = " | ".join("yes" if role in op.roles else "" for role in roles)
        lines.append(f"| `{op.root}.{op.graphql_name}` | {marks} |")
    return "\n".join(lines) + "\n"
