"""Cypher for the probing guard of lookups by identifier: per API key and clock hour, the
distinct identifiers it sent that matched no party (models.identifier_probing)."""

from typing import LiteralString

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
