"""Cypher for the relationship graph: parties, neighbourhoods and paths, ring detection,
explainable risk figures and renewal checks.
"""

from __future__ import annotations

from typing import LiteralString

from graph.labels import Label, Rel

# ---- Cypher for the risk team's relationship queries: parties, neighbourhoods, paths, complaints.
#
# Every statement takes values as ``$parameters``. Variable-length patterns are bounded by a
# hop count chosen from a fixed table (1 to 6), and relationship types come from ``Rel``.

# What a node looks like to the API: display fields only (never an identifier's key hash).
_NODE: LiteralString = (
    "{eid: elementId(n), id: n.id, labels: labels(n), name: n.name, ref: n.ref, "
    "kind: n.kind, masked: n.masked, no: coalesce(n.policy_no, n.claim_no, n.complaint_no), "
    "status: n.status, channel: n.channel, fraud_flag: n.fraud_flag}"
)

# What a party looks like to the API.
_PARTY: LiteralString = (
    "p{.id, .ref, .name, .city, .customer_no, .id_masked, .phone_masked, labels: labels(p)}"
)

# What a complaint looks like when nested under a party.
_COMPLAINT: LiteralString = (
    "q{.id, .complaint_no, .channel, .category, .status, .received_at, .due_at, .summary}"
)

# Keeps parties of the kinds asked for ($labels: label names as values, or null for all).
_KIND_FILTER: LiteralString = "($labels IS NULL OR any(label IN labels(p) WHERE label IN $labels))"

# Parties by node id (DataLoader batch and the ``party(id)`` field).
PARTIES_BY_ID: LiteralString = "UNWIND $ids AS pid MATCH (p:Party {id: pid}) RETURN " + _PARTY

# Party search (``graph.network.party_search``), ranked: 0 a reference, 1 an identifier (hash
# lookup), 2 the exact folded name, 3 the exact pinyin key, 4 a name prefix, 5 a pinyin prefix (each
# prefix branch bounded by $first, read in index order), 6 words inside names from the
# full-text index party_names (by Lucene score), 7 a latin fragment inside the pinyin key (TEXT
# index party_pinyin_text). A null key or query matches nothing, so unused branches are free.
SEARCH_PARTIES: LiteralString = (
    "CALL () { "
    "  UNWIND $ids AS pid MATCH (p:Party {id: pid}) RETURN p, 0 AS rank, 0.0 AS score "
    "  UNION "
    "  MATCH (c:Customer) WHERE c.customer_no = $ref RETURN c AS p, 0 AS rank, 0.0 AS score "
    "  UNION "
    "  UNWIND $identifier_ids AS iid MATCH (:Identifier {id: iid})<-[:HAS_ID]-(p:Party) "
    "  RETURN p, 1 AS rank, 0.0 AS score "
    "  UNION "
    "  MATCH (p:Party) WHERE p.name_key = $name_key RETURN p, 2 AS rank, 0.0 AS score "
    "  UNION "
    "  MATCH (p:Party) WHERE p.pinyin_key = $pinyin_key RETURN p, 3 AS rank, 0.0 AS score "
    "  UNION "
    "  MATCH (p:Party) WHERE p.name_key STARTS WITH $name_key AND " + _KIND_FILTER + " "
    "  WITH p ORDER BY p.name_key LIMIT $first RETURN p, 4 AS rank, 0.0 AS score "
    "  UNION "
    "  MATCH (p:Party) WHERE p.pinyin_key STARTS WITH $pinyin_key AND " + _KIND_FILTER + " "
    "  WITH p ORDER BY p.pinyin_key LIMIT $first RETURN p, 5 AS rank, 0.0 AS score "
    "  UNION "
    "  WITH $fulltext AS text WHERE text IS NOT NULL "
    "  CALL db.index.fulltext.queryNodes('party_names', text, {limit: $scan}) "
    "  YIELD node AS p, score "
    "  WHERE " + _KIND_FILTER + " "
    "  WITH p, score LIMIT $first RETURN p, 6 AS rank, score "
    "  UNION "
    "  MATCH (p:Party) WHERE p.pinyin_key CONTAINS $fragment AND " + _KIND_FILTER + " "
    "  WITH p LIMIT $first RETURN p, 7 AS rank, 0.0 AS score "
    "} "
    "WITH p, min(rank) AS rank, max(score) AS score "
    "WHERE " + _KIND_FILTER + " "
    "WITH p, rank, score ORDER BY rank, score DESC, p.name_key, p.id LIMIT $first "
    "RETURN " + _PARTY + " AS party"
)


# The neighbours of node ``a`` over $types: at most $per_node of them, by id, and a's degree
# over those types (so the caller can say how much it left out).
def _neighbours(carried: LiteralString) -> LiteralString:
    return (
        "WITH a, " + carried + "COUNT { (a)-[r0]-() WHERE type(r0) IN $types } AS degree "
        "CALL (a) { "
        "  MATCH (a)-[r]-(n) WHERE type(r) IN $types "
        "  WITH r, n ORDER BY n.id LIMIT $per_node "
        "  RETURN collect({type: type(r), start: elementId(startNode(r)), node: " + _NODE + "}) "
        "    AS edges "
        "} "
    )


# The first level of a neighbourhood: the start party (as a node) and its neighbours.
NETWORK_START: LiteralString = (
    "MATCH (n:Party {id: $id}) "
    "WITH n AS a, " + _NODE + " AS start " + _neighbours("start, ") + "RETURN start, degree, edges"
)

# One further breadth-first level: the neighbours of every frontier node (by element id).
NETWORK_LEVEL: LiteralString = (
    "UNWIND $frontier AS eid "
    "MATCH (a) WHERE elementId(a) = eid "
    + _neighbours("")
    + "RETURN elementId(a) AS eid, degree, edges"
)

# The start of a neighbourhood or path, as a node.
NODE_BY_PARTY_ID: LiteralString = "MATCH (n:Party {id: $id}) RETURN " + _NODE + " AS node"

# Relationship types a path may use: evidence only (ring membership is derived, not evidence).
_PATH_TYPES: LiteralString = (
    Rel.HAS_ID
    + "|"
    + Rel.HOLDS
    + "|"
    + Rel.HAS_CLAIM
    + "|"
    + Rel.REPAIRED_AT
    + "|"
    + Rel.ASSESSED_BY
    + "|"
    + Rel.SOLD_BY
    + "|"
    + Rel.SOLD_VIA
    + "|"
    + Rel.FILED
    + "|"
    + Rel.ABOUT
)

_HOP_LIMITS: dict[int, LiteralString] = {1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6"}


def _shortest_paths(max_hops: LiteralString) -> LiteralString:
    return (
        "MATCH (a:Party {id: $from_id}), (b:Party {id: $to_id}) "
        "OPTIONAL MATCH path = allShortestPaths((a)-[:" + _PATH_TYPES + "*.." + max_hops + "]-(b)) "
        "WITH path LIMIT $limit "
        "RETURN [n IN nodes(path) | " + _NODE + "] AS nodes, "
        "[r IN relationships(path) | {type: type(r), start: elementId(startNode(r))}] AS rels"
    )


# Shortest connections between two parties, one statement per hop bound (1 to 6): no row when
# a party does not exist, one row with null lists when no path is short enough.
SHORTEST_PATHS: dict[int, LiteralString] = {
    hops: _shortest_paths(literal) for hops, literal in _HOP_LIMITS.items()
}

# Complaints that concern each party: filed by it, about it, or about claims it repaired or
# assessed; newest first, at most $first per party (DataLoader batch).
COMPLAINTS_OF_PARTIES: LiteralString = (
    "UNWIND $ids AS pid "
    "MATCH (p:Party {id: pid}) "
    "CALL (p) { "
    "  MATCH (p)-[:FILED]->(q:Complaint) RETURN q "
    "  UNION "
    "  MATCH (p)<-[:ABOUT]-(q:Complaint) RETURN q "
    "  UNION "
    "  MATCH (p)<-[:REPAIRED_AT|ASSESSED_BY]-(:Claim)<-[:ABOUT]-(q:Complaint) RETURN q "
    "} "
    "WITH pid, q ORDER BY q.received_at DESC, q.id "
    "WITH pid, collect(" + _COMPLAINT + ")[..$first] AS complaints "
    "RETURN pid, complaints"
)

# Who filed each complaint (DataLoader batch).
COMPLAINANTS: LiteralString = (
    "UNWIND $ids AS qid "
    "MATCH (:Complaint {id: qid})<-[:FILED]-(p:Party) "
    "RETURN qid, " + _PARTY + " AS party"
)

# The repair shops each complaint concerns: named in it, or where its claim was repaired.
COMPLAINT_SHOPS: LiteralString = (
    "UNWIND $ids AS qid "
    "MATCH (q:Complaint {id: qid}) "
    "CALL (q) { "
    "  MATCH (q)-[:ABOUT]->(p:RepairShop) RETURN p "
    "  UNION "
    "  MATCH (q)-[:ABOUT]->(:Claim)-[:REPAIRED_AT]->(p:RepairShop) RETURN p "
    "} "
    "WITH qid, p ORDER BY p.id "
    "RETURN qid, collect(" + _PARTY + ") AS parties"
)

# Each party's identifiers, masked (DataLoader batch).
IDENTIFIERS_OF_PARTIES: LiteralString = (
    "UNWIND $ids AS pid "
    "MATCH (:Party {id: pid})-[:HAS_ID]->(i:Identifier) "
    "WITH pid, i ORDER BY i.kind, i.masked "
    "RETURN pid, collect({id: i.id, kind: i.kind, masked: i.masked, "
    "parties: COUNT { (i)<-[:HAS_ID]-() }}) AS identifiers"
)


# ---- Cypher for ring detection (groups of parties linked through shared identifiers).
#
# The refresh streams shared identifiers page by page in id order (a bounded index scan per
# page), so no statement touches the whole graph at once and Python never holds all nodes.

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


# ---- Cypher for explainable risk figures: complaint rates of shops, agents, dealers, adjusters
# and brokers, and complaint counts for dashboards. Labels and types come from the enums.


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


# ---- Cypher for renewal checks: one round trip for a whole batch of identities.

# Parties matching each check exactly on a keyed identifier hash (Identifier (kind, key)
# constraint) or a customer number (Customer.customer_no index), with the fields a masked
# match needs and the party's open watchlist entries. Checks with no match return no row.
MATCH_IDENTITIES: LiteralString = """
UNWIND $checks AS chk
CALL (chk) {
  UNWIND chk.identifiers AS k
  MATCH (:Identifier {kind: k.kind, key: k.key})<-[:HAS_ID]-(p:Party)
  RETURN p, k.field AS via
  UNION ALL
  MATCH (p:Customer {customer_no: chk.customer_no})
  RETURN p, 'customerNo' AS via
}
WITH chk, p, collect(DISTINCT via) AS keys
RETURN chk.i AS i, p.id AS party_id, p.name AS name, p.id_masked AS id_masked,
       p.phone_masked AS phone_masked, p.name_key AS name_key, p.pinyin_key AS pinyin_key, keys,
       COLLECT { MATCH (w:WatchlistEntry)-[:LISTS]->(p)
                 WHERE w.status IN ['PROPOSED', 'ACTIVE']
                 RETURN {id: w.id, reason: w.reason, status: w.status} } AS entries
"""

# Name-only checks: parties whose folded name or pinyin key equals the caller's (indexed),
# a few per check; they are candidates, never proof of identity.
MATCH_NAMES: LiteralString = """
UNWIND $checks AS chk
CALL (chk) {
  CALL (chk) {
    MATCH (p:Party {name_key: chk.name_key})
    RETURN p
    UNION
    MATCH (p:Party {pinyin_key: chk.pinyin_key})
    RETURN p
  }
  RETURN p LIMIT $limit
}
RETURN chk.i AS i, p.id AS party_id, p.name AS name, p.id_masked AS id_masked,
       p.phone_masked AS phone_masked, p.name_key AS name_key, p.pinyin_key AS pinyin_key,
       ['name'] AS keys,
       COLLECT { MATCH (w:WatchlistEntry)-[:LISTS]->(p)
                 WHERE w.status IN ['PROPOSED', 'ACTIVE']
                 RETURN {id: w.id, reason: w.reason, status: w.status} } AS entries
"""
