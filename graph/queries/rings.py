"""Cypher for ring detection (groups of parties linked through shared identifiers).

The refresh streams shared identifiers page by page in id order (a bounded index scan per
page), so no statement touches the whole graph at once and Python never holds all nodes.
"""

from typing import LiteralString

# One page of the identifier scan: the next $scan identifiers after $after in id order, and
# of those, the ones two or more parties share (with their parties, at most
# $max_degree_plus_one of them, so a hub identifier is recognised without being read whole).
# ``last_id`` is null once the scan has passed the last identifier.
SHARED_IDENTIFIERS_PAGE: LiteralString = """
MATCH (i:Identifier) WHERE i.id > $after
WITH i ORDER BY i.id LIMIT $scan
WITH collect(i) AS page
CALL (page) {
  UNWIND page AS i
  WITH i, COUNT { (i)<-[:HAS_ID]-() } AS degree
  WHERE degree >= 2
  CALL (i) {
    MATCH (i)<-[:HAS_ID]-(p:Party)
    WITH p LIMIT $max_degree_plus_one
    RETURN collect(p.id) AS parties
  }
  RETURN collect({id: i.id, kind: i.kind, masked: i.masked, degree: degree,
                  parties: parties}) AS shared
}
RETURN page[-1].id AS last_id, shared
"""

# Complaint and fraud-flagged claim counts of each candidate ring's members.
RING_MEMBER_FIGURES: LiteralString = """
UNWIND $rings AS ring
CALL (ring) {
  UNWIND ring.members AS pid
  MATCH (p:Party {id: pid})
  OPTIONAL MATCH (p)-[:FILED]->(q:Complaint)
  WITH p, count(q) AS complaints
  OPTIONAL MATCH (p)-[:HOLDS]->(:Policy)-[:HAS_CLAIM]->(c:Claim)
  RETURN sum(complaints) AS complaints,
         count(DISTINCT CASE WHEN c.fraud_flag THEN c END) AS flagged_claims,
         count(DISTINCT c) AS claims
}
RETURN ring.id AS id, complaints, flagged_claims, claims
"""

# Writes a batch of rings of generation $generation with their members.
WRITE_RINGS: LiteralString = """
UNWIND $rings AS ring
MERGE (r:Ring {id: ring.id})
SET r += ring.props, r.generation = $generation, r.refreshed_at = datetime()
WITH r, ring
UNWIND ring.members AS pid
MATCH (p:Party {id: pid})
MERGE (p)-[:IN_RING]->(r)
RETURN count(DISTINCT r) AS written
"""

# Removes rings of every other generation (after a refresh has written its own).
DELETE_STALE_RINGS: LiteralString = """
MATCH (r:Ring) WHERE r.generation <> $generation
CALL (r) { DETACH DELETE r } IN TRANSACTIONS OF 2000 ROWS
"""

# A page of rings by score (then id), after an optional (score, id) cursor.
RINGS_PAGE: LiteralString = """
MATCH (r:Ring)
WHERE r.size >= $min_size
  AND ($kinds IS NULL OR any(k IN r.shared_kinds WHERE k IN $kinds))
  AND ($after_score IS NULL OR r.score < $after_score
       OR (r.score = $after_score AND r.id > $after_id))
WITH r ORDER BY r.score DESC, r.id LIMIT $limit
CALL (r) {
  MATCH (r)<-[:IN_RING]-(p:Party)
  WITH p ORDER BY p.id LIMIT $member_cap
  RETURN collect(p{.id, .ref, .name, .city, .customer_no, .id_masked, .phone_masked,
                   labels: labels(p)}) AS members
}
RETURN r{.*} AS ring, members
"""

# How many rings match the filters (for totalCount).
RINGS_COUNT: LiteralString = """
MATCH (r:Ring)
WHERE r.size >= $min_size
  AND ($kinds IS NULL OR any(k IN r.shared_kinds WHERE k IN $kinds))
RETURN count(r) AS total
"""

# The rings each party belongs to (DataLoader batch).
RINGS_OF_PARTIES: LiteralString = """
UNWIND $ids AS pid
MATCH (:Party {id: pid})-[:IN_RING]->(r:Ring)
RETURN pid, collect(r{.*}) AS rings
"""
