"""Cypher for the complaint lifecycle: filing, extensions, escalations, joint reviews,
listing with keyset pagination, and the overdue sweep.

Shape: ``(:Party)-[:FILED]->(:Complaint)-[:ABOUT]->(Policy|Claim|Party)``;
``(:Complaint)-[:ESCALATED]->(:ComplaintEscalation)`` keeps the channel history,
``(:JointReview)-[:REVIEWS]->(:Complaint)``, ``(:Complaint)-[:REPEAT_OF]->(:Complaint)``.
Statements that change a complaint first take its write lock (``SET q._lock ... REMOVE``) so
that what they read is what they change, even with several API processes.
"""

from typing import LiteralString

from graph.labels import Label, Rel
from graph.queries import CREATE_EVENTS

# Append the outbox $events in the statement that makes the change (a unit subquery).
WITH_EVENTS: LiteralString = "WITH *\nCALL () {" + CREATE_EVENTS + "}\n"


def audit(action: LiteralString) -> LiteralString:
    """A clause recording ``action`` on the complaint bound to ``q`` as an ``:AuditEvent``
    (who: $actor, when: $at, what: the action with $before / $after as short JSON texts).

    ``action`` is a constant written in this package (``complaint.extend``...), never input.
    """
    return (
        "CREATE (:AuditEvent {id: randomUUID(), at: $at, actor: $actor, "
        "action: '" + action + "', subject_id: q.id, before: $before, after: $after})\n"
    )


# Which of the named complainant, branch, subjects and complaint number exist (checked before
# filing), who already holds a new complainant's ID number, the complainant's earlier
# complaints (newest first, bounded) with their subjects for repeat detection, and the
# handling guides of the category (one round trip for all of it). Related subjects of a
# claim include its policy, so "same matter" spans claim and policy.
FILING_LOOKUP: LiteralString = """
OPTIONAL MATCH (cust:Party {id: $customer_id})
RETURN cust IS NOT NULL AS customer_found,
       $branch_id IS NULL OR EXISTS { MATCH (:Branch {id: $branch_id}) } AS branch_found,
       COLLECT {
         UNWIND $known_identifier_ids AS iid
         MATCH (:Identifier {id: iid})<-[:HAS_ID]-(p:Party)
         RETURN DISTINCT p {.id, .ref, .name, .customer_no, .id_masked, .phone_masked,
                            kind: [l IN labels(p) WHERE l <> 'Party'][0]} AS p
       } AS known,
       EXISTS { MATCH (:Complaint {id: $complaint_id}) } AS duplicate,
       [x IN $policy_ids WHERE NOT EXISTS { MATCH (:Policy {id: x}) }]
       + [x IN $claim_ids WHERE NOT EXISTS { MATCH (:Claim {id: x}) }]
       + [x IN $party_ids WHERE NOT EXISTS { MATCH (:Party {id: x}) }] AS missing,
       [x IN $claim_ids | [(:Claim {id: x})<-[:HAS_CLAIM]-(p:Policy) | p.id]] AS claim_policies,
       COLLECT {
         MATCH (cust)-[:FILED]->(q:Complaint)
         WITH q ORDER BY q.received_at DESC LIMIT 200
         RETURN q {.id, .category, .status, .received_at, .closed_at,
                   about_ids: [(q)-[:ABOUT]->(t) | t.id]
                              + [(q)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(p:Policy) | p.id]}
       } AS priors,
       COLLECT {
         MATCH (g:HandlingGuide {category: $category})
         RETURN g {.*} AS guide ORDER BY g.key
       } AS guides
"""


def link_each(node: str, rel: Rel, label: Label, param: str) -> LiteralString:
    """A subquery linking ``node`` by ``rel`` to each ``label`` node whose id is in ``$param``.

    Labels and types cannot be parameters, so they come from the allow-list enums; ``node`` and
    ``param`` are names written in this package, never input.
    """
    return (
        "CALL (" + node + ") { "
        "UNWIND $" + param + " AS target_id "
        "MATCH (t:" + label + " {id: target_id}) "
        "MERGE (" + node + ")-[:" + rel + "]->(t) "
        "RETURN count(*) AS " + param + "_linked "
        "}\n"
    )


# Record a complainant the book does not know yet ($new_parties: none or one), its
# identifiers as keyed hashes with their masked forms.
_CREATE_NEW_PARTIES: LiteralString = """
CALL () {
  UNWIND $new_parties AS np
  MERGE (p:ThirdParty {id: np.id})
  ON CREATE SET p:Party, p += np.props, p.created_at = datetime(), p.updated_at = datetime()
  WITH p, np
  UNWIND np.identifiers AS ident
  MERGE (i:Identifier {id: ident.id})
  ON CREATE SET i.kind = ident.kind, i.key = ident.key, i.masked = ident.masked
  MERGE (p)-[:HAS_ID]->(i)
}
"""

# Create the complaint, link it to its complainant, subjects and the complaints it repeats;
# the branch is the one given, else the complainant's.
_CREATE_COMPLAINT: LiteralString = (
    _CREATE_NEW_PARTIES
    + """
MATCH (cust:Party {id: $customer_id})
CREATE (q:Complaint {id: $id, complaint_no: $complaint_no, channel: $channel,
                     category: $category, nfra_category: $nfra_category, status: 'OPEN',
                     received_at: $received_at, due_at: $due_at, summary: $summary,
                     extensions: 0, repeat: $repeat, topic_terms: $topic_terms,
                     branch: coalesce($branch, cust.branch), regulator_ref: $regulator_ref,
                     regulator_reply_due_at: $regulator_reply_due_at, filed_by: $actor,
                     created_at: datetime(), updated_at: datetime()})
CREATE (cust)-[:FILED]->(q)
"""
    + audit("complaint.file")
    + """WITH q
"""
    + link_each("q", Rel.ABOUT, Label.POLICY, "policy_ids")
    + link_each("q", Rel.ABOUT, Label.CLAIM, "claim_ids")
    + link_each("q", Rel.ABOUT, Label.PARTY, "party_ids")
    + link_each("q", Rel.REPEAT_OF, Label.COMPLAINT, "repeat_of")
)

# Lock a complaint and read what its rules and events need.
LOCK_COMPLAINT: LiteralString = """
MATCH (q:Complaint {id: $id})
SET q._lock = true
REMOVE q._lock
WITH q
OPTIONAL MATCH (who:Party)-[:FILED]->(q)
RETURN q {.*} AS complaint, who.id AS customer_id, [(q)-[:ABOUT]->(t) | t.id] AS about_ids,
       [(r:JointReview {status: 'OPEN'})-[:REVIEWS]->(q) | r.id] AS open_reviews
"""

# Record an allowed extension (the rule was checked in Python on the locked row) and its
# complaint.extended event.
EXTEND_COMPLAINT: LiteralString = (
    """
MATCH (q:Complaint {id: $id})
SET q.due_at = $due_at, q.extensions = $extensions, q.status = 'EXTENDED',
    q.approver = coalesce($approver, q.approver),
    q.extended_by = coalesce(q.extended_by, []) + $actor,
    q.extension_reasons = coalesce(q.extension_reasons, []) + $reason,
    q.extended_at = coalesce(q.extended_at, []) + $at,
    q.updated_at = datetime()
"""
    + audit("complaint.extend")
    + WITH_EVENTS
    + "RETURN q.id AS id\n"
)

# Move a complaint up the channel ladder, keeping the step as a history node.
ESCALATE_COMPLAINT: LiteralString = (
    """
MATCH (q:Complaint {id: $id})
CREATE (q)-[:ESCALATED]->(:ComplaintEscalation {id: $escalation_id, from_channel: $from_channel,
                                                to_channel: $to_channel, at: $at, by: $actor,
                                                reason: $reason})
SET q.channel = $to_channel, q.updated_at = datetime()
"""
    + audit("complaint.escalate")
    + "RETURN q.id AS id\n"
)

# Mark a complaint answered, with its complaint.resolved event.
RESOLVE_COMPLAINT: LiteralString = (
    """
MATCH (q:Complaint {id: $id})
SET q.status = 'RESOLVED', q.closed_at = $at, q.resolved_at = $at, q.resolution = $resolution,
    q.resolved_by = $actor, q.updated_at = datetime()
"""
    + audit("complaint.resolve")
    + WITH_EVENTS
    + "RETURN q.id AS id\n"
)

# A joint review (会商) of the complaint ``q`` from the map ``review`` (made by new_review).
_CREATE_REVIEW: LiteralString = """
CREATE (r:JointReview {id: review.id, status: 'OPEN', reasons: review.reasons,
                       participants: review.participants, opened_at: review.at,
                       opened_by: review.actor})
CREATE (r)-[:REVIEWS]->(q)
"""

# Open a joint review of a complaint.
OPEN_JOINT_REVIEW: LiteralString = (
    "MATCH (q:Complaint {id: $complaint_id})\nWITH q, $review AS review"
    + _CREATE_REVIEW
    + "RETURN r.id AS id\n"
)

# Open a joint review by hand (recorded in the complaint's audit trail).
OPEN_JOINT_REVIEW_BY_HAND: LiteralString = (
    "MATCH (q:Complaint {id: $complaint_id})\nWITH q, $review AS review"
    + _CREATE_REVIEW
    + audit("complaint.joint_review.open")
    + "RETURN r.id AS id\n"
)

# Record a joint review's outcome (and who took part), closing it; returns its complaint.
CONCLUDE_JOINT_REVIEW: LiteralString = (
    """
MATCH (r:JointReview {id: $id})-[:REVIEWS]->(q:Complaint)
SET r._lock = true
REMOVE r._lock
WITH r, q
WHERE r.status = 'OPEN'
SET r.status = 'CONCLUDED', r.outcome = $outcome, r.concluded_at = $at,
    r.concluded_by = $actor,
    r.participants = CASE WHEN size($participants) > 0 THEN $participants
                          ELSE r.participants END
"""
    + audit("complaint.joint_review.conclude")
    + "RETURN q.id AS complaint_id\n"
)

# Everything a complaint shows, for the complaints bound to ``q`` by the preceding clauses.
_PROJECTION: LiteralString = """
OPTIONAL MATCH (who:Party)-[:FILED]->(q)
RETURN q {.*} AS complaint,
       who {.id, .ref, .customer_no, .name, .id_masked, .phone_masked,
            kind: [l IN labels(who) WHERE l <> 'Party'][0]} AS complainant,
       [(q)-[:ABOUT]->(t) | {id: t.id, kind: [l IN labels(t) WHERE l <> 'Party'][0],
                             ref: coalesce(t.policy_no, t.claim_no, t.ref),
                             name: t.name}] AS about,
       [(q)-[:ESCALATED]->(e:ComplaintEscalation) | e {.*}] AS escalations,
       [(r:JointReview)-[:REVIEWS]->(q) | r {.*}] AS reviews,
       [(q)-[:REPEAT_OF]->(earlier:Complaint) | earlier.id] AS repeat_of,
       [(q)-[:HAS_CONTACT]->(c:ComplaintContact) | c {.*}] AS contacts,
       [(q)-[:HAS_ATTACHMENT]->(a:ComplaintAttachment) | a {.*}] AS attachments,
       [(src:Complaint)-[:MERGED_INTO]->(q) | src {.id, .complaint_no, .received_at,
                                                  .merged_at, .merged_by, .merge_reason}]
         AS merged_from,
       COLLECT { MATCH (b:Branch {id: 'branch:' + q.branch}) RETURN b.name }[0] AS branch_name
"""

# One complaint with its customer, subjects, channel history and joint reviews.
GET_COMPLAINT: LiteralString = "MATCH (q:Complaint {id: $id})\n" + _PROJECTION

# File a complaint in one statement: create and link it, open the joint reviews in $reviews
# (none or one), append the outbox $events, and read back what GET_COMPLAINT shows.
FILE_COMPLAINT: LiteralString = (
    _CREATE_COMPLAINT
    + "CALL (q) { UNWIND $reviews AS review"
    + _CREATE_REVIEW
    + "}\n"
    + WITH_EVENTS
    + _PROJECTION
)

# Filters shared by both orderings; a null parameter switches its filter off.
_FILTERS: LiteralString = """
MATCH (q:Complaint)
WHERE ($statuses IS NULL OR q.status IN $statuses)
  AND ($channels IS NULL OR q.channel IN $channels)
  AND ($categories IS NULL OR q.category IN $categories)
  AND ($overdue IS NULL
       OR (q.status = 'OVERDUE' OR (q.status IN ['OPEN', 'EXTENDED'] AND q.due_at < $now))
          = $overdue)
  AND ($due_before IS NULL
       OR (q.status IN ['OPEN', 'EXTENDED'] AND $now <= q.due_at AND q.due_at <= $due_before))
  AND ($party_id IS NULL
       OR EXISTS { MATCH (:Party {id: $party_id})-[:FILED]->(q) }
       OR EXISTS { MATCH (q)-[:ABOUT]->(:Party {id: $party_id}) })
  AND ($assigned IS NULL OR (q.handler IS NOT NULL) = $assigned)
  AND ($handler IS NULL OR q.handler = $handler)
  AND ($team IS NULL OR q.team = $team)
  AND ($branch IS NULL OR q.branch = $branch)
"""

# A page of complaints, newest received first, after the cursor (received_at, id).
LIST_BY_RECEIVED: LiteralString = (
    _FILTERS
    + """
  AND ($after_at IS NULL OR q.received_at < $after_at
       OR (q.received_at = $after_at AND q.id < $after_id))
WITH q ORDER BY q.received_at DESC, q.id DESC LIMIT $limit
"""
    + _PROJECTION
)

# A page of complaints, earliest deadline first, after the cursor (due_at, id).
LIST_BY_DUE: LiteralString = (
    _FILTERS
    + """
  AND ($after_at IS NULL OR q.due_at > $after_at
       OR (q.due_at = $after_at AND q.id > $after_id))
WITH q ORDER BY q.due_at ASC, q.id ASC LIMIT $limit
"""
    + _PROJECTION
)

# Mark up to $limit open complaints past their deadline as OVERDUE; re-checked after taking
# each row's lock so two sweeps never mark (and announce) the same complaint twice.
MARK_OVERDUE: LiteralString = (
    """
MATCH (q:Complaint)
WHERE q.status IN ['OPEN', 'EXTENDED'] AND q.due_at < $now
WITH q LIMIT $limit
SET q._lock = true
REMOVE q._lock
WITH q
WHERE q.status IN ['OPEN', 'EXTENDED'] AND q.due_at < $now
SET q.status = 'OVERDUE', q.overdue_at = $now, q.updated_at = datetime()
"""
    + audit("complaint.overdue")
    + """WITH q
OPTIONAL MATCH (who:Party)-[:FILED]->(q)
RETURN q.id AS id, q.complaint_no AS complaint_no, q.channel AS channel,
       q.category AS category, q.due_at AS due_at, who.id AS customer_id,
       [(q)-[:ABOUT]->(t) | t.id] AS about_ids
"""
)

# How many complaints are overdue now (the /metrics gauge).
COUNT_OVERDUE: LiteralString = """
MATCH (q:Complaint {status: 'OVERDUE'})
RETURN count(q) AS overdue
"""
