"""Cypher for explainable risk figures: complaint rates of shops, agents, dealers, adjusters
and brokers, and complaint counts for dashboards. Labels and types come from the enums."""

from typing import LiteralString

from graph.labels import Label, Rel


def _ranking(
    label: Label,
    rel: Rel,
    claim_to_e: LiteralString,
    policy_to_e: LiteralString,
    ring_link: LiteralString,
) -> LiteralString:
    # Four parts, each starting from the rare side so none walks the whole book: the parties
    # with their volume (a degree, read from the store), fraud-flagged claims (an index),
    # complaints (about the party, its policies or its claims) and ring members' business.
    return (
        "CALL () { "
        "  MATCH (e:" + label + ") "
        "  WITH e, COUNT { (e)<-[:" + rel + "]-() } AS volume WHERE volume >= $min_volume "
        "  RETURN collect({id: e.id, ref: e.ref, name: e.name, volume: volume}) AS entities "
        "} "
        "CALL () { "
        "  MATCH (c:Claim) WHERE c.fraud_flag = true "
        "  MATCH " + claim_to_e + " "
        "  RETURN collect(DISTINCT [e.id, c.id]) AS flagged "
        "} "
        "CALL () { "
        "  CALL () { "
        "    MATCH (q:Complaint)-[:ABOUT]->(e:" + label + ") RETURN q, e "
        "    UNION "
        "    MATCH (q:Complaint)-[:ABOUT]->(p:Policy) MATCH " + policy_to_e + " RETURN q, e "
        "    UNION "
        "    MATCH (q:Complaint)-[:ABOUT]->(c:Claim) MATCH " + claim_to_e + " RETURN q, e "
        "  } "
        "  OPTIONAL MATCH (who:Party)-[:FILED]->(q) "
        "  WITH e, q, CASE WHEN who IS NULL THEN 0 "
        "    ELSE COUNT { (who)-[:FILED]->(:Complaint) } END AS filed "
        "  RETURN collect([e.id, filed > 1]) AS complaints "
        "} "
        "CALL () { "
        "  MATCH (:Ring)<-[:IN_RING]-(:Party)-[:HOLDS]->" + ring_link + " "
        "  RETURN collect(DISTINCT [e.id, link.id]) AS ring_links "
        "} "
        "RETURN entities, flagged, complaints, ring_links"
    )


def _claim_based(label: Label, rel: Rel) -> LiteralString:
    # Shops and adjusters: their volume is the claims they repaired or assessed.
    return _ranking(
        label,
        rel,
        "(c)-[:" + rel + "]->(e:" + label + ")",
        "(p)-[:HAS_CLAIM]->(:Claim)-[:" + rel + "]->(e:" + label + ")",
        "(:Policy)-[:HAS_CLAIM]->(link:Claim)-[:" + rel + "]->(e:" + label + ")",
    )


def _policy_based(label: Label, rel: Rel) -> LiteralString:
    # Agents, brokers and dealers: their volume is the policies they sold.
    return _ranking(
        label,
        rel,
        "(c)<-[:HAS_CLAIM]-(:Policy)-[:" + rel + "]->(e:" + label + ")",
        "(p)-[:" + rel + "]->(e:" + label + ")",
        "(link:Policy)-[:" + rel + "]->(e:" + label + ")",
    )


# Per ranked party kind: volume, fraud-flagged claims, complaints (with whether the
# complainant complained more than once) and the business of ring members.
RANKING_FIGURES: dict[Label, LiteralString] = {
    Label.REPAIR_SHOP: _claim_based(Label.REPAIR_SHOP, Rel.REPAIRED_AT),
    Label.ADJUSTER: _claim_based(Label.ADJUSTER, Rel.ASSESSED_BY),
    Label.AGENT: _policy_based(Label.AGENT, Rel.SOLD_BY),
    Label.BROKER: _policy_based(Label.BROKER, Rel.SOLD_BY),
    Label.DEALER: _policy_based(Label.DEALER, Rel.SOLD_VIA),
}

# The repair shops (``s``) a complaint ``q`` is about: named, or where its claim was repaired.
SHOPS_OF_COMPLAINT: LiteralString = (
    "CALL (q) { "
    "  MATCH (q)-[:ABOUT]->(s:RepairShop) RETURN s "
    "  UNION "
    "  MATCH (q)-[:ABOUT]->(:Claim)-[:REPAIRED_AT]->(s:RepairShop) RETURN s "
    "} "
)

# The agents (``a``) a complaint ``q`` is about: named, or who sold its policy (or its
# claim's policy).
AGENTS_OF_COMPLAINT: LiteralString = (
    "CALL (q) { "
    "  MATCH (q)-[:ABOUT]->(a:Agent) RETURN a "
    "  UNION "
    "  MATCH (q)-[:ABOUT]->(:Policy)-[:SOLD_BY]->(a:Agent) RETURN a "
    "  UNION "
    "  MATCH (q)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(:Policy)-[:SOLD_BY]->(a:Agent) RETURN a "
    "} "
)

# The policies (``p``) a complaint ``q`` is about: named, or its claim's.
POLICIES_OF_COMPLAINT: LiteralString = (
    "CALL (q) { "
    "  MATCH (q)-[:ABOUT]->(p:Policy) RETURN p "
    "  UNION "
    "  MATCH (q)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(p:Policy) RETURN p "
    "} "
)

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
    "SHOP": _IN_WINDOW + SHOPS_OF_COMPLAINT + "WITH s, count(DISTINCT q) AS count "
    "RETURN s.id AS key, s.name AS label, count" + _BUCKETS,
    "AGENT": _IN_WINDOW + AGENTS_OF_COMPLAINT + "WITH a, count(DISTINCT q) AS count "
    "RETURN a.id AS key, a.name AS label, count" + _BUCKETS,
}
