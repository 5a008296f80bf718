"""Cypher for crisis cases: listing, steps, escalation, resolution and the closing review."""

from typing import LiteralString

# Cases by status, newest first.
LIST_CASES: LiteralString = """
MATCH (c:CrisisCase)
WHERE $status IS NULL OR c.status = $status
RETURN c {.*} AS case ORDER BY c.opened_at DESC LIMIT $limit
"""

# One case.
GET_CASE: LiteralString = """
MATCH (c:CrisisCase {id: $id})
RETURN c {.*} AS case
"""

# A case's steps, by deadline.
CASE_STEPS: LiteralString = """
MATCH (:CrisisCase {id: $id})-[:HAS_STEP]->(s:CrisisStep)
RETURN s {.*} AS step ORDER BY s.due_at, s.key
"""

# A case's alerts.
CASE_ALERTS: LiteralString = """
MATCH (c:CrisisCase {id: $id})-[:HAS_ALERT]->(a:Alert)
RETURN a {.*, case_id: c.id} AS alert ORDER BY a.opened_at
"""

# Marks a pending step done; returns nothing when the step does not exist.
COMPLETE_STEP: LiteralString = """
MATCH (s:CrisisStep {id: $id})
WITH s, s.status AS before
SET s.status = 'DONE',
    s.completed_at = CASE WHEN before = 'DONE' THEN s.completed_at ELSE $now END,
    s.completed_by = CASE WHEN before = 'DONE' THEN s.completed_by ELSE $actor END,
    s.note = coalesce($note, s.note)
CREATE (e:AuditEvent {id: randomUUID(), at: $now, actor: $actor, action: 'crisis.step.complete',
                      subject_id: s.id, case_id: s.case_id, before: before, after: 'DONE'})
RETURN s {.*} AS step
"""

# Assigns a step to a person.
ASSIGN_STEP: LiteralString = """
MATCH (s:CrisisStep {id: $id})
WITH s, s.assignee AS before
SET s.assignee = $assignee
CREATE (e:AuditEvent {id: randomUUID(), at: $now, actor: $actor, action: 'crisis.step.assign',
                      subject_id: s.id, case_id: s.case_id, before: before, after: $assignee})
RETURN s {.*} AS step
"""

# Resolves a case and its alerts (freeing their dedup keys).
RESOLVE_CASE: LiteralString = """
MATCH (c:CrisisCase {id: $id})
WITH c, c.status AS before
SET c.status = 'RESOLVED', c.open_key = null, c.resolved_at = coalesce(c.resolved_at, $now),
    c.resolved_by = coalesce(c.resolved_by, $actor), c.resolution = $resolution
WITH c, before
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_ALERT]->(a:Alert)
  SET a.status = 'RESOLVED', a.open_key = null
}
CREATE (e:AuditEvent {id: randomUUID(), at: $now, actor: $actor, action: 'crisis.case.resolve',
                      subject_id: c.id, case_id: c.id, before: before, after: 'RESOLVED'})
RETURN c {.*} AS case
"""

# Pending steps of open cases whose deadline has passed at $now.
OVERDUE_STEPS: LiteralString = """
MATCH (s:CrisisStep)
WHERE s.status = 'PENDING' AND s.due_at <= $now
MATCH (c:CrisisCase {id: s.case_id, status: 'OPEN'})
RETURN s {.*} AS step, c.subject_id AS subject_id, c.severity AS severity
ORDER BY s.due_at LIMIT $limit
"""

# Escalates one step, only if nobody else has since (its deadline is still the one read;
# compared as epoch millis, since datetimes in different zone forms are never '='),
# with an audit record and a domain event that the delivery path fans out.
ESCALATE_STEP: LiteralString = """
MATCH (s:CrisisStep {id: $id})
WHERE s.status = 'PENDING' AND s.due_at.epochMillis = $expected_due_ms
SET s.role = $to_role, s.escalation_level = $level, s.due_at = $new_due_at,
    s.escalated_at = $now
CREATE (a:AuditEvent {id: randomUUID(), at: $now, actor: 'escalation',
                      action: 'crisis.step.escalate', subject_id: s.id, case_id: s.case_id,
                      before: $from_role, after: $to_role})
CREATE (e:DomainEvent:Undispatched {id: randomUUID(), type: 'crisis.step_escalated',
                                    at: $now, subject_id: s.case_id, payload: $payload,
                                    dispatched_at: null})
RETURN s.id AS id
"""

# The audit trail of a case, its steps and its alerts, in order.
CASE_TIMELINE: LiteralString = """
MATCH (e:AuditEvent)
WHERE e.case_id = $id OR e.subject_id IN $subject_ids
RETURN DISTINCT e.at AS at, e.actor AS actor, e.action AS action, e.subject_id AS subject_id,
       e.before AS before, e.after AS after
ORDER BY at LIMIT $limit
"""

# Complaints related to the case's subjects: filed by them, about them, or the subject itself.
RELATED_COMPLAINTS: LiteralString = """
UNWIND $subject_ids AS subject_id
CALL (subject_id) {
  MATCH (c:Complaint {id: subject_id}) RETURN c
  UNION MATCH (:Party {id: subject_id})-[:FILED|ABOUT]-(c:Complaint) RETURN c
}
RETURN DISTINCT c.id AS id, c.complaint_no AS complaint_no, c.channel AS channel,
       c.status AS status, c.category AS category, c.received_at AS received_at
ORDER BY received_at DESC LIMIT $limit
"""

# The subjects' neighbourhood: nodes one or two hops away, with the relationship types; with
# $labels, only paths whose every node after the subject has only labels from that list.
SUBJECT_NEIGHBOURHOOD: LiteralString = """
UNWIND $subject_ids AS subject_id
CALL (subject_id) {
  MATCH (x:Party {id: subject_id}) RETURN x
  UNION MATCH (x:Subject {id: subject_id}) RETURN x
  UNION MATCH (x:Complaint {id: subject_id}) RETURN x
}
MATCH path = (x)-[*1..2]-(n)
WHERE NOT n:AuditEvent AND NOT n:Delivery AND NOT n:Mention AND NOT n:Story
  AND NOT n:Alert AND NOT n:CrisisCase AND NOT n:CrisisStep AND NOT n:Identifier
  AND ($labels IS NULL
       OR all(m IN tail(nodes(path)) WHERE all(label IN labels(m) WHERE label IN $labels)))
WITH DISTINCT x, n, [r IN relationships(path) | type(r)] AS via
RETURN x.id AS from_id, n.id AS id, labels(n) AS labels,
       coalesce(n.name, n.complaint_no, n.claim_no, n.policy_no, n.id) AS name, via
LIMIT $limit
"""

# The active crisis plan document, if one is stored.
GET_ACTIVE_PLAN: LiteralString = """
MATCH (p:CrisisPlan {id: 'active'})
RETURN p.document AS document, p.updated_at AS updated_at, p.updated_by AS updated_by
"""

# Stores the plan document unless one is already active (startup seeding from the file).
SEED_ACTIVE_PLAN: LiteralString = """
MERGE (p:CrisisPlan {id: 'active'})
ON CREATE SET p.document = $document, p.updated_at = $now, p.updated_by = $actor
RETURN p.document AS document
"""

# Replaces the active plan, with an audit record of the previous document.
SAVE_ACTIVE_PLAN: LiteralString = """
MERGE (p:CrisisPlan {id: 'active'})
WITH p, p.document AS before
SET p.document = $document, p.updated_at = $now, p.updated_by = $actor
CREATE (e:AuditEvent {id: randomUUID(), at: $now, actor: $actor, action: 'crisis.plan.update',
                      subject_id: 'crisis-plan', before: before, after: $document})
RETURN p.document AS document
"""
