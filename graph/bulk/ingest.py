"""The graph writer: business records in, idempotent ``UNWIND`` batches out.

Each batch is one transaction, so a crash mid-batch leaves nothing half-written, and every
statement merges on node ids, so a retried or re-run batch creates nothing twice. Both
``riskwatch seed-demo`` and ``riskwatch import`` write through this one class.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, LiteralString, TypeVar

import anyio
from neo4j import AsyncManagedTransaction

from graph.bulk import queries as q
from graph.client import Graph
from graph.values import batched
from models.records import (
    BranchRow,
    ClaimRow,
    ComplaintRow,
    IdentifierRow,
    PartyIdentifiers,
    PartyKind,
    PartyRow,
    PolicyRow,
    WatchlistEntryRow,
)

T = TypeVar("T")

DEFAULT_BATCH_SIZE = 2000

Statement = tuple[LiteralString, list[dict[str, Any]]]


async def pipelined(items: Iterator[T], consume: Callable[[T], Awaitable[None]]) -> None:
    """Consume each item while a worker thread produces the next one.

    Generating or parsing rows is CPU work in Python; writing them is mostly waiting for
    Neo4j. Overlapping the two keeps both busy, and the event loop free.
    """
    done: Any = object()
    current = await anyio.to_thread.run_sync(next, items, done)
    following: list[T] = []

    async def produce() -> None:
        following.append(await anyio.to_thread.run_sync(next, items, done))

    while current is not done:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(produce)
            await consume(current)
        current = following.pop()


def identifier_statements(owners: Iterable[PartyIdentifiers]) -> list[Statement]:
    """The two statements that merge the owners' identifiers and link them (deduplicated)."""
    identifiers: dict[str, IdentifierRow] = {}
    links: dict[tuple[str, str], dict[str, Any]] = {}
    for owner in owners:
        for ident in owner["identifiers"]:
            identifiers.setdefault(ident["id"], ident)
            links[(owner["party_id"], ident["id"])] = {
                "party_id": owner["party_id"],
                "identifier_id": ident["id"],
            }
    if not links:
        return []
    return [
        (q.MERGE_IDENTIFIERS, [dict(ident) for ident in identifiers.values()]),
        (q.LINK_IDENTIFIERS, list(links.values())),
    ]


class GraphWriter:
    """Writes parties, policies, claims and complaints; each call is one transaction per
    ``batch_size`` rows."""

    def __init__(self, graph: Graph, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.graph = graph
        self.batch_size = batch_size

    async def parties(self, kind: PartyKind, rows: Sequence[PartyRow]) -> int:
        """Merge parties of one kind with their identifiers; returns rows written."""
        for chunk in batched(rows, self.batch_size):
            owners = [
                PartyIdentifiers(party_id=r["id"], identifiers=r["identifiers"]) for r in chunk
            ]
            await self._run(
                [
                    (q.MERGE_PARTIES[kind.value], [_party_node(row) for row in chunk]),
                    *identifier_statements(owners),
                ]
            )
        return len(rows)

    async def identifiers(self, owners: Sequence[PartyIdentifiers]) -> int:
        """Merge identifiers onto existing parties (e.g. a policy's plate on its holder)."""
        for chunk in batched(owners, self.batch_size):
            await self._run(identifier_statements(chunk))
        return len(owners)

    async def policies(
        self, rows: Sequence[PolicyRow], holder_identifiers: Sequence[PartyIdentifiers] = ()
    ) -> int:
        """Merge policies, link them to holder, seller and dealer, and merge any identifiers
        that came with them onto their holders (one transaction)."""
        if rows or holder_identifiers:
            await self._run(
                [(q.MERGE_POLICIES, _plain(rows)), *identifier_statements(holder_identifiers)]
            )
        return len(rows)

    async def claims(self, rows: Sequence[ClaimRow]) -> int:
        """Merge claims and link them to policy, shop and adjuster."""
        for chunk in batched(rows, self.batch_size):
            await self._run([(q.MERGE_CLAIMS, _plain(chunk))])
        return len(rows)

    async def complaints(self, rows: Sequence[ComplaintRow]) -> int:
        """Merge complaints and link them to complainant and subjects, with the history an
        export carries (escalations, joint reviews, the complaints each one repeats)."""
        for chunk in batched(rows, self.batch_size):
            repeats = [
                {"id": row["id"], "repeat_of_ids": row["repeat_of_ids"]}
                for row in chunk
                if row.get("repeat_of_ids")
            ]
            merges = [
                {"duplicate_id": row["id"], "target_id": target}
                for row in chunk
                if (target := row.get("merged_into_id"))
            ] + [
                {"duplicate_id": duplicate, "target_id": row["id"]}
                for row in chunk
                for duplicate in row.get("merged_from_ids") or []
            ]
            await self._run(
                [
                    (q.MERGE_COMPLAINTS, _plain(chunk)),
                    (q.LINK_REPEATS, repeats),
                    (q.LINK_MERGES, merges),
                ]
            )
        return len(rows)

    async def branches(self, rows: Sequence[BranchRow]) -> int:
        """Merge branches (机构) by code."""
        for chunk in batched(rows, self.batch_size):
            await self._run([(q.MERGE_BRANCHES, [dict(row) for row in chunk])])
        return len(rows)

    async def watchlist_entries(self, rows: Sequence[WatchlistEntryRow]) -> int:
        """Merge exported watchlist entries onto their parties, with their audit trails."""
        for chunk in batched(rows, self.batch_size):
            await self._run([(q.MERGE_WATCHLIST_ENTRIES, _plain(chunk))])
        return len(rows)

    async def existing_ids(
        self,
        party_ids: Iterable[str],
        policy_ids: Iterable[str],
        claim_ids: Iterable[str],
        branch_ids: Iterable[str] = (),
    ) -> set[str]:
        """Which of these party, policy, claim and branch ids exist (one statement)."""
        records = await self.graph.read(
            q.EXISTING_IDS,
            party_ids=sorted(set(party_ids)),
            policy_ids=sorted(set(policy_ids)),
            claim_ids=sorted(set(claim_ids)),
            branch_ids=sorted(set(branch_ids)),
        )
        return set(records[0]["found"]) if records else set()

    async def _run(self, statements: Sequence[Statement]) -> None:
        statements = [(cypher, rows) for cypher, rows in statements if rows]
        if not statements:
            return

        async def work(tx: AsyncManagedTransaction) -> None:
            for cypher, rows in statements:
                result = await tx.run(cypher, rows=rows)
                await result.consume()

        await self.graph.write_transaction(work)


def _with_temporal_split(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its date and datetime props moved, as ISO strings, to ``dates`` and
    ``instants`` (the statements convert them back; the driver packs strings much faster)."""
    props: dict[str, Any] = {}
    instants: dict[str, str] = {}
    dates: dict[str, str] = {}
    for key, value in row["props"].items():
        if isinstance(value, datetime):
            instants[key] = value.isoformat()
        elif isinstance(value, date):
            dates[key] = value.isoformat()
        else:
            props[key] = value
    return {**row, "props": props, "instants": instants, "dates": dates}


def _party_node(row: PartyRow) -> dict[str, Any]:
    return _with_temporal_split({"id": row["id"], "props": row["props"]})


def _plain(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [_with_temporal_split(dict(row)) for row in rows]
