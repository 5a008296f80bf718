"""Cypher for access: API keys, the audit trail and the probing guard of identifier lookups."""

from __future__ import annotations

from typing import LiteralString

# ---- Cypher for API keys (stored as SHA-256 hashes of the secret; the secret is never stored).

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


# ---- Cypher for reading the audit trail (written by each capability with its change).

# Audit events, newest first, optionally filtered by action prefix, actor or subject.
LIST_AUDIT_EVENTS: LiteralString = """
MATCH (a:AuditEvent)
WHERE ($action IS NULL OR a.action STARTS WITH $action)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($subject_id IS NULL OR a.subject_id = $subject_id)
  AND ($before_at IS NULL OR a.at < $before_at)
  AND ($after_at IS NULL OR a.at < $after_at OR (a.at = $after_at AND a.id < $after_id))
RETURN a.id AS id, a.at AS at, a.actor AS actor, a.action AS action,
       a.subject_id AS subject_id, a.before AS before, a.after AS after
ORDER BY a.at DESC, a.id DESC
LIMIT $limit
"""


# ---- Cypher for the probing guard of lookups by identifier: per API key and clock hour, the
# distinct identifiers it sent that matched no party (models.identifier_probing).

# Whether a key is refused lookups by identifier in this hour.
WINDOW_BLOCKED: LiteralString = """
MATCH (w:IdentifierProbeWindow {id: $id})
RETURN coalesce(w.blocked, false) AS blocked
"""

# Add failures to a key's window (created on first use) and return them all. The write lock
# is taken before the list is read, so concurrent requests of one key never lose failures;
# the list stops growing past $keep (the window is refused long before).
ADD_FAILURES: LiteralString = """
MERGE (w:IdentifierProbeWindow {id: $id})
ON CREATE SET w.key_id = $key_id, w.window = $window, w.failures = [], w.blocked = false,
              w.alerted = []
SET w._lock = true
WITH w
SET w.failures = (w.failures + [f IN $failures WHERE NOT f IN w.failures])[0..$keep]
REMOVE w._lock
RETURN w.failures AS failures, w.blocked AS blocked, w.alerted AS alerted
"""

# Refuse the key for the rest of the window, remembering which alerts were raised.
BLOCK_WINDOW: LiteralString = """
MATCH (w:IdentifierProbeWindow {id: $id})
SET w.blocked = true, w.alerted = w.alerted + [a IN $alerts WHERE NOT a IN w.alerted]
"""

# The audit record of a refusal, for the admins' audit trail.
AUDIT_PROBING: LiteralString = """
CREATE (:AuditEvent {id: randomUUID(), at: datetime(), actor: $actor, action: $action,
                     subject_id: $key_id, before: null, after: $detail})
"""

# Windows of past hours are of no further use.
FORGET_OLD_WINDOWS: LiteralString = """
MATCH (w:IdentifierProbeWindow) WHERE w.window < $before
WITH w LIMIT 1000
DETACH DELETE w
"""
