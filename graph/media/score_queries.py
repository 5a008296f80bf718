"""Cypher for story scoring: the persisted queue of unscored stories and the scores' writes.

A story that still needs its sentiment carries the label ``:Unscored`` with
``score_priority`` (0: it names a subject or party, read first; 1: the backlog) and
``score_text`` (title and lead, what the model reads). Scoring sets the sentiment on the
story and on every mention in it, and a per-subject sentiment on each ``MENTIONS`` link of
the story, then drops the label. Workers claim batches with leases like feeds.
"""

from typing import LiteralString

# Score stories (and, when ``row.props`` is null, only new links of a scored story): the
# story's sentiment goes to the story and its mentions; each link gets its own.
SCORE_STORIES: LiteralString = """
UNWIND $rows AS row
MATCH (s:Story {id: row.id})
CALL (s, row) {
  WITH s, row WHERE row.props IS NOT NULL
  SET s += row.props
  REMOVE s:Unscored, s.score_text, s.score_priority, s.score_lease_owner, s.score_lease_until
  WITH s, row
  MATCH (s)<-[:IN_STORY]-(m:Mention)
  SET m += row.props
}
CALL (s, row) {
  UNWIND row.links AS link
  MATCH (s)-[r:MENTIONS]->(x {id: link.node_id})
  SET r.sentiment = link.sentiment, r.p_negative = link.p_negative
}
"""

# A story that gained a link while unscored moves to the front of the queue. Found by
# :Story (its unique id index), not :Unscored, which has none: a label scan per id made a
# 1,000-feed round's write quadratic.
PROMOTE_LINKED: LiteralString = """
UNWIND $ids AS id
MATCH (s:Story {id: id})
WHERE s:Unscored AND s.score_priority <> 0 AND EXISTS { (s)-[:MENTIONS]->() }
SET s.score_priority = 0
"""

# Claim up to $limit unscored stories of priority <= $max_priority for $owner until $until:
# linked ones first, then oldest first; the conditions are checked again under the write lock
# (as CLAIM_DUE_FEEDS does), so two workers never take the same story.
CLAIM_UNSCORED: LiteralString = """
MATCH (s:Unscored)
WHERE s.score_priority <= $max_priority
  AND (s.score_lease_until IS NULL OR s.score_lease_until <= $now)
WITH s ORDER BY s.score_priority, s.first_seen_at, s.id LIMIT $limit
SET s.score_lease_lock = true
REMOVE s.score_lease_lock
WITH s
WHERE s:Unscored AND (s.score_lease_until IS NULL OR s.score_lease_until <= $now)
SET s.score_lease_owner = $owner, s.score_lease_until = $until
RETURN s.id AS id, coalesce(s.score_text, s.title, '') AS text,
       COLLECT {
         MATCH (s)-[r:MENTIONS]->(x) WHERE x:Party OR x:Subject
         RETURN {node_id: x.id, entity: coalesce(r.surface, x.name, '')}
       } AS links
"""

# Hand back the story leases $owner still holds (a worker stopping).
RELEASE_SCORE_LEASES: LiteralString = """
MATCH (s:Unscored)
WHERE s.score_lease_owner = $owner
SET s.score_lease_owner = null, s.score_lease_until = null
RETURN count(s) AS released
"""

# How many stories wait, by priority (0: linked, 1: the backlog).
UNSCORED_COUNTS: LiteralString = """
MATCH (s:Unscored)
RETURN s.score_priority AS priority, count(s) AS n
"""
