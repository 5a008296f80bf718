"""Cypher for the watchlist: the rules' finders, entry upkeep (with audit events), reviews.

Rule finders return ids only (the evidence); ``graph.watchlist.rules`` turns rows into
findings and ``graph.watchlist.entries`` writes entries. Instants ($now, $since) are parameters so a
run is deterministic for a given clock.
"""

from typing import LiteralString

# REPEAT_COMPLAINANT: parties with at least $min_complaints complaints received in the window.
REPEAT_COMPLAINANTS: LiteralString = """
MATCH (q:Complaint)
WHERE q.received_at >= $since AND q.received_at <= $now
MATCH (p:Party)-[:FILED]->(q)
WITH p, collect(q.id) AS complaints
WHERE size(complaints) >= $min_complaints
RETURN p.id AS party_id, complaints
"""

# REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL: a regulator complaint in the window about a claim
# denied with a recorded reason that was judged valid.
REGULATOR_ESCALATIONS: LiteralString = """
MATCH (q:Complaint)
WHERE q.received_at >= $since AND q.received_at <= $now AND q.channel = 'REGULATOR'
MATCH (p:Party)-[:FILED]->(q)-[:ABOUT]->(c:Claim {status: 'DENIED'})
WHERE c.denial_reason_valid = true AND c.denial_code IS NOT NULL
RETURN p.id AS party_id, q.id AS complaint_id, c.id AS claim_id
"""

# FRAUD_LINKED sources: holders of fraud-flagged claims, and parties flagged themselves.
FRAUD_SOURCES: LiteralString = """
MATCH (c:Claim {fraud_flag: true})<-[:HAS_CLAIM]-(pol:Policy)<-[:HOLDS]-(p:Party)
RETURN p.id AS party_id, c.id AS claim_id, pol.id AS policy_id
UNION
MATCH (p:Party {fraud_flag: true})
RETURN p.id AS party_id, null AS claim_id, null AS policy_id
"""

# One hop out from a frontier of parties through identifiers they share with other parties;
# identifiers held by more than $max_degree parties (a shop's switchboard) are not links.
SHARED_IDENTIFIER_HOP: LiteralString = """
UNWIND $frontier AS pid
MATCH (p:Party {id: pid})-[:HAS_ID]->(i:Identifier)<-[:HAS_ID]-(q:Party)
WHERE q.id <> pid AND COUNT { (i)<-[:HAS_ID]-() } <= $max_degree
RETURN pid AS source, i.id AS identifier, q.id AS reached
"""

# SHARED_IDENTIFIER_RING seeds, one page of identifiers at a time (in id order): the
# identifiers held by 2..$max_degree parties, with those parties. ``last`` is the page's
# last id (null when the page is empty), for the next page's $after.
SHARED_IDENTIFIER_PAGE: LiteralString = """
MATCH (i:Identifier)
WHERE i.id > $after
WITH i ORDER BY i.id LIMIT $page_size
WITH collect(i) AS page
RETURN page[-1].id AS last,
       [i IN page
        WHERE COUNT { (i)<-[:HAS_ID]-() } >= 2 AND COUNT { (i)<-[:HAS_ID]-() } <= $max_degree
        | {identifier: i.id,
           parties: COLLECT { MATCH (i)<-[:HAS_ID]-(p:Party) RETURN p.id }}] AS shared
"""

# For candidate ring members: their complaints and their fraud-flagged claims (with policy).
RING_MEMBER_SIGNALS: LiteralString = """
UNWIND $party_ids AS pid
MATCH (p:Party {id: pid})
RETURN pid AS party_id,
       COLLECT { MATCH (p)-[:FILED]->(q:Complaint) RETURN q.id } AS complaints,
       COLLECT { MATCH (p)-[:HOLDS]->(pol:Policy)-[:HAS_CLAIM]->(c:Claim {fraud_flag: true})
                 RETURN [pol.id, c.id] } AS flagged
"""

# REPAIR_SHOP_COMPLAINT_CLUSTER candidates: complaints in the window about a shop or about a
# claim repaired there, per shop with at least $min_customers such complaints.
SHOP_COMPLAINTS: LiteralString = """
MATCH (q:Complaint)
WHERE q.received_at >= $since AND q.received_at <= $now
MATCH (who:Party)-[:FILED]->(q)
CALL (q) {
  MATCH (q)-[:ABOUT]->(s:RepairShop)
  RETURN s, null AS claim_id
  UNION
  MATCH (q)-[:ABOUT]->(c:Claim)-[:REPAIRED_AT]->(s:RepairShop)
  RETURN s, c.id AS claim_id
}
WITH s, collect({complaint: q.id, at: q.received_at, who: who.id, claim: claim_id}) AS items
WHERE size(items) >= $min_customers
RETURN s.id AS shop_id, items
"""

# REPAIR_SHOP_COMPLAINT_CLUSTER, second trigger: complaints in the window involving a shop (or
# a claim it repaired) from complainants a reviewer confirmed as repeat or escalating
# complainants (ACTIVE entries), per shop with at least $min_complaints of them.
SHOP_MALICIOUS_COMPLAINTS: LiteralString = """
MATCH (w:WatchlistEntry {status: 'ACTIVE'})
WHERE w.reason IN ['REPEAT_COMPLAINANT', 'REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL']
MATCH (w)-[:LISTS]->(who:Party)-[:FILED]->(q:Complaint)
WHERE q.received_at >= $since AND q.received_at <= $now
CALL (q) {
  MATCH (q)-[:ABOUT]->(s:RepairShop)
  RETURN s, null AS claim_id
  UNION
  MATCH (q)-[:ABOUT]->(c:Claim)-[:REPAIRED_AT]->(s:RepairShop)
  RETURN s, c.id AS claim_id
}
WITH s, collect(DISTINCT {complaint: q.id, who: who.id, claim: claim_id}) AS items
WHERE size(items) >= $min_complaints
RETURN s.id AS shop_id, items
"""

# Existing entries for some reasons, for the run's add / refresh / keep-dismissed decisions.
ENTRIES_FOR_REASONS: LiteralString = """
MATCH (w:WatchlistEntry)
WHERE w.reason IN $reasons
RETURN w.id AS id, w.status AS status, w.fingerprint AS fingerprint,
       w.dismissed_fingerprint AS dismissed_fingerprint
"""

# Write rule findings: create or update entries, link them to their party, audit changes
# (rows with a null audit_action are plain refreshes and leave no audit event).
UPSERT_ENTRIES: LiteralString = """
UNWIND $rows AS row
MATCH (p:Party {id: row.party_id})
MERGE (w:WatchlistEntry {id: row.id})
ON CREATE SET w.created_at = $now, w.party_id = row.party_id, w.reason = row.reason,
              w.source = 'rule', w.proposed_by = row.proposed_by,
              w.proposed_by_key = row.proposed_by
MERGE (w)-[:LISTS]->(p)
WITH w, row, w.status AS before
SET w.status = row.status, w.evidence_nodes = row.nodes, w.evidence_edges = row.edges,
    w.fingerprint = row.fingerprint, w.summary = row.summary, w.last_seen_at = $now,
    w.updated_at = $now, w.expires_at = $expires_at
FOREACH (_ IN CASE WHEN row.repropose THEN [1] ELSE [] END |
  SET w.proposed_by = row.proposed_by, w.proposed_by_key = row.proposed_by, w.created_at = $now,
      w.reviewed_by = null, w.reviewed_by_key = null, w.reviewed_at = null,
      w.review_comment = null)
FOREACH (_ IN CASE WHEN row.audit_action IS NULL THEN [] ELSE [1] END |
  CREATE (:AuditEvent {id: randomUUID(), at: datetime(), actor: row.proposed_by,
                       action: row.audit_action, subject_id: w.id, before: before,
                       after: row.audit_after}))
RETURN count(w) AS written
"""

# Expire open entries whose rule ran and no longer fires, and any open entry past its expiry.
EXPIRE_ENTRIES: LiteralString = """
MATCH (w:WatchlistEntry)
WHERE w.status IN ['PROPOSED', 'ACTIVE']
  AND ((w.source = 'rule' AND w.reason IN $reasons AND NOT w.id IN $seen)
       OR w.expires_at <= $now)
WITH w, w.status AS before
SET w.status = 'EXPIRED', w.updated_at = $now, w.expired_at = $now
CREATE (:AuditEvent {id: randomUUID(), at: datetime(), actor: $actor,
                     action: 'watchlist.expire', subject_id: w.id, before: before,
                     after: 'EXPIRED'})
RETURN w.id AS id
"""

# One entry with its party's display fields.
GET_ENTRY: LiteralString = """
MATCH (w:WatchlistEntry {id: $id})-[:LISTS]->(p:Party)
RETURN w {.*} AS entry, p.name AS party_name, p.ref AS party_ref,
       [label IN labels(p) WHERE label <> 'Party'][0] AS party_kind
"""

# A page of entries in id order, optionally filtered by status and reason.
LIST_ENTRIES: LiteralString = """
MATCH (w:WatchlistEntry)
WHERE ($status IS NULL OR w.status = $status)
  AND ($reason IS NULL OR w.reason = $reason)
  AND ($after IS NULL OR w.id > $after)
WITH w ORDER BY w.id LIMIT $limit
MATCH (w)-[:LISTS]->(p:Party)
RETURN w {.*} AS entry, p.name AS party_name, p.ref AS party_ref,
       [label IN labels(p) WHERE label <> 'Party'][0] AS party_kind
ORDER BY w.id
"""

# Review: move an entry from $expected to $status, if its proposer is not the reviewer.
REVIEW_ENTRY: LiteralString = """
MATCH (w:WatchlistEntry {id: $id})
WHERE w.status = $expected AND w.proposed_by_key <> $actor_key
SET w.status = $status, w.reviewed_by = $actor, w.reviewed_by_key = $actor_key,
    w.reviewed_at = datetime(), w.review_comment = $comment, w.updated_at = datetime(),
    w.dismissed_fingerprint = CASE WHEN $status = 'DISMISSED' THEN w.fingerprint
                                   ELSE w.dismissed_fingerprint END
CREATE (:AuditEvent {id: randomUUID(), at: datetime(), actor: $actor,
                     action: 'watchlist.review', subject_id: w.id, before: $expected,
                     after: $status + ': ' + $comment})
RETURN w.id AS id
"""

# A manual proposal: a new entry, or a closed one (dismissed or expired) proposed again.
PROPOSE_ENTRY: LiteralString = """
MATCH (p:Party {id: $party_id})
MERGE (w:WatchlistEntry {id: $id})
ON CREATE SET w.created_at = datetime(), w.party_id = $party_id, w.reason = $reason
MERGE (w)-[:LISTS]->(p)
WITH w, w.status AS before
WHERE before IS NULL OR NOT before IN ['PROPOSED', 'ACTIVE']
SET w.status = 'PROPOSED', w.source = 'manual', w.proposed_by = $actor,
    w.proposed_by_key = $actor_key, w.summary = $comment, w.evidence_nodes = $nodes,
    w.evidence_edges = [], w.fingerprint = $fingerprint, w.created_at = datetime(),
    w.updated_at = datetime(), w.last_seen_at = datetime(), w.expires_at = $expires_at,
    w.reviewed_by = null, w.reviewed_by_key = null, w.reviewed_at = null,
    w.review_comment = null
CREATE (:AuditEvent {id: randomUUID(), at: datetime(), actor: $actor,
                     action: 'watchlist.propose', subject_id: w.id, before: before,
                     after: 'PROPOSED: ' + $comment})
RETURN w.id AS id
"""

# Evidence nodes by id, whatever their label, with what a risk reviewer may see of them
# (identifiers only masked).
EVIDENCE_NODES: LiteralString = """
UNWIND $ids AS nid
OPTIONAL MATCH (p:Party {id: nid})
OPTIONAL MATCH (i:Identifier {id: nid})
OPTIONAL MATCH (c:Claim {id: nid})
OPTIONAL MATCH (q:Complaint {id: nid})
OPTIONAL MATCH (pol:Policy {id: nid})
WITH nid, coalesce(p, i, c, q, pol) AS n
WHERE n IS NOT NULL
RETURN n.id AS id, [label IN labels(n) WHERE label <> 'Party'][0] AS label,
       CASE
         WHEN n:Identifier THEN n.kind + ' ' + n.masked
         WHEN n:Party THEN coalesce(n.ref, '') + ' ' + coalesce(n.name, '')
         WHEN n:Claim THEN n.claim_no + ' ' + n.status
              + CASE WHEN n.fraud_flag THEN ' fraud-flagged' ELSE '' END
              + coalesce(' denied ' + n.denial_code, '')
         WHEN n:Complaint THEN n.complaint_no + ' ' + n.channel + ' '
              + toString(date(n.received_at))
         ELSE coalesce(n.policy_no, n.id)
       END AS caption
"""

# Attention flags: the parties named by id ($parties: {id, via}) or by a keyed identifier hash
# ($identifiers: {field, kind, key}), each with the inputs it matched on and the reasons of
# its ACTIVE entries (proposals are not shown until reviewed); best matches first, bounded.
ATTENTION: LiteralString = """
CALL () {
  UNWIND $parties AS x
  MATCH (p:Party {id: x.id})
  RETURN p, x.via AS via
  UNION ALL
  UNWIND $identifiers AS k
  MATCH (:Identifier {kind: k.kind, key: k.key})<-[:HAS_ID]-(p:Party)
  RETURN p, k.field AS via
}
WITH p, collect(DISTINCT via) AS matched_on
WITH p, matched_on,
     COLLECT { MATCH (w:WatchlistEntry)-[:LISTS]->(p) WHERE w.status = 'ACTIVE'
               RETURN DISTINCT w.reason } AS reasons
RETURN p.id AS party_id, [label IN labels(p) WHERE label <> 'Party'][0] AS kind,
       p.name AS name, p.id_masked AS id_masked, p.phone_masked AS phone_masked,
       matched_on, reasons
ORDER BY size(matched_on) DESC, size(reasons) DESC, party_id
LIMIT $limit
"""
