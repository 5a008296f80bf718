"""Cypher for reading the audit trail (written by each capability with its change)."""

from typing import LiteralString

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
