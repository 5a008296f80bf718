"""Every operation in the schema declares the roles that may call it."""

from __future__ import annotations

from strawberry.types.base import StrawberryObjectDefinition

from api.auth import RolePermission
from api.schema import build_schema
from models.roles import Role


def _operation_fields() -> dict[str, list[type]]:
    schema = build_schema()
    found: dict[str, list[type]] = {}
    for root in (schema.query, schema.mutation, schema.subscription):
        if root is None:
            continue
        definition: StrawberryObjectDefinition = root.__strawberry_definition__
        for field in definition.fields:
            found[f"{definition.name}.{field.python_name}"] = list(field.permission_classes)
    return found


def test_every_operation_declares_roles() -> None:
    fields = _operation_fields()
    assert "Query.viewer" in fields
    undeclared = [
        name
        for name, permissions in fields.items()
        if not any(issubclass(p, RolePermission) and p.roles for p in permissions)
    ]
    assert undeclared == []


def test_admin_is_allowed_everywhere() -> None:
    for name, permissions in _operation_fields().items():
        roles = set().union(*(p.roles for p in permissions if issubclass(p, RolePermission)))
        assert Role.ADMIN in roles, name
