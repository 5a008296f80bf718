"""Cypher for API keys (stored as SHA-256 hashes of the secret; the secret is never stored)."""

from typing import LiteralString

# Store a new key; its audit event is written in the same statement.
CREATE_API_KEY: LiteralString = """
CREATE (k:ApiKey {id: $id, name: $name, role: $role, hash: $hash, prefix: $prefix,
                  created_at: datetime(), created_by: $actor, revoked_at: null})
CREATE (a:AuditEvent {id: $audit_id, at: datetime(), actor: $actor, action: 'apikey.create',
                      subject_id: $id, before: null, after: $after})
RETURN k.id AS id
"""

# The active key whose hash matches, if any.
FIND_ACTIVE_KEY_BY_HASH: LiteralString = """
MATCH (k:ApiKey {hash: $hash})
WHERE k.revoked_at IS NULL
RETURN k.id AS id, k.name AS name, k.role AS role
"""

# Revoke a key by id or name; records an audit event. Returns the revoked key's id.
REVOKE_API_KEY: LiteralString = """
MATCH (k:ApiKey)
WHERE (k.id = $ref OR k.name = $ref) AND k.revoked_at IS NULL
SET k.revoked_at = datetime()
CREATE (a:AuditEvent {id: randomUUID(), at: datetime(), actor: $actor, action: 'apikey.revoke',
                      subject_id: k.id, before: 'active', after: 'revoked'})
RETURN k.id AS id
"""

# Every key, newest first, without hashes.
LIST_API_KEYS: LiteralString = """
MATCH (k:ApiKey)
RETURN k.id AS id, k.name AS name, k.role AS role, k.prefix AS prefix,
       k.created_at AS created_at, k.revoked_at AS revoked_at
ORDER BY k.created_at DESC
"""
