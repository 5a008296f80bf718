"""Cypher for crisis detection: negative stories per subject, alerts, crisis cases and steps.

A subject is a ``:Party`` or a ``:Subject`` (the company, a brand, a product); a
media-escalation alert is about a ``:Complaint``. Instants are passed in (``$now``) so tests
can move the clock.
"""

from typing import LiteralString

# The subject node with this id, whichever of the subject labels it carries.
_SUBJECT_BY_ID: LiteralString = """
CALL () {
  MATCH (p:Party {id: $subject_id}) RETURN p AS x
  UNION MATCH (s:Subject {id: $subject_id}) RETURN s AS x
  UNION MATCH (c:Complaint {id: $subject_id}) RETURN c AS x
}
"""

# The subject's kind: Subject.kind (COMPANY, BRAND, PRODUCT) or the party's own label.
_SUBJECT_KIND: LiteralString = "coalesce(x.kind, head([label IN labels(x) WHERE label <> 'Party']))"

# A story counts against a subject only when it is negative about that subject: the link's
# own sentiment (the model read the story about the name it used), else the story's (links
# written before links were scored). Unscored stories have neither, so never count.
_NEGATIVE_ABOUT: LiteralString = "coalesce(r.sentiment, st.sentiment) = 'negative'"

# Subjects (with kind and name) that the given stories are negative about.
SUBJECTS_OF_STORIES: LiteralString = (
    """
UNWIND $story_ids AS story_id
MATCH (st:Story {id: story_id})-[r:MENTIONS]->(x)
WHERE """
    + _NEGATIVE_ABOUT
    + """ AND (x:Party OR x:Subject)
RETURN DISTINCT x.id AS subject_id, x.name AS name, """
    + _SUBJECT_KIND
    + """ AS kind
"""
)

# Subjects of negative stories published in [$since, $now] (for the scheduled spike sweep).
SUBJECTS_WITH_RECENT_STORIES: LiteralString = (
    """
MATCH (st:Story)
MATCH (st:Story)
WHERE st.published_at >= $since AND st.published_at <= $now
MATCH (st)-[r:MENTIONS]->(x)
WHERE (x:Party OR x:Subject) AND """
    + _NEGATIVE_ABOUT
    + """
WITH DISTINCT x LIMIT $limit
RETURN x.id AS subject_id, x.name AS name, """
    + _SUBJECT_KIND
    + """ AS kind
"""
)

# A subject's stories published in [$since, $now] that are negative about it (a story counts
# at its publication, which the parser never lets be later than when it was first seen):
# confidence (the link's p_negative, else the story's) and best source weight.
SUBJECT_NEGATIVE_STORIES: LiteralString = (
    _SUBJECT_BY_ID
    + """
MATCH (x)<-[r:MENTIONS]-(st:Story)
WHERE st.published_at >= $since AND st.published_at <= $now AND """
    + _NEGATIVE_ABOUT
    + """
WITH st, r ORDER BY st.published_at DESC LIMIT $limit
RETURN st.id AS story_id, st.published_at AS at,
       coalesce(r.p_negative, st.p_negative, 1.0) AS confidence,
       coalesce(COLLECT {
         MATCH (st)<-[:IN_STORY]-(:Mention)-[:FROM]->(f:Feed)
         RETURN coalesce(f.weight, 1.0) AS w ORDER BY w DESC LIMIT 1
       }[0], 1.0) AS source_weight
"""
)

# When the subject's earliest scored story (of any sentiment) published in [$since, $now]
# came out: the start of its history, which the spike test's warm-up is measured from.
SUBJECT_FIRST_STORY: LiteralString = (
    _SUBJECT_BY_ID
    + """
MATCH (x)<-[:MENTIONS]-(st:Story)
WHERE st.published_at >= $since AND st.published_at <= $now AND st.sentiment IS NOT NULL
RETURN min(st.published_at) AS first
"""
)

# The mentions (with their feed) of the given stories, for citing and explaining an alert.
STORY_MENTIONS: LiteralString = """
UNWIND $story_ids AS story_id
MATCH (st:Story {id: story_id})<-[:IN_STORY]-(m:Mention)
OPTIONAL MATCH (m)-[:FROM]->(f:Feed)
RETURN st.id AS story_id, st.title AS story_title, m.id AS mention_id, m.title AS title,
       f.name AS feed, coalesce(f.high_impact, false) AS high_impact
LIMIT $limit
"""

# Absolute triggers of the given stories published after $since (old items a first poll or a
# backfill brings are history, not news): high-impact negative coverage, links to open
# regulator complaints (filed by, or about, the subject the story names).
STORY_TRIGGERS: LiteralString = (
    """
UNWIND $story_ids AS story_id
MATCH (st:Story {id: story_id})-[r:MENTIONS]->(x)
WHERE st.published_at > $since AND """
    + _NEGATIVE_ABOUT
    + """ AND (x:Party OR x:Subject)
RETURN st.id AS story_id, st.title AS title, x.id AS subject_id, x.name AS name, """
    + _SUBJECT_KIND
    + """ AS kind,
       COLLECT { MATCH (st)<-[:IN_STORY]-(m:Mention) RETURN m.id } AS mention_ids,
       COLLECT {
         MATCH (st)<-[:IN_STORY]-(:Mention)-[:FROM]->(f:Feed) WHERE f.high_impact = true
         RETURN DISTINCT f.name
       } AS high_impact_feeds,
       COLLECT {
         MATCH (x)-[:FILED|ABOUT]-(c:Complaint)
         WHERE c.channel = 'REGULATOR' AND c.status IN $open_statuses
         RETURN DISTINCT c.id
       } AS regulator_complaints
"""
)

# Frees the dedup key of an alert that is resolved or quiet too long, so a new one can open.
RETIRE_ALERT_KEY: LiteralString = """
MATCH (a:Alert {open_key: $open_key})
WHERE a.status = 'RESOLVED' OR a.updated_at < $stale_before
SET a.open_key = null
"""

# Opens the alert for ($subject, $kind), or updates the one still running. Severity only rises;
# ``notified_at`` moves when the alert is new or more severe (that is what subscribers see).
UPSERT_ALERT: LiteralString = """
MERGE (a:Alert {open_key: $open_key})
ON CREATE SET a.id = $id, a.subject_id = $subject_id, a.kind = $kind, a.status = 'OPEN',
              a.opened_at = $now, a.severity_rank = -1
WITH a, a.id = $id AS created, a.severity_rank AS previous_rank
SET a.updated_at = $now,
    a.subject_name = $subject_name,
    a.explanation = $explanation,
    a.window_count = $window_count,
    a.baseline_mean = $baseline_mean,
    a.baseline_std = $baseline_std,
    a.severity = CASE WHEN $rank > previous_rank THEN $severity ELSE a.severity END,
    a.severity_rank = CASE WHEN $rank > previous_rank THEN $rank ELSE previous_rank END,
    a.notified_at = CASE WHEN $rank > previous_rank THEN $now ELSE a.notified_at END
RETURN a.id AS id, created, previous_rank, a.severity AS severity, a.status AS status
"""

# Links an alert to its subject node (when it exists) and cites the mentions and stories
# behind it.
LINK_ALERT: LiteralString = """
MATCH (a:Alert {id: $alert_id})
OPTIONAL MATCH (p:Party {id: $subject_id})
OPTIONAL MATCH (s:Subject {id: $subject_id})
OPTIONAL MATCH (c:Complaint {id: $subject_id})
WITH a, coalesce(p, s, c) AS x
FOREACH (_ IN CASE WHEN x IS NULL THEN [] ELSE [1] END | MERGE (a)-[:ABOUT]->(x))
WITH a
CALL (a) {
  UNWIND $mention_ids AS mention_id
  MATCH (m:Mention {id: mention_id})
  MERGE (a)-[:CITES]->(m)
}
CALL (a) {
  UNWIND $story_ids AS story_id
  MATCH (st:Story {id: story_id})
  MERGE (a)-[:CITES]->(st)
}
RETURN count(*) AS linked
"""

# Opens the subject's crisis case, or joins the one already open about it (``open_key`` is
# the subject id while the case is open, unique, so concurrent alerts cannot open two), and
# raises its severity if the alert is more severe; attaches the alert.
UPSERT_CASE: LiteralString = """
MERGE (c:CrisisCase {open_key: $subject_id})
ON CREATE SET c.id = $case_id, c.status = 'OPEN', c.subject_id = $subject_id, c.title = $title,
              c.opened_at = $now, c.severity_rank = -1
WITH c, c.id = $case_id AS created, c.severity_rank AS previous_rank
SET c.severity = CASE WHEN $rank > previous_rank THEN $severity ELSE c.severity END,
    c.severity_rank = CASE WHEN $rank > previous_rank THEN $rank ELSE previous_rank END,
    c.updated_at = $now
WITH c, created
MATCH (a:Alert {id: $alert_id})
MERGE (c)-[:HAS_ALERT]->(a)
RETURN c.id AS id, created
"""

# Adds the plan's steps for a severity to a case (steps already there, by key, stay as they are).
ADD_CASE_STEPS: LiteralString = """
MATCH (c:CrisisCase {id: $case_id})
UNWIND $steps AS step
MERGE (s:CrisisStep {id: $case_id + ':' + step.key})
ON CREATE SET s += step, s.case_id = $case_id, s.status = 'PENDING', s.assignee = null,
              s.escalation_level = 0, s.created_at = $now
MERGE (c)-[:HAS_STEP]->(s)
"""

# An audit record of a crisis action.
WRITE_AUDIT: LiteralString = """
CREATE (e:AuditEvent {id: randomUUID(), at: $now, actor: $actor, action: $action,
                      subject_id: $subject_id, case_id: $case_id, before: $before, after: $after})
"""

# Alerts whose ``notified_at`` is after $since (raised or made more severe), oldest first.
ALERTS_NOTIFIED_SINCE: LiteralString = """
MATCH (a:Alert) WHERE a.notified_at > $since
WITH a ORDER BY a.notified_at LIMIT $limit
OPTIONAL MATCH (c:CrisisCase)-[:HAS_ALERT]->(a)
RETURN a {.*, case_id: c.id} AS alert ORDER BY a.notified_at
"""

# Alerts by status and minimum severity, newest first (ties by id), one keyset page after
# the ($after_at, $after_id) of the last alert seen.
LIST_ALERTS: LiteralString = """
MATCH (a:Alert)
WHERE ($status IS NULL OR a.status = $status) AND a.severity_rank >= $min_rank
  AND ($after_at IS NULL OR a.opened_at < $after_at
       OR (a.opened_at = $after_at AND a.id > $after_id))
WITH a ORDER BY a.opened_at DESC, a.id LIMIT $limit
OPTIONAL MATCH (c:CrisisCase)-[:HAS_ALERT]->(a)
RETURN a {.*, case_id: c.id} AS alert ORDER BY a.opened_at DESC, a.id
"""

# One alert.
GET_ALERT: LiteralString = """
MATCH (a:Alert {id: $id})
OPTIONAL MATCH (c:CrisisCase)-[:HAS_ALERT]->(a)
RETURN a {.*, case_id: c.id} AS alert
"""

# The mentions each alert cites (up to $limit per alert), with their feed.
ALERT_MENTIONS: LiteralString = """
UNWIND $alert_ids AS alert_id
CALL (alert_id) {
  MATCH (:Alert {id: alert_id})-[:CITES]->(m:Mention)
  OPTIONAL MATCH (m)-[:FROM]->(f:Feed)
  RETURN m, f ORDER BY m.published_at DESC LIMIT $limit
}
RETURN alert_id, m.id AS id, m.title AS title, m.url AS url, m.published_at AS published_at,
       m.sentiment AS sentiment, f.name AS feed
"""

# Moves an alert from OPEN to ACKNOWLEDGED, with an audit record; the pending steps of its
# case that an acknowledgement completes (``done_on_acknowledge``) are done too.
ACKNOWLEDGE_ALERT: LiteralString = """
MATCH (a:Alert {id: $id})
WITH a, a.status AS before
SET a.status = CASE WHEN before = 'OPEN' THEN 'ACKNOWLEDGED' ELSE before END,
    a.acknowledged_at = CASE WHEN before = 'OPEN' THEN $now ELSE a.acknowledged_at END,
    a.acknowledged_by = CASE WHEN before = 'OPEN' THEN $actor ELSE a.acknowledged_by END
WITH a, before
OPTIONAL MATCH (c:CrisisCase)-[:HAS_ALERT]->(a)
CREATE (e:AuditEvent {id: randomUUID(), at: $now, actor: $actor, action: 'alert.acknowledge',
                      subject_id: a.id, case_id: c.id, before: before, after: a.status})
WITH a, c
CALL (c) {
  MATCH (c)-[:HAS_STEP]->(s:CrisisStep)
  WHERE s.status = 'PENDING' AND s.done_on_acknowledge = true
  SET s.status = 'DONE', s.completed_at = $now, s.completed_by = $actor,
      s.note = 'alert acknowledged'
  CREATE (:AuditEvent {id: randomUUID(), at: $now, actor: $actor,
                       action: 'crisis.step.complete', subject_id: s.id, case_id: c.id,
                       before: 'PENDING', after: 'DONE'})
}
RETURN a {.*, case_id: c.id} AS alert
"""
