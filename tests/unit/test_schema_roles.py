"""Every operation in the schema declares the roles that may call it."""

from __future__ import annotations

from api.schema import build_schema
from api.schema.role_matrix import role_matrix, role_matrix_markdown
from models.roles import Role


def test_every_operation_declares_roles() -> None:
    matrix = role_matrix(build_schema())
    assert any(op.graphql_name == "viewer" for op in matrix)
    undeclared = [f"{op.root}.{op.graphql_name}" for op in matrix if not op.roles]
    assert undeclared == []


def test_admin_is_allowed_everywhere() -> None:
    for op in role_matrix(build_schema()):
        assert Role.ADMIN in op.roles, op.graphql_name


def test_markdown_matrix_lists_every_operation() -> None:
    schema = build_schema()
    table = role_matrix_markdown(schema)
    assert table.count("\n") == len(role_matrix(schema)) + 2
    assert "| `Query.apiKeys` | yes |  |  |  |  |" in table
