"""Cypher for what the complaint desk learns from: complaint-risk signals, hot topics and
handling guides (frontline feedback: ``graph.complaints.feedback_queries``)."""

from typing import LiteralString

# Signal: claims pending since before $pending_before (oldest first, bounded).
RISK_PENDING_CLAIMS: LiteralString = """
MATCH (cl:Claim {status: 'PENDING'})
WHERE cl.reported_at < $pending_before
WITH cl ORDER BY cl.reported_at ASC LIMIT $cap
MATCH (c:Customer)-[:HOLDS]->(:Policy)-[:HAS_CLAIM]->(cl)
RETURN c.id AS customer_id, cl.id AS claim_id, cl.reported_at AS since
"""

# Signal: a denied claim followed, within the look-back window, by frontline grievances about
# the claim or its holder, or by repeated hotline complaints from the holder. It starts from the
# recent contacts (indexed on time), so its cost follows recent activity, not the book's size.
RISK_DENIED_THEN_CONTACTS: LiteralString = """
CALL () {
  MATCH (f:FrontlineFeedback)-[:CONCERNS]->(cl:Claim {status: 'DENIED'})
        <-[:HAS_CLAIM]-(:Policy)<-[:HOLDS]-(c:Customer)
  WHERE f.at >= $since AND f.kind = 'GRIEVANCE'
    AND f.at >= coalesce(cl.settled_at, cl.reported_at)
  RETURN c, cl, f AS contact, 'GRIEVANCE' AS kind
  UNION
  MATCH (f:FrontlineFeedback)-[:CONCERNS]->(c:Customer)-[:HOLDS]->(:Policy)
        -[:HAS_CLAIM]->(cl:Claim {status: 'DENIED'})
  WHERE f.at >= $since AND f.kind = 'GRIEVANCE'
    AND f.at >= coalesce(cl.settled_at, cl.reported_at)
  RETURN c, cl, f AS contact, 'GRIEVANCE' AS kind
  UNION
  MATCH (q:Complaint)<-[:FILED]-(c:Customer)-[:HOLDS]->(:Policy)
        -[:HAS_CLAIM]->(cl:Claim {status: 'DENIED'})
  WHERE q.received_at >= $since AND q.channel = 'HOTLINE'
    AND q.received_at >= coalesce(cl.settled_at, cl.reported_at)
  RETURN c, cl, q AS contact, 'HOTLINE' AS kind
}
WITH c, cl, count(CASE kind WHEN 'GRIEVANCE' THEN 1 END) AS grievances,
     count(CASE kind WHEN 'HOTLINE' THEN 1 END) AS hotline
WHERE grievances > 0 OR hotline >= $hotline_contacts
RETURN c.id AS customer_id, cl.id AS claim_id, grievances, hotline
ORDER BY grievances + hotline DESC, customer_id, claim_id
LIMIT $cap
"""

# Signal: complaints within the look-back window about a claim or policy the customer holds.
RISK_PRIOR_COMPLAINTS: LiteralString = """
MATCH (c:Customer)-[:FILED]->(q:Complaint)-[:ABOUT]->(t)
WHERE q.received_at >= $since AND (t:Claim OR t:Policy)
  AND (EXISTS { (c)-[:HOLDS]->(t) } OR EXISTS { (c)-[:HOLDS]->(:Policy)-[:HAS_CLAIM]->(t) })
WITH c, CASE WHEN t:Claim THEN t.id END AS claim_id, count(DISTINCT q) AS complaints,
     max(q.received_at) AS last_at, collect(DISTINCT q.channel) AS channels
RETURN c.id AS customer_id, claim_id, complaints, last_at, channels
ORDER BY complaints DESC, last_at DESC
LIMIT $cap
"""

# The customers named by risk rows, with masked identifiers only.
CUSTOMERS_BY_ID: LiteralString = """
UNWIND $ids AS customer_id
MATCH (c:Customer {id: customer_id})
RETURN c {.id, .ref, .customer_no, .name, .id_masked, .phone_masked, kind: 'Customer'} AS party
"""

# Complaint summaries received in [$start, $end) (bounded), for hot topics.
COMPLAINT_TEXTS: LiteralString = """
MATCH (q:Complaint)
WHERE q.received_at >= $start AND q.received_at < $end
RETURN q.category AS category, q.summary AS summary, q.received_at AS received_at
LIMIT $cap
"""

# Create or replace a handling guide by its key.
UPSERT_GUIDE: LiteralString = """
MERGE (g:HandlingGuide {id: $id})
SET g.key = $key, g.title = $title, g.category = $category, g.keywords = $keywords,
    g.script = $script, g.updated_at = datetime(), g.updated_by = $actor
RETURN g {.*} AS guide
"""

# Default guides: created when missing, never overwriting an admin's edits.
SEED_GUIDES: LiteralString = """
UNWIND $rows AS row
MERGE (g:HandlingGuide {id: row.id})
ON CREATE SET g += row.props, g.updated_at = datetime(), g.updated_by = 'seed'
RETURN count(g) AS guides
"""

# Delete a guide; returns its id when it existed.
DELETE_GUIDE: LiteralString = """
MATCH (g:HandlingGuide {id: $id})
WITH g, g.id AS id
DETACH DELETE g
RETURN id
"""

# Guides, optionally of one category.
LIST_GUIDES: LiteralString = """
MATCH (g:HandlingGuide)
WHERE $category IS NULL OR g.category = $category
RETURN g {.*} AS guide
ORDER BY g.category, g.key
"""

# One guide by id.
GET_GUIDE: LiteralString = """
MATCH (g:HandlingGuide {id: $id})
RETURN g {.*} AS guide
"""
