"""Cypher for renewal checks: one round trip for a whole batch of identities."""

from typing import LiteralString

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
