"""The probing guard's memory: per API key and clock hour, the distinct identifiers its
lookups (renewal checks, attention flags) sent that matched no party, whether the key is
refused for the rest of the hour, and the audit events and domain events refusals raise.

It lives in Neo4j, not in the process, so every API process behind a load balancer counts
against the same limit (a per-process count would multiply it by the number of processes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from neo4j import AsyncManagedTransaction

from graph.access import queries as q
from graph.client import Graph
from graph.events import DomainEventType, append_domain_events, domain_event
from models.identifier_probing import (
    FailedIdentifier,
    ProbeVerdict,
    enumeration_groups,
    failures_from_tokens,
)

ENUMERATION = "identifier.enumeration_suspected"
FAILED_LIMIT = "identifier.failed_limit_reached"


def window_of(now: datetime) -> datetime:
    """The clock hour ``now`` falls in."""
    return now.replace(minute=0, second=0, microsecond=0)


class IdentifierProbeRepository:
    """Counts failed identifiers per key and hour, and refuses keys that probe."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @staticmethod
    def _id(key_id: str, window: datetime) -> str:
        return f"{key_id}|{window.isoformat()}"

    async def blocked(self, key_id: str, now: datetime) -> bool:
        """Whether the key is refused lookups by identifier for the rest of this hour."""
        records = await self.graph.read(q.WINDOW_BLOCKED, id=self._id(key_id, window_of(now)))
        return bool(records and records[0]["blocked"])

    async def record(
        self,
        key_id: str,
        key_name: str,
        failures: Sequence[FailedIdentifier],
        *,
        limit: int,
        threshold: int,
        now: datetime,
    ) -> ProbeVerdict:
        """Add a request's failures to the key's hour; refuse the key (with an audit event,
        and a domain event for webhooks) once it is over ``limit`` or enumerating."""
        window = window_of(now)

        async def work(tx: AsyncManagedTransaction) -> ProbeVerdict:
            window_id = self._id(key_id, window)
            result = await tx.run(
                q.ADD_FAILURES,
                id=window_id,
                key_id=key_id,
                window=window,
                failures=sorted({f.token for f in failures}),
                keep=limit + 1,
            )
            record = await result.single(strict=True)
            stored = failures_from_tokens(record["failures"])
            verdict = ProbeVerdict(len(stored), limit, enumeration_groups(stored, threshold))
            if not verdict.refused:
                return verdict
            alerts = [ENUMERATION] if verdict.enumeration else [FAILED_LIMIT]
            new = [a for a in alerts if a not in (record["alerted"] or [])]
            await tx.run(q.BLOCK_WINDOW, id=window_id, alerts=new)
            for action in new:
                detail = {
                    "window": window.isoformat(),
                    "failed_identifiers": verdict.failures,
                    "limit": limit,
                    "masked_groups": [
                        {"kind": kind, "masked": masked, "candidates": n}
                        for (kind, masked), n in sorted(verdict.enumeration.items())
                    ],
                }
                text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
                await tx.run(
                    q.AUDIT_PROBING, actor=key_name, action=action, key_id=key_id, detail=text
                )
                event = domain_event(
                    DomainEventType(action), key_id, {"key_name": key_name, **detail}
                )
                await append_domain_events(tx, [event])
            return verdict

        verdict = await self.graph.write_transaction(work)
        await self.graph.write(q.FORGET_OLD_WINDOWS, before=window - timedelta(hours=1))
        return verdict
