"""Who am I, and API-key administration."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from graph.apikeys import ApiKeyRepository
from graph.audit import AuditRepository
from models.errors import AuthenticationError, InvalidInput
from models.roles import Role

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(Role, name="Role")


@strawberry.type
class Viewer:
    key_id: strawberry.ID
    name: str
    role: Role


@strawberry.type
class ApiKey:
    id: strawberry.ID
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


@strawberry.type
class CreatedApiKey:
    id: strawberry.ID
    key: str = strawberry.field(description="Shown once; only its hash is stored.")


@strawberry.type
class AuditEntry:
    id: strawberry.ID
    at: datetime
    actor: str
    action: str
    subject_id: str | None
    before: str | None
    after: str | None


MAX_AUDIT_PAGE = 500
ALL_ROLES = tuple(Role)


@strawberry.type
class SystemQuery:
    @strawberry.field(permission_classes=allow(*ALL_ROLES), description="The calling key.")
    def viewer(self, info: Info[Context, None]) -> Viewer:
        principal = info.context.principal
        if principal is None:
            raise AuthenticationError("not authenticated")
        return Viewer(
            key_id=strawberry.ID(principal.key_id), name=principal.name, role=principal.role
        )

    @strawberry.field(permission_classes=allow(Role.ADMIN), description="Every API key.")
    async def api_keys(self, info: Info[Context, None]) -> list[ApiKey]:
        keys = await info.context.repo(ApiKeyRepository).list()
        return [
            ApiKey(
                id=strawberry.ID(k.id),
                name=k.name,
                role=k.role,
                prefix=k.prefix,
                created_at=k.created_at,
                revoked_at=k.revoked_at,
            )
            for k in keys
        ]

    @strawberry.field(
        permission_classes=allow(Role.ADMIN),
        description="Audit events, newest first; page backwards with beforeAt.",
    )
    async def audit_events(
        self,
        info: Info[Context, None],
        first: int = 50,
        action: str | None = None,
        actor: str | None = None,
        subject_id: str | None = None,
        before_at: datetime | None = None,
    ) -> list[AuditEntry]:
        if not 1 <= first <= MAX_AUDIT_PAGE:
            raise InvalidInput(f"first must be between 1 and {MAX_AUDIT_PAGE}")
        events = await info.context.repo(AuditRepository).list(
            limit=first, action=action, actor=actor, subject_id=subject_id, before_at=before_at
        )
        return [
            AuditEntry(
                id=strawberry.ID(e.id),
                at=e.at,
                actor=e.actor,
                action=e.action,
                subject_id=e.subject_id,
                before=e.before,
                after=e.after,
            )
            for e in events
        ]


@strawberry.type
class SystemMutation:
    @strawberry.mutation(permission_classes=allow(Role.ADMIN), description="Create an API key.")
    async def create_api_key(
        self,
        info: Info[Context, None],
        name: str,
        role: Role,
    ) -> CreatedApiKey:
        actor = info.context.principal.name if info.context.principal else "unknown"
        key_id, key = await info.context.repo(ApiKeyRepository).create(name, Role(role), actor)
        return CreatedApiKey(id=strawberry.ID(key_id), key=key)

    @strawberry.mutation(
        permission_classes=allow(Role.ADMIN), description="Revoke keys by id or name."
    )
    async def revoke_api_key(self, info: Info[Context, None], ref: str) -> list[strawberry.ID]:
        actor = info.context.principal.name if info.context.principal else "unknown"
        revoked = await info.context.repo(ApiKeyRepository).revoke(ref, actor)
        info.context.services.key_cache.clear()  # refused from the next request on
        return [strawberry.ID(key_id) for key_id in revoked]
