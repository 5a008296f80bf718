"""Cypher for the complaint record after filing: assignment, contact log, attachments,
amounts, root cause, close, reopen, merge, the regulator's referral, the due-soon reminder
and the audit history.

Every change runs on a complaint its transaction has locked (``LOCK_COMPLAINT``) and writes
its ``:AuditEvent`` in the same statement; changes other departments react to append their
outbox events there too. Shape: ``(:Complaint)-[:HAS_CONTACT]->(:ComplaintContact)``,
``(:Complaint)-[:HAS_ATTACHMENT]->(:ComplaintAttachment)`` (a reference: hash, size, media
type and URI; the file lives elsewhere), ``(duplicate:Complaint)-[:MERGED_INTO]->(:Complaint)``.
"""

from typing import LiteralString

from graph.complaints.queries import WITH_EVENTS, audit

_ONE: LiteralString = "MATCH (q:Complaint {id: $id})\n"
_RETURN_ID: LiteralString = "RETURN q.id AS id\n"

# Give a complaint to a handler and/or a team (null clears).
ASSIGN_COMPLAINT: LiteralString = (
    _ONE
    + """SET q.handler = $handler, q.team = $team, q.assigned_at = $at, q.assigned_by = $actor,
    q.updated_at = datetime()
"""
    + audit("complaint.assign")
    + _RETURN_ID
)

# A contact with the complainant; a callback's result becomes the complaint's satisfaction
# unless a later callback already reached the complainant (UNREACHABLE changes nothing).
LOG_CONTACT: LiteralString = (
    _ONE
    + """CREATE (q)-[:HAS_CONTACT]->(:ComplaintContact {id: $contact_id, at: $contact_at,
                                                by: $actor, kind: $kind, note: $note,
                                                satisfaction: $satisfaction})
WITH q, $kind = 'CALLBACK' AND $satisfaction <> 'UNREACHABLE'
        AND (q.callback_at IS NULL OR $contact_at >= q.callback_at) AS latest
SET q.satisfaction = CASE WHEN latest THEN $satisfaction ELSE q.satisfaction END,
    q.callback_at = CASE WHEN latest THEN $contact_at ELSE q.callback_at END,
    q.updated_at = datetime()
"""
    + audit("complaint.contact")
    + _RETURN_ID
)

# Reference a document kept outside the graph; no row when the same file (hash) is already
# attached to the complaint.
ADD_ATTACHMENT: LiteralString = (
    _ONE
    + """WITH q WHERE NOT EXISTS {
  MATCH (q)-[:HAS_ATTACHMENT]->(:ComplaintAttachment {sha256: $sha256})
}
CREATE (q)-[:HAS_ATTACHMENT]->(:ComplaintAttachment {id: $attachment_id, sha256: $sha256,
                                                    size: $size, media_type: $media_type,
                                                    uri: $uri, name: $name, added_at: $at,
                                                    added_by: $actor})
SET q.updated_at = datetime()
"""
    + audit("complaint.attach")
    + _RETURN_ID
)

# Compensation agreed or paid, and the amount in dispute, in whole fen (null leaves as is).
RECORD_AMOUNTS: LiteralString = (
    _ONE
    + """SET q.compensation_fen = coalesce($compensation_fen, q.compensation_fen),
    q.dispute_fen = coalesce($dispute_fen, q.dispute_fen),
    q.amounts_by = $actor, q.amounts_at = $at, q.updated_at = datetime()
"""
    + audit("complaint.amounts")
    + _RETURN_ID
)

# Why the complaint arose: a code of the controlled list and the handler's words.
RECORD_ROOT_CAUSE: LiteralString = (
    _ONE
    + """SET q.root_cause = $root_cause, q.root_cause_text = $text, q.root_cause_by = $actor,
    q.root_cause_at = $at, q.updated_at = datetime()
"""
    + audit("complaint.root_cause")
    + _RETURN_ID
)

# The regulator's referral number (转办编号) and the date it wants the reply by.
RECORD_REGULATOR_REFERRAL: LiteralString = (
    _ONE
    + """SET q.regulator_ref = $referral_no, q.regulator_reply_due_at = $reply_due_at,
    q.regulator_recorded_by = $actor, q.regulator_recorded_at = $at, q.updated_at = datetime()
"""
    + audit("complaint.regulator_referral")
    + _RETURN_ID
)

# Close (办结): an answered complaint keeps its answer time as closed_at; an unanswered one
# (withdrawn, unreachable, no complaint) is finished now.
CLOSE_COMPLAINT: LiteralString = (
    _ONE
    + """SET q.status = 'CLOSED', q.closure_reason = $reason, q.closure_note = $note,
    q.case_closed_at = $at, q.case_closed_by = $actor, q.closed_at = coalesce(q.closed_at, $at),
    q.updated_at = datetime()
"""
    + audit("complaint.close")
    + WITH_EVENTS
    + _RETURN_ID
)

# Reopen: the complaint is open again with a fresh 15-day clock from now (the earlier answer,
# closure and deadline stay in the audit trail), and the reopening is kept in its history.
REOPEN_COMPLAINT: LiteralString = (
    _ONE
    + """SET q.status = 'OPEN', q.closed_at = null, q.resolved_at = null, q.resolution = null,
    q.resolved_by = null, q.case_closed_at = null, q.case_closed_by = null,
    q.closure_reason = null, q.closure_note = null, q.overdue_at = null,
    q.clock_started_at = $at, q.due_at = $due_at, q.extensions = 0, q.approver = null,
    q.reopened_at = coalesce(q.reopened_at, []) + $at,
    q.reopened_by = coalesce(q.reopened_by, []) + $actor,
    q.reopen_reasons = coalesce(q.reopen_reasons, []) + $reason,
    q.updated_at = datetime()
"""
    + audit("complaint.reopen")
    + WITH_EVENTS
    + _RETURN_ID
)

# Merge the duplicate $id into $target_id: the duplicate is MERGED and points at the target,
# which takes the merged clock, the higher channel (with a history step when it rises), the
# duplicate's subjects and, if it has none, its regulator referral. Both keep their history.
MERGE_COMPLAINT: LiteralString = (
    """
MATCH (q:Complaint {id: $id})
MATCH (target:Complaint {id: $target_id})
SET q.status = 'MERGED', q.merged_into = target.id, q.merged_at = $at, q.merged_by = $actor,
    q.merge_reason = $reason, q.updated_at = datetime()
CREATE (q)-[:MERGED_INTO]->(target)
SET target.received_at = $received_at, target.due_at = $due_at,
    target.extensions = $extensions, target.status = $status,
    target.clock_started_at = $clock_started_at, target.channel = $channel,
    target.regulator_ref = coalesce(target.regulator_ref, q.regulator_ref),
    target.regulator_reply_due_at = CASE WHEN target.regulator_ref IS NULL
                                         THEN q.regulator_reply_due_at
                                         ELSE target.regulator_reply_due_at END,
    target.updated_at = datetime()
WITH q, target
CALL (q, target) {
  MATCH (q)-[:ABOUT]->(t)
  MERGE (target)-[:ABOUT]->(t)
}
CALL (target) {
  UNWIND $escalations AS step
  CREATE (target)-[:ESCALATED]->(:ComplaintEscalation {id: step.id, from_channel: step.from_channel,
                                                       to_channel: step.to_channel, at: $at,
                                                       by: $actor, reason: step.reason})
}
"""
    + audit("complaint.merge")
    + """CREATE (:AuditEvent {id: randomUUID(), at: $at, actor: $actor,
                     action: 'complaint.merge_in', subject_id: target.id,
                     before: $target_before, after: $after})
"""
    + WITH_EVENTS
    + "RETURN target.id AS id\n"
)

# Remind once per deadline: open complaints due within [$now, $until] that were not yet
# reminded of this deadline (an extension moves the deadline and allows a new reminder).
# Re-checked after each row's lock, so two sweeps never announce the same reminder twice.
MARK_DUE_SOON: LiteralString = """
MATCH (q:Complaint)
WHERE q.due_at >= $now AND q.due_at <= $until AND q.status IN ['OPEN', 'EXTENDED']
  AND (q.due_soon_for IS NULL OR q.due_soon_for <> q.due_at)
WITH q LIMIT $limit
SET q._lock = true
REMOVE q._lock
WITH q
WHERE q.due_at >= $now AND q.due_at <= $until AND q.status IN ['OPEN', 'EXTENDED']
  AND (q.due_soon_for IS NULL OR q.due_soon_for <> q.due_at)
SET q.due_soon_for = q.due_at
WITH q
OPTIONAL MATCH (who:Party)-[:FILED]->(q)
RETURN q.id AS id, q.complaint_no AS complaint_no, q.channel AS channel,
       q.category AS category, q.due_at AS due_at, q.handler AS handler, q.team AS team,
       who.id AS customer_id, [(q)-[:ABOUT]->(t) | t.id] AS about_ids
"""

# The audit trail of each complaint in $ids and of the duplicates merged into it, oldest
# first (at most $limit events each).
COMPLAINT_HISTORY: LiteralString = """
UNWIND $ids AS cid
MATCH (q:Complaint {id: cid})
CALL (q) {
  UNWIND [q.id] + [(d:Complaint)-[:MERGED_INTO*1..20]->(q) | d.id] AS subject
  MATCH (a:AuditEvent {subject_id: subject})
  WHERE a.action STARTS WITH 'complaint.'
  RETURN a ORDER BY a.at, a.id LIMIT $limit
}
RETURN q.id AS complaint_id, collect(a {.*}) AS events
"""
