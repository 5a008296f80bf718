"""Who am I, and API-key administration."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.pagination import Connection, connection
from graph.access.apikeys import ApiKeyRepository
from graph.access.audit import AuditEvent, AuditRepository
from models.errors import AuthenticationError
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

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEntry:
        return cls(
            id=strawberry.ID(event.id),
            at=event.at,
            actor=event.actor,
            action=event.action,
            subject_id=event.subject_id,
            before=event.before,
            after=event.after,
        )


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
        description="Audit events, newest first; beforeAt keeps only older ones.",
    )
    async def audit_events(
        self,
        info: Info[Context, None],
        first: int = 50,
        after: str | None = None,
        action: str | None = None,
        actor: str | None = None,
        subject_id: str | None = None,
        before_at: datetime | None = None,
    ) -> Connection[AuditEntry]:
        page = await info.context.repo(AuditRepository).page(
            first=first,
            after=after,
            action=action,
            actor=actor,
            subject_id=subject_id,
            before_at=before_at,
        )
        return connection(page, AuditEntry.of)


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
