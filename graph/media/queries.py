"""Cypher for media monitoring: the feed registry with leases, mentions, stories, subjects."""

from typing import LiteralString

from graph.labels import Label

# ---- feeds -----------------------------------------------------------------------------

# A new feed with empty health; the url is unique (constraint feed_url).
CREATE_FEED: LiteralString = """
CREATE (f:Feed {id: $id, url: $url, name: $name, language: $language,
                poll_interval_s: $poll_interval_s, enabled: $enabled, high_impact: $high_impact,
                weight: $weight, created_at: $now, consecutive_failures: 0, items_seen: 0,
                next_poll_at: $now})
RETURN f {.*} AS feed
"""

# Change a feed's settings; re-enabling it clears its failure state so it is polled again.
UPDATE_FEED: LiteralString = """
MATCH (f:Feed {id: $id})
SET f += $changes
FOREACH (_ IN CASE WHEN $reenable THEN [1] ELSE [] END |
  SET f.consecutive_failures = 0, f.disabled_reason = null, f.next_poll_at = $now)
RETURN f {.*} AS feed
"""

# Delete a feed (its mentions stay, without the FROM edge).
REMOVE_FEED: LiteralString = """
MATCH (f:Feed {id: $id})
DETACH DELETE f
RETURN count(*) AS removed
"""

# Every feed, by name.
LIST_FEEDS: LiteralString = """
MATCH (f:Feed)
RETURN f {.*} AS feed
ORDER BY f.name, f.id
"""

# One feed by id.
GET_FEED: LiteralString = """
MATCH (f:Feed {id: $id})
RETURN f {.*} AS feed
"""

# Claim up to $limit due feeds for $owner until $until, atomically across workers: the first
# SET takes each candidate's write lock, and the conditions are checked again under the lock,
# so a feed another worker claimed meanwhile (its lease committed first) is skipped.
CLAIM_DUE_FEEDS: LiteralString = """
MATCH (f:Feed)
WHERE f.enabled AND coalesce(f.next_poll_at, $now) <= $now
  AND (f.lease_until IS NULL OR f.lease_until <= $now)
WITH f ORDER BY f.next_poll_at, f.id LIMIT $limit
SET f.lease_lock = true
REMOVE f.lease_lock
WITH f
WHERE f.enabled AND coalesce(f.next_poll_at, $now) <= $now
  AND (f.lease_until IS NULL OR f.lease_until <= $now)
SET f.lease_owner = $owner, f.lease_until = $until
RETURN f {.*} AS feed
"""

# Extend the leases $owner holds (a long cycle keeps its feeds; a dead worker's expire).
RENEW_LEASES: LiteralString = """
MATCH (f:Feed)
WHERE f.lease_owner = $owner AND f.lease_until > $now
SET f.lease_until = $until
RETURN count(f) AS renewed
"""

# Hand back every lease $owner still holds (a worker shutting down mid-cycle), so another
# worker can poll those feeds at once instead of after the lease runs out.
RELEASE_FEED_LEASES: LiteralString = """
MATCH (f:Feed)
WHERE f.lease_owner = $owner
SET f.lease_owner = null, f.lease_until = null
RETURN count(f) AS released
"""

# Record each polled feed's outcome (props computed by the worker) and release its lease.
RECORD_POLLS: LiteralString = """
UNWIND $rows AS row
MATCH (f:Feed {id: row.id})
SET f += row.props
WITH f
WHERE f.lease_owner = $owner
SET f.lease_owner = null, f.lease_until = null
"""

# ---- subjects and the names the entity linker looks for -------------------------------

# Create or refresh the configured subjects (company, brands, products).
MERGE_SUBJECTS: LiteralString = """
UNWIND $rows AS row
MERGE (s:Subject {id: row.id})
SET s.kind = row.kind, s.name = row.name, s.aliases = row.aliases
"""

# Parties that act in the company's name (customers are private persons: never linked).
_LINKABLE: LiteralString = """
CALL () {
  MATCH (p:RepairShop) RETURN p
  UNION MATCH (p:Agent) RETURN p
  UNION MATCH (p:Broker) RETURN p
  UNION MATCH (p:Dealer) RETURN p
  UNION MATCH (p:Adjuster) RETURN p
}
"""

# A stamp that changes whenever linkable parties or subjects are added, renamed or removed.
LINKABLE_STAMP: LiteralString = (
    _LINKABLE
    + """
WITH count(p) AS parties, max(p.updated_at) AS updated
OPTIONAL MATCH (s:Subject)
RETURN parties, toString(updated) AS updated, count(s) AS subjects,
       collect(s.name + '|' + reduce(a = '', x IN coalesce(s.aliases, []) | a + ',' + x))
         AS subject_names
"""
)

# Every linkable party's id and name.
LINKABLE_PARTIES: LiteralString = _LINKABLE + "RETURN p.id AS id, p.name AS name"

# Every subject's id and names.
SUBJECT_NAMES: LiteralString = """
MATCH (s:Subject)
RETURN s.id AS id, [s.name] + coalesce(s.aliases, []) AS names
"""

# ---- mentions and stories: the write path ---------------------------------------------

# Which of these mention ids exist already, and the feeds each came from.
EXISTING_MENTIONS: LiteralString = """
UNWIND $ids AS id
MATCH (m:Mention {id: id})
RETURN m.id AS id, COLLECT { MATCH (m)-[:FROM]->(f:Feed) RETURN f.id } AS feed_ids,
       COLLECT { MATCH (m)-[:IN_STORY]->(s:Story) RETURN s.id } AS story_ids
"""

# An entry seen again in another feed: the mention gains that feed as a source (written in
# its story's chunk, before the story's refresh counts its sources). A feed's items_seen
# counts its FROM links, in the transaction that creates each one (so a write that fails
# half-way, or is retried, counts each item once).
ADD_MENTION_SOURCES: LiteralString = """
UNWIND $rows AS row
MATCH (m:Mention {id: row.mention_id})
MATCH (f:Feed {id: row.feed_id})
MERGE (m)-[:FROM]->(f)
ON CREATE SET f.items_seen = coalesce(f.items_seen, 0) + 1
"""

# Recent stories sharing an LSH band key with a probe (full-text index story_bands, best
# matches first); the caller confirms by similarity.
CANDIDATE_STORIES: LiteralString = """
UNWIND $probes AS probe
CALL db.index.fulltext.queryNodes('story_bands', probe.query, {limit: $per_probe})
YIELD node AS s
WHERE s:Story AND s.first_seen_at >= $since
RETURN probe.key AS key, s.id AS id, s.signature AS signature, s.sentiment AS sentiment,
       s.p_negative AS p_negative, s.p_neutral AS p_neutral, s.p_positive AS p_positive,
       s.published_at AS published_at
"""

# New stories (their props include ``bands``, the LSH keys the full-text index holds), each
# :Unscored with the text to score until SCORE_STORIES (graph/media/score_queries.py) scores it.
# Instants travel as ISO strings: the driver's datetime packing is slow in big batches.
CREATE_STORIES: LiteralString = """
UNWIND $rows AS row
MERGE (s:Story {id: row.id})
ON CREATE SET s += row.props, s:Unscored, s.source_count = 0,
              s.first_seen_at = datetime(row.first_seen_at),
              s.published_at = datetime(row.published_at)
"""

# New mentions, each with its feeds (counted in their items_seen, as in ADD_MENTION_SOURCES)
# and its story.
CREATE_MENTIONS: LiteralString = """
UNWIND $rows AS row
MERGE (m:Mention {id: row.id})
ON CREATE SET m += row.props,
              m.first_seen_at = datetime(row.first_seen_at),
              m.published_at = datetime(row.published_at)
WITH m, row
CALL (m, row) {
  UNWIND row.feed_ids AS feed_id
  MATCH (f:Feed {id: feed_id})
  MERGE (m)-[:FROM]->(f)
  ON CREATE SET f.items_seen = coalesce(f.items_seen, 0) + 1
}
WITH m, row
MATCH (s:Story {id: row.story_id})
MERGE (m)-[:IN_STORY]->(s)
"""


def _link_named(label: Label) -> LiteralString:
    # The label comes from the allow-list (Party or Subject), never from input.
    return (
        "UNWIND $rows AS row "
        "MATCH (x:" + label + " {id: row.node_id}) "
        "CALL (row, x) { MATCH (m:Mention {id: row.mention_id}) MERGE (m)-[:MENTIONS]->(x) } "
        "CALL (row, x) { MATCH (s:Story {id: row.story_id}) MERGE (s)-[r:MENTIONS]->(x) "
        "ON CREATE SET r.surface = row.surface }"
    )


# Mentions and stories to the parties they name; a story's link keeps the name the story
# used (``surface``), which the model reads as the entity of a (text, entity) pair.
LINK_PARTIES: LiteralString = _link_named(Label.PARTY)

# Mentions and stories to the subjects (company, brands, products) they name.
LINK_SUBJECTS: LiteralString = _link_named(Label.SUBJECT)

# Recount each touched story's distinct sources and its earliest publication.
REFRESH_STORIES: LiteralString = """
UNWIND $ids AS id
MATCH (s:Story {id: id})
CALL (s) {
  MATCH (s)<-[:IN_STORY]-(m:Mention)
  OPTIONAL MATCH (m)-[:FROM]->(f:Feed)
  RETURN count(DISTINCT f) AS sources, min(m.published_at) AS published
}
SET s.source_count = sources, s.published_at = published
"""

# ---- mentions and stories: the read path ----------------------------------------------

_PAGE_FILTER: LiteralString = """
WHERE ($sentiment IS NULL OR n.sentiment = $sentiment)
  AND ($from IS NULL OR n.published_at >= $from)
  AND ($to IS NULL OR n.published_at < $to)
  AND ($after_at IS NULL OR n.published_at < $after_at
       OR (n.published_at = $after_at AND n.id < $after_id))
WITH DISTINCT n
ORDER BY n.published_at DESC, n.id DESC
LIMIT $limit
"""

_SUBJECT: LiteralString = """
CALL () {
  MATCH (x:Party {id: $subject_id}) RETURN x
  UNION MATCH (x:Subject {id: $subject_id}) RETURN x
}
"""

_MENTION_FIELDS: LiteralString = """
OPTIONAL MATCH (n)-[:IN_STORY]->(s:Story)
RETURN n {.*} AS mention, s.id AS story_id,
       COLLECT { MATCH (n)-[:FROM]->(f:Feed) RETURN f.id } AS feed_ids,
       COLLECT { MATCH (n)-[:MENTIONS]->(x) RETURN x.id } AS subject_ids
ORDER BY n.published_at DESC, n.id DESC
"""

# A page of mentions (newest first), optionally of one subject or party.
MENTIONS_PAGE: LiteralString = "MATCH (n:Mention)" + _PAGE_FILTER + _MENTION_FIELDS
MENTIONS_OF_SUBJECT_PAGE: LiteralString = (
    _SUBJECT + "MATCH (n:Mention)-[:MENTIONS]->(x)" + _PAGE_FILTER + _MENTION_FIELDS
)

_STORY_FIELDS: LiteralString = """
RETURN n {.id, .title, .first_seen_at, .published_at, .source_count, .sentiment,
          .p_negative, .p_neutral, .p_positive} AS story,
       COLLECT { MATCH (n)<-[:IN_STORY]-(:Mention)-[:FROM]->(f:Feed) RETURN DISTINCT f.id }
         AS feed_ids,
       COLLECT { MATCH (n)<-[:IN_STORY]-(m:Mention) RETURN m.id } AS mention_ids,
       COLLECT { MATCH (n)-[:MENTIONS]->(x) RETURN x.id } AS subject_ids
ORDER BY n.published_at DESC, n.id DESC
"""

# A page of stories (newest first), optionally of one subject or party.
STORIES_PAGE: LiteralString = "MATCH (n:Story)" + _PAGE_FILTER + _STORY_FIELDS
STORIES_OF_SUBJECT_PAGE: LiteralString = (
    _SUBJECT + "MATCH (n:Story)-[:MENTIONS]->(x)" + _PAGE_FILTER + _STORY_FIELDS
)

_TREND: LiteralString = """
WHERE m.published_at >= $from AND m.published_at < $to
WITH DISTINCT m
WITH datetime.truncate($unit, m.published_at) AS bucket, m
RETURN bucket, count(m) AS total,
       sum(CASE m.sentiment WHEN 'negative' THEN 1 ELSE 0 END) AS negative,
       sum(CASE m.sentiment WHEN 'neutral' THEN 1 ELSE 0 END) AS neutral,
       sum(CASE m.sentiment WHEN 'positive' THEN 1 ELSE 0 END) AS positive,
       sum(CASE WHEN m.sentiment IS NULL THEN 1 ELSE 0 END) AS unscored
ORDER BY bucket
"""

# Mentions per time bucket and sentiment, for everything or one subject or party.
SENTIMENT_TREND: LiteralString = "MATCH (m:Mention)" + _TREND
SENTIMENT_TREND_OF_SUBJECT: LiteralString = _SUBJECT + "MATCH (m:Mention)-[:MENTIONS]->(x)" + _TREND
