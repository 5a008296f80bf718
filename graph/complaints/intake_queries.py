"""Cypher for the desk's intake: branches (机构) and looking a caller up.

Branches are ``(:Branch {id: 'branch:<code>', code, name})``; parties and complaints carry
the code in ``branch``. A caller is found by the keyed hash of a phone or ID number (never
the number itself) or by the folded name / pinyin key of a name.
"""

from typing import LiteralString

# Create or rename a branch, recording who did it.
DEFINE_BRANCH: LiteralString = """
MERGE (b:Branch {id: $id})
ON CREATE SET b.code = $code, b.created_at = datetime()
WITH b, b.name AS before
SET b.name = $name, b.updated_at = datetime()
CREATE (:AuditEvent {id: randomUUID(), at: datetime(), actor: $actor, action: 'branch.define',
                     subject_id: b.id, before: before, after: $name})
RETURN b {.code, .name} AS branch
"""

# Every branch, by code.
LIST_BRANCHES: LiteralString = """
MATCH (b:Branch)
RETURN b {.code, .name} AS branch
ORDER BY b.code
"""

# Parties matching a caller: by identifier hash (phone, ID number) or exact folded name or
# pinyin (a null key matches nothing), best matched first, with their complaint counts and
# most recent complaints (numbers and status only).
CALLER_LOOKUP: LiteralString = """
CALL () {
  UNWIND $identifier_ids AS iid
  MATCH (i:Identifier {id: iid})<-[:HAS_ID]-(p:Party)
  RETURN p, i.kind AS via
  UNION
  MATCH (p:Party {name_key: $name_key}) RETURN p, 'NAME' AS via
  UNION
  MATCH (p:Party {pinyin_key: $pinyin_key}) RETURN p, 'NAME' AS via
}
WITH p, collect(DISTINCT via) AS matched_on
WITH p, matched_on ORDER BY size(matched_on) DESC, p.id LIMIT $first
RETURN p {.id, .ref, .name, .customer_no, .id_masked, .phone_masked, .branch,
          kind: [l IN labels(p) WHERE l <> 'Party'][0]} AS party,
       matched_on,
       COUNT { (p)-[:FILED]->(q:Complaint) WHERE q.status IN ['OPEN', 'EXTENDED', 'OVERDUE'] }
         AS open_complaints,
       COUNT { (p)-[:FILED]->(:Complaint) } AS complaints,
       COLLECT { MATCH (p)-[:FILED]->(q:Complaint)
                 RETURN q {.id, .complaint_no, .status, .channel, .received_at, .due_at}
                 ORDER BY q.received_at DESC LIMIT 5 } AS recent
"""
