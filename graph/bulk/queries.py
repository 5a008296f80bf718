"""Cypher for whole books in and out: ingest batches, export pages and the demo's feeds."""

from __future__ import annotations

from typing import LiteralString

from graph.labels import PARTY_LABELS, Label

# ---- Cypher for writing business records in ``UNWIND $rows`` batches, ``MERGE`` on node ids.
#
# Re-running a batch changes nothing: nodes merge on ``id``, relationships merge on their ends.
# Every ``MATCH``/``MERGE`` on a node is keyed by ``id`` on a label that has a uniqueness
# constraint (graph/migrations.py), so each row costs index seeks, never a label scan.


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


# ---- Cypher for ``riskwatch export``: the business graph, one keyset page at a time.
#
# A page is ``WHERE n.id > $after ORDER BY n.id LIMIT $limit`` on a label whose ``id`` has a
# uniqueness constraint, so each page is an index range scan (a 100k-customer book never sits
# in memory, and a later page costs what the first one did), and the order is deterministic.
# Complaints page by (``received_at``, ``id``) instead, so that earlier complaints come first.


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


# ---- Cypher for the demo's feeds: registered by ``riskwatch seed-demo``, served by the app.

# Register (or refresh) the demo feeds. The anchor, seed and cast the coverage was dated and
# written with are kept from the first seeding, so the feeds the app serves later carry the
# very stories that were stored (a re-run of seed-demo adds nothing).
UPSERT_DEMO_FEEDS: LiteralString = """
UNWIND $rows AS row
MERGE (f:Feed {id: row.id})
ON CREATE SET f.created_at = $now, f.consecutive_failures = 0, f.items_seen = 0,
              f.next_poll_at = row.next_poll_at
SET f.url = row.url, f.name = row.name, f.language = 'zh-cn',
    f.poll_interval_s = row.poll_interval_s, f.enabled = row.enabled,
    f.disabled_reason = row.disabled_reason, f.high_impact = row.high_impact,
    f.weight = row.weight,
    f.demo_anchor = coalesce(f.demo_anchor, $anchor), f.demo_seed = coalesce(f.demo_seed, $seed),
    f.demo_cast = coalesce(f.demo_cast, $cast)
RETURN f {.*} AS feed
"""

# What a demo feed was seeded with (none for a feed that is not a demo feed).
DEMO_FEED_STATE: LiteralString = """
MATCH (f:Feed {id: $id})
WHERE f.demo_anchor IS NOT NULL
RETURN f.demo_anchor AS anchor, f.demo_seed AS seed, f.demo_cast AS cast
"""
