"""Cypher for the domain-event outbox shared by every department.

A change that other departments react to appends ``(:DomainEvent)`` rows in the SAME
transaction as the change (so an event exists if and only if the change committed);
consumers poll undispatched events and set ``dispatched_at``. An event waiting for dispatch
also carries the label ``:Undispatched`` (removed when it is dispatched), so the dispatcher
finds the few waiting events without scanning every event ever written.
"""

from typing import LiteralString

# Append events to the outbox: $events is a list of {id, type, subject_id, payload (JSON)}.
# Run it with the transaction (tx.run) that makes the change the events describe.
CREATE_EVENTS: LiteralString = """
UNWIND $events AS event
CREATE (e:DomainEvent:Undispatched {id: event.id, type: event.type, at: datetime(),
                                    subject_id: event.subject_id, payload: event.payload,
                                    dispatched_at: null})
"""
APPEND_DOMAIN_EVENTS: LiteralString = CREATE_EVENTS + "RETURN count(e) AS appended\n"
