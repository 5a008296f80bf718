"""API keys: creation, lookup by presented secret, revocation.

A key is ``rw_<prefix>_<secret>``; only the SHA-256 of the whole key is stored (the key has
256 bits of entropy, so an unsalted hash is enough to make the stored value useless).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from graph.access import queries as q
from graph.client import Graph
from models.errors import InvalidInput
from models.roles import Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and role."""

    key_id: str
    name: str
    role: Role


@dataclass(frozen=True)
class ApiKeyInfo:
    """A stored key as admins see it (never the secret)."""

    id: str
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyRepository:
    """Stores and checks API keys in Neo4j."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def create(self, name: str, role: Role, actor: str) -> tuple[str, str]:
        """Create a key; return ``(key_id, key)``. The key is shown once and never again."""
        if not name.strip():
            raise InvalidInput("a key needs a name")
        prefix = secrets.token_hex(4)
        key = f"rw_{prefix}_{secrets.token_urlsafe(32)}"
        key_id = str(uuid.uuid4())
        await self.graph.write(
            q.CREATE_API_KEY,
            id=key_id,
            name=name.strip(),
            role=role.value,
            hash=hash_key(key),
            prefix=prefix,
            actor=actor,
            audit_id=str(uuid.uuid4()),
            after=json.dumps({"name": name.strip(), "role": role.value}),
        )
        return key_id, key

    async def authenticate_hash(self, key_hash: str) -> Principal | None:
        """The principal of the active key whose stored hash (:func:`hash_key`) this is, or
        None for an unknown or revoked one."""
        records = await self.graph.read(q.FIND_ACTIVE_KEY_BY_HASH, hash=key_hash)
        if not records:
            return None
        record = records[0]
        return Principal(key_id=record["id"], name=record["name"], role=Role(record["role"]))

    async def revoke(self, ref: str, actor: str) -> list[str]:
        """Revoke the active key(s) with this id or name; return the ids revoked."""
        records = await self.graph.write(q.REVOKE_API_KEY, ref=ref, actor=actor)
        return [record["id"] for record in records]

    async def list(self) -> list[ApiKeyInfo]:
        """Every key, newest first."""
        records = await self.graph.read(q.LIST_API_KEYS)
        return [
            ApiKeyInfo(
                id=r["id"],
                name=r["name"],
                role=Role(r["role"]),
                prefix=r["prefix"],
                created_at=r["created_at"].to_native(),
                revoked_at=r["revoked_at"].to_native() if r["revoked_at"] else None,
            )
            for r in records
        ]
