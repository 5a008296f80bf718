"""Cypher for frontline feedback: observations, grievances and staff suggestions, the review
a suggestion goes through, and a grievance's conversion into a complaint."""

from typing import LiteralString

from graph.complaints.queries import link_each
from graph.labels import Label, Rel

# Which named subjects of a feedback do not exist.
MISSING_SUBJECTS: LiteralString = """
RETURN [x IN $customer_ids WHERE NOT EXISTS { MATCH (:Customer {id: x}) }]
       + [x IN $policy_ids WHERE NOT EXISTS { MATCH (:Policy {id: x}) }]
       + [x IN $claim_ids WHERE NOT EXISTS { MATCH (:Claim {id: x}) }] AS missing
"""

# Record a frontline observation, suggestion or grievance and what it concerns; a suggestion
# starts its review as SUBMITTED ($review_status), other kinds have none.
CREATE_FEEDBACK: LiteralString = (
    """
CREATE (f:FrontlineFeedback {id: $id, kind: $kind, text: $text, at: $at, category: $category,
                             submitted_by: $actor, submitted_by_key: $actor_key,
                             submitter_role: $role, review_status: $review_status})
WITH f
"""
    + link_each("f", Rel.CONCERNS, Label.CUSTOMER, "customer_ids")
    + link_each("f", Rel.CONCERNS, Label.POLICY, "policy_ids")
    + link_each("f", Rel.CONCERNS, Label.CLAIM, "claim_ids")
    + "RETURN f.id AS id"
)

# A feedback node bound to ``f`` with what it concerns, the customers behind it (named, or
# holding a named policy or claim), the complaint it became and its review decisions.
_FEEDBACK_PROJECTION: LiteralString = """
RETURN f {.*} AS feedback,
       [(f)-[:CONCERNS]->(t) | {id: t.id, kind: [l IN labels(t) WHERE l <> 'Party'][0],
                                ref: coalesce(t.policy_no, t.claim_no, t.ref),
                                name: t.name}] AS about,
       COLLECT {
         MATCH (f)-[:CONCERNS]->(c:Customer) RETURN c.customer_no AS no
         UNION
         MATCH (f)-[:CONCERNS]->(:Policy)<-[:HOLDS]-(c:Customer) RETURN c.customer_no AS no
         UNION
         MATCH (f)-[:CONCERNS]->(:Claim)<-[:HAS_CLAIM]-(:Policy)<-[:HOLDS]-(c:Customer)
         RETURN c.customer_no AS no
       } AS customer_nos,
       [(f)-[:BECAME]->(q:Complaint) | q.complaint_no][0] AS complaint_no,
       [(d:FeedbackDecision)-[:DECIDES]->(f) | d {.*}] AS decisions
"""

# A page of feedback, newest first, after the cursor (at, id): optionally of some kinds, some
# review statuses, or submitted by one key ($submitted_by_key).
LIST_FEEDBACK: LiteralString = (
    """
MATCH (f:FrontlineFeedback)
WHERE ($after_at IS NULL OR f.at < $after_at OR (f.at = $after_at AND f.id < $after_id))
  AND ($kinds IS NULL OR f.kind IN $kinds)
  AND ($statuses IS NULL OR f.review_status IN $statuses)
  AND ($submitted_by_key IS NULL OR f.submitted_by_key = $submitted_by_key)
WITH f ORDER BY f.at DESC, f.id DESC LIMIT $limit
"""
    + _FEEDBACK_PROJECTION
)

# One feedback by id.
GET_FEEDBACK: LiteralString = "MATCH (f:FrontlineFeedback {id: $id})\n" + _FEEDBACK_PROJECTION

# Lock a feedback for this transaction and read it (none when there is no such feedback).
LOCK_FEEDBACK: LiteralString = (
    """
MATCH (f:FrontlineFeedback {id: $id})
SET f._lock = true
REMOVE f._lock
WITH f
"""
    + _FEEDBACK_PROJECTION
)

# Record a review decision on a locked suggestion: its new status, who decided and when, and
# the decision itself (kept, with the rating and reward) and an audit event.
REVIEW_SUGGESTION: LiteralString = """
MATCH (f:FrontlineFeedback {id: $id})
SET f.review_status = $status, f.reviewed_by = $actor, f.reviewed_at = $at,
    f.rating = coalesce($rating, f.rating), f.reward = coalesce($reward, f.reward)
CREATE (d:FeedbackDecision {id: $decision_id, status: $status, before: $before, by: $actor,
                            by_role: $role, at: $at, comment: $comment, rating: $rating,
                            reward: $reward})-[:DECIDES]->(f)
CREATE (:AuditEvent {id: randomUUID(), at: $at, actor: $actor, action: 'feedback.review',
                     subject_id: f.id, before: $before, after: $status + ': ' + $comment})
RETURN f.id AS id
"""

# Link a locked grievance to the complaint it became (filed in the same transaction).
MARK_CONVERTED: LiteralString = """
MATCH (f:FrontlineFeedback {id: $id})
MATCH (q:Complaint {id: $complaint_id})
MERGE (f)-[:BECAME]->(q)
SET f.converted_at = $at, f.converted_by = $actor
CREATE (:AuditEvent {id: randomUUID(), at: $at, actor: $actor, action: 'feedback.convert',
                     subject_id: f.id, before: 'GRIEVANCE', after: q.id})
RETURN q.id AS id
"""
