"""Schema migrations: constraints and indexes, idempotent, run at every startup."""

from __future__ import annotations

import logging
from typing import LiteralString

from graph.client import Graph
from graph.labels import Label

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
    # Party search (graph.party_search): words inside folded names (cjk: pairs of characters),
    # latin fragments inside pinyin keys (a TEXT index answers CONTAINS from trigrams).
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
    # The scoring queue: unscored stories by priority (graph/queries/scoring.py).
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
    "CREATE INDEX story_first_seen IF NOT EXISTS FOR (s:Story) ON (s.first_seen_at)",
    "CREATE INDEX crisis_step_due IF NOT EXISTS FOR (s:CrisisStep) ON (s.status, s.due_at)",
    "CREATE INDEX delivery_due IF NOT EXISTS FOR (d:Delivery) ON (d.status, d.next_attempt_at)",
    "CREATE INDEX audit_case IF NOT EXISTS FOR (a:AuditEvent) ON (a.case_id)",
    "CREATE INDEX audit_subject IF NOT EXISTS FOR (a:AuditEvent) ON (a.subject_id)",
    "CREATE INDEX ring_score IF NOT EXISTS FOR (r:Ring) ON (r.score)",
    "CREATE INDEX ring_generation IF NOT EXISTS FOR (r:Ring) ON (r.generation)",
    "CREATE INDEX claim_fraud_flag IF NOT EXISTS FOR (c:Claim) ON (c.fraud_flag)",
]

# Data written before a change of the model, brought up to date (idempotent).
_DATA_UPDATES: list[LiteralString] = [
    # Undispatched events carry :Undispatched (the dispatcher's index) since 2026-11-26.
    "MATCH (e:DomainEvent) WHERE e.dispatched_at IS NULL AND NOT e:Undispatched SET e:Undispatched",
]

MIGRATIONS: list[LiteralString] = _CONSTRAINTS + _INDEXES + _DATA_UPDATES


async def migrate(graph: Graph) -> int:
    """Create every constraint and index that does not exist yet and bring older data up to
    date; return how many statements ran."""
    for statement in MIGRATIONS:
        await graph.write(statement)
    await graph.write("CALL db.awaitIndexes(300)")
    log.info("schema migrations applied", extra={"statements": len(MIGRATIONS)})
    return len(MIGRATIONS)
