"""Cypher for ``riskwatch export``: the business graph, one keyset page at a time.

A page is ``WHERE n.id > $after ORDER BY n.id LIMIT $limit`` on a label whose ``id`` has a
uniqueness constraint, so each page is an index range scan (a 100k-customer book never sits
in memory, and a later page costs what the first one did), and the order is deterministic.
Complaints page by (``received_at``, ``id``) instead, so that earlier complaints come first.
"""

from typing import LiteralString

from graph.labels import PARTY_LABELS, Label


def _party_page(label: Label) -> LiteralString:
    # The label comes from the PARTY_LABELS allow-list, never from input.
    return (
        "MATCH (p:" + label + ") WHERE p.id > $after "
        "WITH p ORDER BY p.id LIMIT $limit "
        "RETURN p {.*} AS node, "
        "[(p)-[:HAS_ID]->(i:Identifier) | [i.kind, i.key, i.masked]] AS identifiers"
    )


# One page of parties of one kind with their identifiers (kind, keyed hash, masked form).
PARTY_PAGES: dict[str, LiteralString] = {label.value: _party_page(label) for label in PARTY_LABELS}

# One page of policies with the natural keys of holder, seller (and its kind) and dealer.
POLICY_PAGE: LiteralString = """
MATCH (pol:Policy) WHERE pol.id > $after
WITH pol ORDER BY pol.id LIMIT $limit
RETURN pol {.*} AS node,
       [(h:Customer)-[:HOLDS]->(pol) | h.ref] AS holders,
       [(pol)-[:SOLD_BY]->(s:Party) WHERE s:Agent OR s:Broker
        | [CASE WHEN s:Agent THEN 'agent_no' ELSE 'broker_no' END, s.ref]] AS sellers,
       [(pol)-[:SOLD_VIA]->(d:Dealer) | d.ref] AS dealers
"""

# One page of claims with the natural keys of their policy, repair shop and adjuster.
CLAIM_PAGE: LiteralString = """
MATCH (c:Claim) WHERE c.id > $after
WITH c ORDER BY c.id LIMIT $limit
RETURN c {.*} AS node,
       [(pol:Policy)-[:HAS_CLAIM]->(c) | pol.policy_no] AS policies,
       [(c)-[:REPAIRED_AT]->(s:RepairShop) | s.ref] AS shops,
       [(c)-[:ASSESSED_BY]->(a:Adjuster) | a.ref] AS adjusters
"""

# One page of branches by code.
BRANCH_PAGE: LiteralString = """
MATCH (b:Branch) WHERE b.id > $after
WITH b ORDER BY b.id LIMIT $limit
RETURN b {.*} AS node
"""

# One page of complaints in the order they were received (so the complaints one repeats come
# before it), with their complainant (its kind's label and key), what they are about and
# their history: channel steps, joint reviews, contacts, attachments, merges, audit trail.
COMPLAINT_PAGE: LiteralString = """
MATCH (q:Complaint)
WHERE $after_at IS NULL OR q.received_at > $after_at
      OR (q.received_at = $after_at AND q.id > $after)
WITH q ORDER BY q.received_at, q.id LIMIT $limit
RETURN q {.*} AS node,
       [(who:Party)-[:FILED]->(q) | [[l IN labels(who) WHERE l <> 'Party'][0], who.ref]]
         AS complainants,
       [(q)-[:ABOUT]->(pol:Policy) | pol.policy_no] AS policies,
       [(q)-[:ABOUT]->(c:Claim) | c.claim_no] AS claims,
       [(q)-[:ABOUT]->(p:Party) | p.id] AS parties,
       [(q)-[:REPEAT_OF]->(earlier:Complaint) | earlier.complaint_no] AS repeat_of,
       [(q)-[:ESCALATED]->(e:ComplaintEscalation) | e {.*}] AS escalations,
       [(r:JointReview)-[:REVIEWS]->(q) | r {.*}] AS joint_reviews,
       [(q)-[:HAS_CONTACT]->(c:ComplaintContact) | c {.*}] AS contacts,
       [(q)-[:HAS_ATTACHMENT]->(a:ComplaintAttachment) | a {.*}] AS attachments,
       [(q)-[:MERGED_INTO]->(t:Complaint) | t.complaint_no] AS merged_into,
       [(d:Complaint)-[:MERGED_INTO]->(q) | d.complaint_no] AS merged_from,
       COLLECT { MATCH (a:AuditEvent {subject_id: q.id})
                 WHERE a.action STARTS WITH 'complaint.' RETURN a {.*} } AS audit
"""

# One page of watchlist entries with their party and their audit trail.
WATCHLIST_PAGE: LiteralString = """
MATCH (w:WatchlistEntry) WHERE w.id > $after
WITH w ORDER BY w.id LIMIT $limit
RETURN w {.*} AS node,
       [(w)-[:LISTS]->(p:Party) | p.id] AS parties,
       COLLECT { MATCH (a:AuditEvent {subject_id: w.id})
                 WHERE a.action STARTS WITH 'watchlist.' RETURN a {.*} } AS audit
"""
