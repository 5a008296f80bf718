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
        "SET p:Party, p += row.props, p.updated_at = datetime() "
        "FOREACH (k IN keys(row.instants) | SET p[k] = datetime(row.instants[k])) "
        "FOREACH (k IN keys(row.dates) | SET p[k] = date(row.dates[k]))"
    )


# Temporal properties travel as ISO-8601 strings in ``row.instants`` / ``row.dates`` and are
# converted here: packing Python datetimes in the driver costs more than the whole MERGE.
# One party statement per label (Customer, RepairShop, Agent, Broker, Dealer, Adjuster); the
# identifiers go in their own statements below, deduplicated per batch.
MERGE_PARTIES: dict[str, LiteralString] = {
    label.value: _merge_parties(label) for label in PARTY_LABELS
}

# Identifier nodes, one row per distinct identifier of the batch.
MERGE_IDENTIFIERS: LiteralString = """
UNWIND $rows AS ident
MERGE (i:Identifier {id: ident.id})
ON CREATE SET i.kind = ident.kind, i.key = ident.key, i.masked = ident.masked
"""

# Party-to-identifier links; both ends exist (merged earlier in the same transaction).
LINK_IDENTIFIERS: LiteralString = """
UNWIND $rows AS link
MATCH (p:Party {id: link.party_id})
MATCH (i:Identifier {id: link.identifier_id})
MERGE (p)-[:HAS_ID]->(i)
"""

# Policies with their holder, seller (agent or broker) and dealer.
MERGE_POLICIES: LiteralString = """
UNWIND $rows AS row
MERGE (pol:Policy {id: row.id})
SET pol += row.props, pol.updated_at = datetime()
FOREACH (k IN keys(row.instants) | SET pol[k] = datetime(row.instants[k]))
FOREACH (k IN keys(row.dates) | SET pol[k] = date(row.dates[k]))
WITH pol, row
CALL (pol, row) { MATCH (holder:Customer {id: row.holder_id}) MERGE (holder)-[:HOLDS]->(pol) }
CALL (pol, row) { MATCH (seller:Party {id: row.seller_id}) MERGE (pol)-[:SOLD_BY]->(seller) }
CALL (pol, row) { MATCH (dealer:Dealer {id: row.dealer_id}) MERGE (pol)-[:SOLD_VIA]->(dealer) }
"""

# Claims with their policy, repair shop and adjuster.
MERGE_CLAIMS: LiteralString = """
UNWIND $rows AS row
MERGE (c:Claim {id: row.id})
SET c += row.props, c.updated_at = datetime()
FOREACH (k IN keys(row.instants) | SET c[k] = datetime(row.instants[k]))
FOREACH (k IN keys(row.dates) | SET c[k] = date(row.dates[k]))
WITH c, row
CALL (c, row) { MATCH (pol:Policy {id: row.policy_id}) MERGE (pol)-[:HAS_CLAIM]->(c) }
CALL (c, row) { MATCH (shop:RepairShop {id: row.shop_id}) MERGE (c)-[:REPAIRED_AT]->(shop) }
CALL (c, row) { MATCH (adj:Adjuster {id: row.adjuster_id}) MERGE (c)-[:ASSESSED_BY]->(adj) }
"""

# Complaints with who filed them and what they are about.
MERGE_COMPLAINTS: LiteralString = """
UNWIND $rows AS row
MERGE (c:Complaint {id: row.id})
SET c += row.props, c.updated_at = datetime()
FOREACH (k IN keys(row.instants) | SET c[k] = datetime(row.instants[k]))
FOREACH (k IN keys(row.dates) | SET c[k] = date(row.dates[k]))
WITH c, row
CALL (c, row) { MATCH (who:Party {id: row.complainant_id}) MERGE (who)-[:FILED]->(c) }
CALL (c, row) {
  UNWIND row.about_policy_ids AS about_id
  MATCH (t:Policy {id: about_id})
  MERGE (c)-[:ABOUT]->(t)
}
CALL (c, row) {
  UNWIND row.about_claim_ids AS about_id
  MATCH (t:Claim {id: about_id})
  MERGE (c)-[:ABOUT]->(t)
}
CALL (c, row) {
  UNWIND row.about_party_ids AS about_id
  MATCH (t:Party {id: about_id})
  MERGE (c)-[:ABOUT]->(t)
}
CALL (c, row) {
  UNWIND coalesce(row.escalations, []) AS step
  MERGE (e:ComplaintEscalation {id: step.id})
  ON CREATE SET e.from_channel = step.from_channel, e.to_channel = step.to_channel,
                e.at = datetime(step.at), e.by = step.by, e.reason = step.reason
  MERGE (c)-[:ESCALATED]->(e)
}
CALL (c, row) {
  UNWIND coalesce(row.contacts, []) AS entry
  MERGE (k:ComplaintContact {id: entry.id})
  ON CREATE SET k.at = datetime(entry.at), k.by = entry.by, k.kind = entry.kind,
                k.note = entry.note, k.satisfaction = entry.satisfaction
  MERGE (c)-[:HAS_CONTACT]->(k)
}
CALL (c, row) {
  UNWIND coalesce(row.attachments, []) AS item
  MERGE (a:ComplaintAttachment {id: item.id})
  ON CREATE SET a.sha256 = item.sha256, a.size = item.size, a.media_type = item.media_type,
                a.uri = item.uri, a.name = item.name, a.added_at = datetime(item.added_at),
                a.added_by = item.added_by
  MERGE (c)-[:HAS_ATTACHMENT]->(a)
}
CALL (c, row) {
  UNWIND coalesce(row.audit, []) AS event
  MERGE (a:AuditEvent {id: event.id})
  ON CREATE SET a.at = datetime(event.at), a.actor = event.actor, a.action = event.action,
                a.subject_id = c.id, a.before = event.before, a.after = event.after
}
CALL (c, row) {
  UNWIND coalesce(row.joint_reviews, []) AS review
  MERGE (r:JointReview {id: review.id})
  SET r.status = review.status, r.reasons = review.reasons,
      r.participants = review.participants, r.opened_at = datetime(review.opened_at),
      r.opened_by = review.opened_by, r.outcome = review.outcome,
      r.concluded_at = datetime(review.concluded_at), r.concluded_by = review.concluded_by
  MERGE (r)-[:REVIEWS]->(c)
}
"""

# A complaint's links to the earlier complaints it repeats, once the whole batch is merged
# (an earlier complaint may be in the same batch); links to complaints not (yet) in the graph
# are skipped, and a later import that brings them adds the link.
LINK_REPEATS: LiteralString = """
UNWIND $rows AS row
MATCH (c:Complaint {id: row.id})
UNWIND row.repeat_of_ids AS earlier_id
MATCH (earlier:Complaint {id: earlier_id})
MERGE (c)-[:REPEAT_OF]->(earlier)
"""

# Merges between complaints, once the whole batch is merged: a duplicate names the complaint
# it was merged into, and that complaint its duplicates, so the link is made by whichever of
# the two comes second (in this import or a later one); links to absent complaints wait.
LINK_MERGES: LiteralString = """
UNWIND $rows AS row
MATCH (dup:Complaint {id: row.duplicate_id})
MATCH (target:Complaint {id: row.target_id})
MERGE (dup)-[:MERGED_INTO]->(target)
"""

# Branches (机构) by code.
MERGE_BRANCHES: LiteralString = """
UNWIND $rows AS row
MERGE (b:Branch {id: row.id})
SET b += row.props, b.updated_at = datetime()
"""

# Watchlist entries restored from an export, with their party link and their audit trail
# (audit events keep their exported ids, so a second import adds none). ``row.props`` holds
# every exported field, nulls included, so a re-import resets the entry to the export.
MERGE_WATCHLIST_ENTRIES: LiteralString = """
UNWIND $rows AS row
MATCH (p:Party {id: row.party_id})
MERGE (w:WatchlistEntry {id: row.id})
SET w += row.props
FOREACH (k IN keys(row.instants) | SET w[k] = datetime(row.instants[k]))
MERGE (w)-[:LISTS]->(p)
WITH w, row
CALL (w, row) {
  UNWIND row.audit AS event
  MERGE (a:AuditEvent {id: event.id})
  ON CREATE SET a.at = datetime(event.at), a.actor = event.actor, a.action = event.action,
                a.subject_id = w.id, a.before = event.before, a.after = event.after
}
"""

# Which of the given ids exist, per kind of node (the importer's reference check, one
# statement per batch).
EXISTING_IDS: LiteralString = """
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
  UNION ALL
  UNWIND $branch_ids AS ref
  MATCH (n:Branch {id: ref})
  RETURN n.id AS found
}
RETURN collect(found) AS found
"""
