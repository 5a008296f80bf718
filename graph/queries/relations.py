"""Cypher for the risk team's relationship queries: parties, neighbourhoods, paths, complaints.

Every statement takes values as ``$parameters``. Variable-length patterns are bounded by a
hop count chosen from a fixed table (1 to 6), and relationship types come from ``Rel``.
"""

from typing import LiteralString

from graph.labels import Rel

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

# Party search (``graph.party_search``), ranked: 0 a reference, 1 an identifier (hash lookup),
# 2 the exact folded name, 3 the exact pinyin key, 4 a name prefix, 5 a pinyin prefix (each
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
