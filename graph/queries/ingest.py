"""Cypher for writing business records in ``UNWIND $rows`` batches, ``MERGE`` on node ids.

Re-running a batch changes nothing: nodes merge on ``id``, relationships merge on their ends.
Every ``MATCH``/``MERGE`` on a node is keyed by ``id`` on a label that has a uniqueness
constraint (graph/migrations.py), so each row costs index seeks, never a label scan.
"""

from typing import LiteralString

from graph.labels import PARTY_LABELS, Label


def _merge_parties(label: Label) -> LiteralString:
    # The label comes from the PARTY_LABELS allow-list, never from input.
    return (
        "UNWIND $rows AS row "
        "MERGE (p:" + label + " {id: row.id}) "
        "SET p:Party, p += row.props, p.updated_at = datetime()"
    )


# One party statement per label (Customer, RepairShop, Agent, Broker, Dealer, Adjuster); the
# identifiers go in their own statements below, deduplicated per batch.
MERGE_PARTIES: dict[str, LiteralString] = {
    label.value: _merge_parties(label) for label in PARTY_LABELS
}

# Identifier nodes, one row per distinct identifier of the batch.
MERGE_IDENTIFIERS = """
UNWIND $rows AS ident
MERGE (i:Identifier {id: ident.id})
ON CREATE SET i.kind = ident.kind, i.key = ident.key, i.masked = ident.masked
"""

# Party-to-identifier links; both ends exist (merged earlier in the same transaction).
LINK_IDENTIFIERS = """
UNWIND $rows AS link
MATCH (p:Party {id: link.party_id})
MATCH (i:Identifier {id: link.identifier_id})
MERGE (p)-[:HAS_ID]->(i)
"""

# Policies with their holder, seller (agent or broker) and dealer.
MERGE_POLICIES = """
UNWIND $rows AS row
MERGE (pol:Policy {id: row.id})
SET pol += row.props, pol.updated_at = datetime()
WITH pol, row
OPTIONAL MATCH (holder:Customer {id: row.holder_id})
OPTIONAL MATCH (seller:Party {id: row.seller_id})
OPTIONAL MATCH (dealer:Dealer {id: row.dealer_id})
FOREACH (_ IN CASE WHEN holder IS NULL THEN [] ELSE [1] END | MERGE (holder)-[:HOLDS]->(pol))
FOREACH (_ IN CASE WHEN seller IS NULL THEN [] ELSE [1] END | MERGE (pol)-[:SOLD_BY]->(seller))
FOREACH (_ IN CASE WHEN dealer IS NULL THEN [] ELSE [1] END | MERGE (pol)-[:SOLD_VIA]->(dealer))
RETURN count(*) AS written
"""

# Claims with their policy, repair shop and adjuster.
MERGE_CLAIMS = """
UNWIND $rows AS row
MERGE (c:Claim {id: row.id})
SET c += row.props, c.updated_at = datetime()
WITH c, row
OPTIONAL MATCH (pol:Policy {id: row.policy_id})
OPTIONAL MATCH (shop:RepairShop {id: row.shop_id})
OPTIONAL MATCH (adj:Adjuster {id: row.adjuster_id})
FOREACH (_ IN CASE WHEN pol IS NULL THEN [] ELSE [1] END | MERGE (pol)-[:HAS_CLAIM]->(c))
FOREACH (_ IN CASE WHEN shop IS NULL THEN [] ELSE [1] END | MERGE (c)-[:REPAIRED_AT]->(shop))
FOREACH (_ IN CASE WHEN adj IS NULL THEN [] ELSE [1] END | MERGE (c)-[:ASSESSED_BY]->(adj))
RETURN count(*) AS written
"""

# Complaints with who filed them and what they are about.
MERGE_COMPLAINTS = """
UNWIND $rows AS row
MERGE (c:Complaint {id: row.id})
SET c += row.props, c.updated_at = datetime()
WITH c, row
OPTIONAL MATCH (who:Party {id: row.complainant_id})
FOREACH (_ IN CASE WHEN who IS NULL THEN [] ELSE [1] END | MERGE (who)-[:FILED]->(c))
WITH c, row
CALL (c, row) {
  UNWIND row.about_policy_ids AS about_id
  MATCH (t:Policy {id: about_id})
  MERGE (c)-[:ABOUT]->(t)
  RETURN count(*) AS policies
}
CALL (c, row) {
  UNWIND row.about_claim_ids AS about_id
  MATCH (t:Claim {id: about_id})
  MERGE (c)-[:ABOUT]->(t)
  RETURN count(*) AS claims
}
CALL (c, row) {
  UNWIND row.about_party_ids AS about_id
  MATCH (t:Party {id: about_id})
  MERGE (c)-[:ABOUT]->(t)
  RETURN count(*) AS parties
}
RETURN count(*) AS written
"""

# Which of the given ids exist, per kind of node (the importer's reference check, one
# statement per batch).
EXISTING_IDS = """
CALL () {
  UNWIND $party_ids AS ref
  MATCH (n:Party {id: ref})
  RETURN n.id AS found
  UNION ALL
  UNWIND $policy_ids AS ref
  MATCH (n:Policy {id: ref})
  RETURN n.id AS found
  UNION ALL
  UNWIND $claim_ids AS ref
  MATCH (n:Claim {id: ref})
  RETURN n.id AS found
}
RETURN collect(found) AS found
"""
