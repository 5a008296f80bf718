"""Cypher for the complaint reports: one row per complaint received in a period.

A complaint merged into another is left out (it is counted in the one it was merged into).
Products, shops and agents are read only when the report groups by them; each is the first
by id of those the complaint is about, directly or through its claim or policy (the same
paths as ``complaintStats``).
"""

from typing import LiteralString

from graph.network.queries import (
    AGENTS_OF_COMPLAINT,
    POLICIES_OF_COMPLAINT,
    SHOPS_OF_COMPLAINT,
)

# Complaints received in [$from_at, $to_at), oldest first, at most $limit.
REPORT_ROWS: LiteralString = (
    """
MATCH (q:Complaint)
WHERE q.received_at >= $from_at AND q.received_at < $to_at AND q.status <> 'MERGED'
WITH q ORDER BY q.received_at, q.id LIMIT $limit
RETURN q.id AS id, q.received_at AS received_at, q.due_at AS due_at,
       q.closed_at AS closed_at, q.status AS status, q.channel AS channel,
       q.category AS category, q.nfra_category AS nfra_category, q.branch AS branch,
       q.team AS team, q.handler AS handler, q.satisfaction AS satisfaction,
       coalesce(q.compensation_fen, 0) AS compensation_fen,
       q.channel = 'REGULATOR' OR q.regulator_ref IS NOT NULL
         OR EXISTS { (q)-[:ESCALATED]->(:ComplaintEscalation {to_channel: 'REGULATOR'}) }
         AS via_regulator,
       COLLECT { MATCH (b:Branch {id: 'branch:' + q.branch}) RETURN b.name }[0] AS branch_name,
       CASE WHEN $products THEN COLLECT { """
    + POLICIES_OF_COMPLAINT
    + """RETURN p.product AS product ORDER BY p.id LIMIT 1 }[0] END AS product,
       CASE WHEN $shops THEN COLLECT { """
    + SHOPS_OF_COMPLAINT
    + """RETURN [s.id, s.name] AS shop ORDER BY s.id LIMIT 1 }[0] END AS shop,
       CASE WHEN $agents THEN COLLECT { """
    + AGENTS_OF_COMPLAINT
    + """RETURN [a.id, a.name] AS agent ORDER BY a.id LIMIT 1 }[0] END AS agent
"""
)
