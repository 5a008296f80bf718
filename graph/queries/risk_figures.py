"""Cypher for explainable risk figures: complaint rates of shops, agents, dealers, adjusters
and brokers, and complaint counts for dashboards. Labels and types come from the enums."""

from typing import LiteralString

from graph.labels import Label, Rel

_FIGURES_TAIL: LiteralString = """
WITH e, volume, claim_count, flagged, subjects, holders WHERE volume >= $min_volume
CALL (e, subjects) {
  UNWIND subjects + [e] AS subject
  MATCH (subject)<-[:ABOUT]-(q:Complaint)
  WITH DISTINCT q
  OPTIONAL MATCH (who:Party)-[:FILED]->(q)
  WITH q, CASE WHEN who IS NULL THEN 0 ELSE COUNT { (who)-[:FILED]->(:Complaint) } END AS filed
  RETURN count(q) AS complaints, count(CASE WHEN filed > 1 THEN 1 END) AS repeats
}
CALL (holders) {
  UNWIND holders AS holder
  RETURN count(holder) AS customers,
         count(CASE WHEN EXISTS { (holder)-[:IN_RING]->(:Ring) } THEN 1 END) AS in_ring
}
RETURN e.id AS id, e.ref AS ref, e.name AS name, labels(e) AS labels, volume, claim_count,
       flagged, complaints, repeats, customers, in_ring
"""


def _claim_based(label: Label, rel: Rel) -> LiteralString:
    # Shops and adjusters: their volume is the claims they repaired or assessed.
    return (
        "MATCH (e:" + label + ") "
        "CALL (e) { "
        "  MATCH (e)<-[:" + rel + "]-(c:Claim) "
        "  OPTIONAL MATCH (c)<-[:HAS_CLAIM]-(:Policy)<-[:HOLDS]-(holder:Customer) "
        "  RETURN count(DISTINCT c) AS volume, count(DISTINCT c) AS claim_count, "
        "         count(DISTINCT CASE WHEN c.fraud_flag THEN c END) AS flagged, "
        "         collect(DISTINCT c) AS subjects, collect(DISTINCT holder) AS holders "
        "} " + _FIGURES_TAIL
    )


def _policy_based(label: Label, rel: Rel) -> LiteralString:
    # Agents, brokers and dealers: their volume is the policies they sold.
    return (
        "MATCH (e:" + label + ") "
        "CALL (e) { "
        "  MATCH (e)<-[:" + rel + "]-(pol:Policy)<-[:HOLDS]-(holder:Customer) "
        "  OPTIONAL MATCH (pol)-[:HAS_CLAIM]->(c:Claim) "
        "  RETURN count(DISTINCT pol) AS volume, count(DISTINCT c) AS claim_count, "
        "         count(DISTINCT CASE WHEN c.fraud_flag THEN c END) AS flagged, "
        "         collect(DISTINCT pol) + collect(DISTINCT c) AS subjects, "
        "         collect(DISTINCT holder) AS holders "
        "} " + _FIGURES_TAIL
    )


# Per ranked party kind: volume, complaints (about it or its business), repeat complaints,
# fraud-flagged claims and customers in rings.
RANKING_FIGURES: dict[Label, LiteralString] = {
    Label.REPAIR_SHOP: _claim_based(Label.REPAIR_SHOP, Rel.REPAIRED_AT),
    Label.ADJUSTER: _claim_based(Label.ADJUSTER, Rel.ASSESSED_BY),
    Label.AGENT: _policy_based(Label.AGENT, Rel.SOLD_BY),
    Label.BROKER: _policy_based(Label.BROKER, Rel.SOLD_BY),
    Label.DEALER: _policy_based(Label.DEALER, Rel.SOLD_VIA),
}

_IN_WINDOW: LiteralString = (
    "MATCH (q:Complaint) WHERE q.received_at >= $from_at AND q.received_at < $to_at "
)
_BUCKETS: LiteralString = " ORDER BY count DESC, key LIMIT $limit"

# Complaint counts per grouping, received in [$from_at, $to_at).
COMPLAINT_STATS: dict[str, LiteralString] = {
    "CHANNEL": _IN_WINDOW
    + "RETURN q.channel AS key, q.channel AS label, count(*) AS count"
    + _BUCKETS,
    "CATEGORY": _IN_WINDOW
    + "RETURN q.category AS key, q.category AS label, count(*) AS count"
    + _BUCKETS,
    "MONTH": _IN_WINDOW + "WITH left(toString(q.received_at), 7) AS month "
    "RETURN month AS key, month AS label, count(*) AS count ORDER BY key LIMIT $limit",
    "SHOP": _IN_WINDOW + "CALL (q) { "
    "  MATCH (q)-[:ABOUT]->(s:RepairShop) RETURN s "
    "  UNION "
    "  MATCH (q)-[:ABOUT]->(:Claim)-[:REPAIRED_AT]->(s:RepairShop) RETURN s "
    "} "
    "WITH s, count(DISTINCT q) AS count "
    "RETURN s.id AS key, s.name AS label, count" + _BUCKETS,
    "AGENT": _IN_WINDOW + "CALL (q) { "
    "  MATCH (q)-[:ABOUT]->(a:Agent) RETURN a "
    "  UNION "
    "  MATCH (q)-[:ABOUT]->(:Policy)-[:SOLD_BY]->(a:Agent) RETURN a "
    "  UNION "
    "  MATCH (q)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(:Policy)-[:SOLD_BY]->(a:Agent) RETURN a "
    "} "
    "WITH a, count(DISTINCT q) AS count "
    "RETURN a.id AS key, a.name AS label, count" + _BUCKETS,
}
