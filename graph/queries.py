"""Cypher shared by every domain: the domain-event outbox that changes append to, and the
delivery outbox (webhook targets, deliveries, the event dispatcher) that drains it.
"""

from __future__ import annotations

from typing import LiteralString

# ---- Cypher for the domain-event outbox shared by every department.
#
# A change that other departments react to appends ``(:DomainEvent)`` rows in the SAME
# transaction as the change (so an event exists if and only if the change committed);
# consumers poll undispatched events and set ``dispatched_at``. An event waiting for dispatch
# also carries the label ``:Undispatched`` (removed when it is dispatched), so the dispatcher
# finds the few waiting events without scanning every event ever written.

# Append events to the outbox: $events is a list of {id, type, subject_id, payload (JSON)}.
# Run it with the transaction (tx.run) that makes the change the events describe.
CREATE_EVENTS: LiteralString = """
UNWIND $events AS event
CREATE (e:DomainEvent:Undispatched {id: event.id, type: event.type, at: datetime(),
                                    subject_id: event.subject_id, payload: event.payload,
                                    dispatched_at: null})
"""
APPEND_DOMAIN_EVENTS: LiteralString = CREATE_EVENTS + "RETURN count(e) AS appended\n"


# ---- Cypher for the delivery outbox: webhook targets, deliveries, and the domain-event dispatcher.
#
# Claims use a lease: a statement marks due items with its owner and a lease deadline, so any
# number of worker processes can drain the outbox and a crashed worker's items come back when
# its lease runs out. ``SET x._lock`` takes the node's write lock before the claim conditions
# are checked again, so two concurrent claims cannot both win the same item.

# Every webhook target.
LIST_TARGETS: LiteralString = """
MATCH (t:WebhookTarget)
RETURN t {.*} AS target ORDER BY t.name
"""

# Adds a webhook target.
CREATE_TARGET: LiteralString = """
CREATE (t:WebhookTarget {id: $id, name: $name, kind: $kind, url: $url, secret: $secret,
                         min_severity: $min_severity, min_rank: $min_rank,
                         event_types: $event_types, created_at: $now, created_by: $actor})
CREATE (e:AuditEvent {id: randomUUID(), at: $now, actor: $actor, action: 'webhook.add',
                      subject_id: $id, before: null, after: $name})
RETURN t {.*} AS target
"""

# Removes a webhook target (its pending deliveries fail at their next attempt).
DELETE_TARGET: LiteralString = """
MATCH (t:WebhookTarget {id: $id})
CREATE (e:AuditEvent {id: randomUUID(), at: $now, actor: $actor, action: 'webhook.remove',
                      subject_id: t.id, before: t.name, after: null})
DETACH DELETE t
RETURN count(*) AS removed
"""

# One delivery per target whose minimum severity the alert reaches (idempotent per key).
ENQUEUE_ALERT_DELIVERIES: LiteralString = """
MATCH (a:Alert {id: $alert_id})
MATCH (t:WebhookTarget)
WHERE t.min_rank IS NOT NULL AND t.min_rank <= $rank
MERGE (d:Delivery {id: t.id + '|' + $key})
ON CREATE SET d.idempotency_key = $key, d.target_id = t.id, d.status = 'PENDING',
              d.attempts = 0, d.next_attempt_at = $now, d.created_at = $now,
              d.event_type = $event_type, d.last_error = null,
              d.lease_owner = null, d.lease_until = null
MERGE (d)-[:FOR]->(a)
RETURN count(d) AS enqueued
"""

# One delivery per target subscribed to each event's type (the idempotency key is the event).
ENQUEUE_EVENT_DELIVERIES: LiteralString = """
UNWIND $event_ids AS event_id
MATCH (e:DomainEvent {id: event_id})
MATCH (t:WebhookTarget)
WHERE e.type IN coalesce(t.event_types, [])
WITH e, t, 'event:' + event_id AS key
MERGE (d:Delivery {id: t.id + '|' + key})
ON CREATE SET d.idempotency_key = key, d.target_id = t.id, d.status = 'PENDING',
              d.attempts = 0, d.next_attempt_at = $now, d.created_at = $now,
              d.event_type = e.type, d.last_error = null,
              d.lease_owner = null, d.lease_until = null
MERGE (d)-[:FOR]->(e)
RETURN count(d) AS enqueued
"""

# Claims up to $limit due deliveries for $owner until $lease_until; returns them with their
# target and what they are for.
CLAIM_DELIVERIES: LiteralString = """
MATCH (d:Delivery)
WHERE d.status = 'PENDING' AND d.next_attempt_at <= $now
  AND (d.lease_until IS NULL OR d.lease_until < $now)
WITH d ORDER BY d.next_attempt_at LIMIT $limit
SET d._lock = true
WITH d
WHERE d.status = 'PENDING' AND (d.lease_until IS NULL OR d.lease_until < $now)
SET d.lease_owner = $owner, d.lease_until = $lease_until
REMOVE d._lock
WITH d
OPTIONAL MATCH (t:WebhookTarget {id: d.target_id})
OPTIONAL MATCH (d)-[:FOR]->(x)
RETURN d {.*} AS delivery, t {.*} AS target, x {.*} AS subject, labels(x) AS subject_labels
"""

# Marks a claimed delivery sent (only by the worker that holds its lease).
MARK_SENT: LiteralString = """
MATCH (d:Delivery {id: $id})
WHERE d.lease_owner = $owner AND d.status = 'PENDING'
SET d.status = 'SENT', d.sent_at = $now, d.attempts = d.attempts + 1,
    d.lease_owner = null, d.lease_until = null, d.last_error = null
RETURN d.id AS id
"""

# Records a failed attempt: back to PENDING with a later attempt time, or FAILED for good.
MARK_ATTEMPT_FAILED: LiteralString = """
MATCH (d:Delivery {id: $id})
WHERE d.lease_owner = $owner AND d.status = 'PENDING'
SET d.attempts = d.attempts + 1, d.last_error = $error, d.last_attempt_at = $now,
    d.status = CASE WHEN $give_up THEN 'FAILED' ELSE 'PENDING' END,
    d.next_attempt_at = $next_attempt_at, d.lease_owner = null, d.lease_until = null
RETURN d.id AS id
"""

# Hands back the leases $owner holds on deliveries it did not finish (a worker shutting down
# mid-send): they are due again at once for any worker, as they would be once the lease ran out.
RELEASE_DELIVERY_LEASES: LiteralString = """
MATCH (d:Delivery)
WHERE d.lease_owner = $owner
SET d.lease_owner = null, d.lease_until = null
RETURN count(d) AS released
"""

# Deliveries by status (for operators and tests).
LIST_DELIVERIES: LiteralString = """
MATCH (d:Delivery)
WHERE $status IS NULL OR d.status = $status
RETURN d {.*} AS delivery ORDER BY d.created_at LIMIT $limit
"""

# Claims up to $limit undispatched domain events for $owner until $lease_until.
CLAIM_EVENTS: LiteralString = """
MATCH (e:Undispatched)
WHERE e.dispatched_at IS NULL AND (e.lease_until IS NULL OR e.lease_until < $now)
WITH e ORDER BY e.at LIMIT $limit
SET e._lock = true
WITH e
WHERE e.dispatched_at IS NULL AND (e.lease_until IS NULL OR e.lease_until < $now)
SET e.lease_owner = $owner, e.lease_until = $lease_until
REMOVE e._lock
RETURN e {.*} AS event
"""

# Hands back the leases $owner holds on events it did not dispatch (a dispatcher shutting down).
RELEASE_EVENT_LEASES: LiteralString = """
MATCH (e:Undispatched)
WHERE e.lease_owner = $owner
SET e.lease_owner = null, e.lease_until = null
RETURN count(e) AS released
"""

# Marks claimed events dispatched (only those the dispatcher still holds the lease of);
# returns the ids it marked.
MARK_EVENTS_DISPATCHED: LiteralString = """
UNWIND $ids AS id
MATCH (e:DomainEvent {id: id})
WHERE e.lease_owner = $owner AND e.dispatched_at IS NULL
SET e.dispatched_at = $now, e.lease_owner = null, e.lease_until = null
REMOVE e:Undispatched
RETURN e.id AS id
"""
