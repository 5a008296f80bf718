"""Cypher for the claims queue: pending claims by age and handler."""

from typing import LiteralString

# A page of pending claims, oldest first after the cursor (reported_at, id), filtered by age
# (report instants), handler or the lack of one; with the policy, the holder (masked forms
# only), the repair shop, and what may turn into a complaint: grievances and complaints about
# the claim, and whether the holder is on the watchlist (ACTIVE). $from and $to always bound
# the report time and the order names the constant status first, so the (status, reported_at)
# index is read in order from the cursor on (PartialTop) instead of every pending claim being
# sorted.
PENDING_CLAIMS: LiteralString = """
MATCH (cl:Claim)
WHERE cl.status = 'PENDING' AND cl.reported_at >= $from AND cl.reported_at <= $to
  AND ($reported_after IS NULL OR cl.reported_at > $reported_after)
  AND ($handler IS NULL OR cl.handler = $handler)
  AND ($unassigned IS NULL OR (cl.handler IS NULL) = $unassigned)
  AND ($after_at IS NULL OR cl.reported_at > $after_at
       OR (cl.reported_at = $after_at AND cl.id > $after_id))
WITH cl ORDER BY cl.status, cl.reported_at, cl.id LIMIT $limit
OPTIONAL MATCH (pol:Policy)-[:HAS_CLAIM]->(cl)
OPTIONAL MATCH (holder:Customer)-[:HOLDS]->(pol)
RETURN cl {.id, .claim_no, .reported_at, .amount, .handler} AS claim,
       pol.policy_no AS policy_no, pol.product AS product,
       holder {.id, .customer_no, .name, .phone_masked} AS holder,
       [(cl)-[:REPAIRED_AT]->(shop:RepairShop) | shop.ref][0] AS shop_ref,
       COUNT { (f:FrontlineFeedback {kind: 'GRIEVANCE'})-[:CONCERNS]->(cl) } AS grievances,
       COUNT { (:Complaint)-[:ABOUT]->(cl) } AS complaints,
       holder IS NOT NULL
         AND EXISTS { (:WatchlistEntry {status: 'ACTIVE'})-[:LISTS]->(holder) } AS flagged
ORDER BY cl.reported_at ASC, cl.id ASC
"""

# Pending claims per handler ('' for none) and age bucket: a claim reported at or before k of
# the $edges (newest first) is in bucket k. With the oldest report and the summed age.
PENDING_BY_HANDLER: LiteralString = """
MATCH (cl:Claim {status: 'PENDING'})
WHERE cl.reported_at <= $now
WITH coalesce(cl.handler, '') AS handler, cl.reported_at AS at,
     size([edge IN $edges WHERE cl.reported_at <= edge]) AS bucket
RETURN handler, bucket, count(*) AS claims, min(at) AS oldest,
       sum(duration.inSeconds(at, $now).seconds) AS age_seconds
"""
