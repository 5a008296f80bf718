"""Schema migrations: constraints and indexes, idempotent, run at every startup."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, LiteralString

from graph.client import Graph
from graph.labels import Label
from models.complaint_topics import is_topic_term
from models.text_scrub import scrub_personal_data

log = logging.getLogger(__name__)

# Every node label of the model has a stable, unique ``id``.
_UNIQUE_ID_LABELS: tuple[Label, ...] = tuple(Label)


def _unique_id(label: Label) -> LiteralString:
    """The constraint that keeps ``label``'s ids unique; names and labels come from the Label
    enum (an allow-list), never input."""
    return (
        "CREATE CONSTRAINT " + label.lower() + "_id IF NOT EXISTS "
        "FOR (n:" + label + ") REQUIRE n.id IS UNIQUE"
    )


_CONSTRAINTS: list[LiteralString] = [_unique_id(label) for label in _UNIQUE_ID_LABELS]

_INDEXES: list[LiteralString] = [
    "CREATE CONSTRAINT apikey_hash IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.hash IS UNIQUE",
    "CREATE CONSTRAINT identifier_kind_key IF NOT EXISTS "
    "FOR (i:Identifier) REQUIRE (i.kind, i.key) IS UNIQUE",
    "CREATE INDEX party_name_key IF NOT EXISTS FOR (p:Party) ON (p.name_key)",
    "CREATE INDEX party_pinyin_key IF NOT EXISTS FOR (p:Party) ON (p.pinyin_key)",
    # Party search (graph.network.party_search): words inside folded names (cjk: pairs of
    # characters), latin fragments inside pinyin keys (a TEXT index answers CONTAINS from trigrams).
    "CREATE FULLTEXT INDEX party_names IF NOT EXISTS FOR (p:Party) ON EACH [p.name_key] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
    "CREATE TEXT INDEX party_pinyin_text IF NOT EXISTS FOR (p:Party) ON (p.pinyin_key)",
    "CREATE INDEX customer_no IF NOT EXISTS FOR (c:Customer) ON (c.customer_no)",
    "CREATE INDEX complaint_status IF NOT EXISTS FOR (c:Complaint) ON (c.status)",
    "CREATE INDEX complaint_due IF NOT EXISTS FOR (c:Complaint) ON (c.due_at)",
    "CREATE INDEX complaint_received IF NOT EXISTS FOR (c:Complaint) ON (c.received_at)",
    "CREATE INDEX watchlist_status IF NOT EXISTS FOR (w:WatchlistEntry) ON (w.status)",
    "CREATE INDEX mention_published IF NOT EXISTS FOR (m:Mention) ON (m.published_at)",
    "CREATE CONSTRAINT feed_url IF NOT EXISTS FOR (f:Feed) REQUIRE f.url IS UNIQUE",
    "CREATE INDEX feed_next_poll IF NOT EXISTS FOR (f:Feed) ON (f.next_poll_at)",
    "CREATE INDEX story_published IF NOT EXISTS FOR (s:Story) ON (s.published_at)",
    "CREATE INDEX story_first_seen IF NOT EXISTS FOR (s:Story) ON (s.first_seen_at)",
    # The scoring queue: unscored stories by priority (graph/media/score_queries.py).
    "CREATE INDEX unscored_priority IF NOT EXISTS FOR (s:Unscored) ON (s.score_priority)",
    "CREATE FULLTEXT INDEX story_bands IF NOT EXISTS FOR (s:Story) ON EACH [s.bands] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    "CREATE INDEX audit_at IF NOT EXISTS FOR (a:AuditEvent) ON (a.at)",
    "CREATE INDEX domain_event_dispatched IF NOT EXISTS FOR (e:DomainEvent) ON (e.dispatched_at)",
    "CREATE INDEX complaint_channel IF NOT EXISTS FOR (c:Complaint) ON (c.channel)",
    "CREATE INDEX claim_status IF NOT EXISTS FOR (c:Claim) ON (c.status)",
    # The claims queue (issue 20): pending claims oldest first, and by handler.
    "CREATE INDEX claim_status_reported IF NOT EXISTS FOR (c:Claim) ON (c.status, c.reported_at)",
    "CREATE INDEX claim_handler IF NOT EXISTS FOR (c:Claim) ON (c.handler)",
    "CREATE INDEX frontline_feedback_at IF NOT EXISTS FOR (f:FrontlineFeedback) ON (f.at)",
    "CREATE INDEX claim_fraud_flag IF NOT EXISTS FOR (c:Claim) ON (c.fraud_flag)",
    "CREATE INDEX party_fraud_flag IF NOT EXISTS FOR (p:Party) ON (p.fraud_flag)",
    "CREATE INDEX watchlist_reason IF NOT EXISTS FOR (w:WatchlistEntry) ON (w.reason)",
    # Crisis detection and delivery (issue 7).
    "CREATE CONSTRAINT alert_open_key IF NOT EXISTS FOR (a:Alert) REQUIRE a.open_key IS UNIQUE",
    "CREATE CONSTRAINT crisis_case_open_key IF NOT EXISTS "
    "FOR (c:CrisisCase) REQUIRE c.open_key IS UNIQUE",
    "CREATE INDEX alert_notified IF NOT EXISTS FOR (a:Alert) ON (a.notified_at)",
    "CREATE INDEX alert_status IF NOT EXISTS FOR (a:Alert) ON (a.status)",
    # The alerts list pages by (opened_at, id) (keyset cursors, issue 18).
    "CREATE INDEX alert_opened IF NOT EXISTS FOR (a:Alert) ON (a.opened_at)",
    "CREATE INDEX story_first_seen IF NOT EXISTS FOR (s:Story) ON (s.first_seen_at)",
    "CREATE INDEX crisis_step_due IF NOT EXISTS FOR (s:CrisisStep) ON (s.status, s.due_at)",
    "CREATE INDEX delivery_due IF NOT EXISTS FOR (d:Delivery) ON (d.status, d.next_attempt_at)",
    "CREATE INDEX audit_case IF NOT EXISTS FOR (a:AuditEvent) ON (a.case_id)",
    "CREATE INDEX audit_subject IF NOT EXISTS FOR (a:AuditEvent) ON (a.subject_id)",
    "CREATE INDEX ring_score IF NOT EXISTS FOR (r:Ring) ON (r.score)",
    "CREATE INDEX ring_generation IF NOT EXISTS FOR (r:Ring) ON (r.generation)",
    "CREATE INDEX claim_fraud_flag IF NOT EXISTS FOR (c:Claim) ON (c.fraud_flag)",
    # Probing guard for lookups by identifier (issue 19): one window per API key and hour.
    "CREATE CONSTRAINT identifier_probe_window_id IF NOT EXISTS "
    "FOR (w:IdentifierProbeWindow) REQUIRE w.id IS UNIQUE",
    "CREATE INDEX identifier_probe_window IF NOT EXISTS "
    "FOR (w:IdentifierProbeWindow) ON (w.window)",
]

# Data written before a change of the model, brought up to date (idempotent).
_DATA_UPDATES: list[LiteralString] = [
    # Undispatched events carry :Undispatched (the dispatcher's index) since 2026-11-26.
    "MATCH (e:DomainEvent) WHERE e.dispatched_at IS NULL AND NOT e:Undispatched SET e:Undispatched",
]

MIGRATIONS: list[LiteralString] = _CONSTRAINTS + _INDEXES + _DATA_UPDATES

# -- complaint texts stored before identifiers were masked in them (issue 19) --
COMPLAINT_TEXT_SCRUB = "complaint-text-scrub-1"
# Whether a data migration has run (a marker node per migration, written when it finished).
DATA_MIGRATION_DONE: LiteralString = "MATCH (m:DataMigration {id: $id}) RETURN m.id AS id"
# One page of complaints' free text (summary, resolution) and the terms taken from it, by id.
COMPLAINT_TEXT_PAGE: LiteralString = """
MATCH (c:Complaint) WHERE c.id > $after
RETURN c.id AS id, c.summary AS summary, c.resolution AS resolution,
       c.topic_terms AS topic_terms
ORDER BY c.id LIMIT $limit
"""
# Complaint texts replaced by their masked forms (a null leaves the property absent).
SET_COMPLAINT_TEXTS: LiteralString = """
UNWIND $rows AS row MATCH (c:Complaint {id: row.id})
SET c.summary = row.summary, c.resolution = row.resolution, c.topic_terms = row.topic_terms
"""
# The marker that the data migration finished.
MARK_DATA_MIGRATION: LiteralString = "MERGE (m:DataMigration {id: $id}) SET m.done_at = datetime()"


def _scrubbed_complaint(record: Mapping[str, Any]) -> dict[str, Any]:
    """A complaint's texts as filing stores them now: identifiers masked, no number-like
    topic terms."""
    terms = record["topic_terms"]
    return {
        "id": record["id"],
        "summary": None if record["summary"] is None else scrub_personal_data(record["summary"]),
        "resolution": (
            None if record["resolution"] is None else scrub_personal_data(record["resolution"])
        ),
        "topic_terms": None if terms is None else [t for t in terms if is_topic_term(t)],
    }


async def scrub_stored_complaint_texts(graph: Graph, page: int = 2000) -> int:
    """Mask identifiers in complaint summaries and resolutions, and drop number-like topic
    terms, stored before filing and import did so (once per database: a marker node records
    it, written once there were complaints to look at; re-running changes nothing). Returns
    how many complaints changed."""
    if await graph.read(DATA_MIGRATION_DONE, id=COMPLAINT_TEXT_SCRUB):
        return 0
    changed = 0
    after = ""
    while records := await graph.read(COMPLAINT_TEXT_PAGE, after=after, limit=page):
        rows = [
            scrubbed
            for r in records
            if (scrubbed := _scrubbed_complaint(r)) != {k: r[k] for k in scrubbed}
        ]
        if rows:
            await graph.write(SET_COMPLAINT_TEXTS, rows=rows)
        changed += len(rows)
        after = records[-1]["id"]
    if after:  # an empty database is looked at again next time, at no cost
        await graph.write(MARK_DATA_MIGRATION, id=COMPLAINT_TEXT_SCRUB)
    if changed:
        log.info("masked identifiers in the texts of %d stored complaints", changed)
    return changed


async def migrate(graph: Graph) -> int:
    """Create every constraint and index that does not exist yet and bring older data up to
    date; return how many statements ran."""
    for statement in MIGRATIONS:
        await graph.write(statement)
    await graph.write("CALL db.awaitIndexes(300)")
    await scrub_stored_complaint_texts(graph)
    log.info("schema migrations applied", extra={"statements": len(MIGRATIONS)})
    return len(MIGRATIONS)
