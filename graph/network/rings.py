"""Rings: groups of parties linked through identifiers they share (phones, ID numbers, bank
accounts, plates, addresses, e-mails), materialised as ``(:Party)-[:IN_RING]->(:Ring)``.

A refresh streams the identifiers two or more parties share, page by page, joins their parties
with a union-find (memory grows with the shared identifiers, not with the graph), scores each
group and writes it; rings of the previous refresh are removed only after the new ones exist,
so readers never see an empty list. Plain Cypher only: it runs on Neo4j Community.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.client import Graph
from graph.network import queries as q
from graph.paging import Page, keyset_page
from models.cursors import decode_number_cursor, encode_cursor, page_size

log = logging.getLogger(__name__)

# The order (and cursor kind) of the rings list: highest score first, ties by id.
RING_ORDER = "RING_SCORE_DESC"

# Points per shared identifier: an ID number or a bank account says more than an address.
KIND_WEIGHTS: dict[str, float] = {
    "ID_CARD": 4.0,
    "BANK_ACCOUNT": 4.0,
    "PHONE": 2.0,
    "PLATE": 1.5,
    "EMAIL": 1.0,
    "ADDRESS": 0.5,
}
POINTS_PER_EXTRA_MEMBER = 1.0
POINTS_PER_COMPLAINT = 1.0
POINTS_PER_FLAGGED_CLAIM = 5.0


@dataclass(frozen=True)
class SharedIdentifier:
    """An identifier two or more parties share, as the API may show it (masked)."""

    id: str
    kind: str
    masked: str
    parties: int


@dataclass(frozen=True)
class ScorePart:
    """One term of a ring's risk score: what was counted, how many, and the points it gave."""

    factor: str
    value: float
    points: float


@dataclass
class RingCandidate:
    """A connected group found by the refresh, before it is scored and written."""

    members: list[str]
    identifiers: list[SharedIdentifier]

    @property
    def id(self) -> str:
        """Stable while the membership is: a hash of the sorted member ids."""
        digest = hashlib.sha256("|".join(sorted(self.members)).encode()).hexdigest()
        return "ring:" + digest[:20]


@dataclass
class RefreshReport:
    """What a refresh did."""

    rings: int = 0
    members: int = 0
    shared_identifiers: int = 0
    skipped_hubs: int = 0
    identifiers_scanned_pages: int = 0
    seconds: float = 0.0
    generation: str = ""


def score_ring(
    identifiers: Sequence[SharedIdentifier], size: int, complaints: int, flagged_claims: int
) -> list[ScorePart]:
    """The terms of a ring's score; their points add up to the score."""
    parts: list[ScorePart] = []
    for kind in sorted({i.kind for i in identifiers}):
        count = sum(1 for i in identifiers if i.kind == kind)
        parts.append(ScorePart(f"shared {kind}", float(count), count * KIND_WEIGHTS.get(kind, 1.0)))
    parts.append(
        ScorePart("members", float(size), (size - 1) * POINTS_PER_EXTRA_MEMBER),
    )
    parts.append(ScorePart("complaints", float(complaints), complaints * POINTS_PER_COMPLAINT))
    parts.append(
        ScorePart(
            "flagged claims", float(flagged_claims), flagged_claims * POINTS_PER_FLAGGED_CLAIM
        )
    )
    return parts


@dataclass
class UnionFind:
    """Disjoint sets of party ids, with path halving and union by size."""

    parent: dict[str, str] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)

    def find(self, item: str) -> str:
        """The representative of ``item``'s set (adding it as a singleton if new)."""
        parent = self.parent
        if item not in parent:
            parent[item] = item
            self.size[item] = 1
            return item
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union_all(self, items: Iterable[str]) -> str | None:
        """Join every item into one set; return its representative."""
        root: str | None = None
        for item in items:
            other = self.find(item)
            if root is None:
                root = other
            elif other != root:
                if self.size[root] < self.size[other]:
                    root, other = other, root
                self.parent[other] = root
                self.size[root] += self.size[other]
        return root


def group_candidates(
    shared: Iterable[Mapping[str, Any]], max_degree: int, report: RefreshReport
) -> list[RingCandidate]:
    """Connected groups of parties over shared identifiers (hubs above ``max_degree`` skipped)."""
    sets = UnionFind()
    kept: list[tuple[str, SharedIdentifier]] = []
    for row in shared:
        if row["degree"] > max_degree:
            report.skipped_hubs += 1
            continue
        root = sets.union_all(row["parties"])
        if root is None:
            continue
        ident = SharedIdentifier(row["id"], row["kind"], row["masked"], int(row["degree"]))
        kept.append((row["parties"][0], ident))
    report.shared_identifiers = len(kept)
    groups: dict[str, RingCandidate] = {}
    for member in sets.parent:
        root = sets.find(member)
        groups.setdefault(root, RingCandidate([], [])).members.append(member)
    for party, ident in kept:
        groups[sets.find(party)].identifiers.append(ident)
    return [group for group in groups.values() if len(group.members) >= 2]


async def stream_shared_identifiers(
    graph: Graph, scan_page: int, max_degree: int, report: RefreshReport
) -> list[Mapping[str, Any]]:
    """Every identifier two or more parties share, read in bounded pages of the id index."""
    shared: list[Mapping[str, Any]] = []
    after = ""
    while True:
        records = await graph.read(
            q.SHARED_IDENTIFIERS_PAGE,
            after=after,
            scan=scan_page,
            max_degree_plus_one=max_degree + 1,
        )
        report.identifiers_scanned_pages += 1
        last_id = records[0]["last_id"] if records else None
        if last_id is None:
            return shared
        shared.extend(records[0]["shared"])
        after = last_id


def _ring_props(candidate: RingCandidate, figures: Mapping[str, Any]) -> dict[str, Any]:
    idents = sorted(candidate.identifiers, key=lambda i: (-KIND_WEIGHTS.get(i.kind, 1.0), i.id))
    parts = score_ring(
        idents, len(candidate.members), figures["complaints"], figures["flagged_claims"]
    )
    return {
        "size": len(candidate.members),
        "score": round(sum(p.points for p in parts), 2),
        "complaints": figures["complaints"],
        "flagged_claims": figures["flagged_claims"],
        "claims": figures["claims"],
        "shared_ids": [i.id for i in idents],
        "shared_kinds": [i.kind for i in idents],
        "shared_masked": [i.masked for i in idents],
        "shared_parties": [i.parties for i in idents],
        "score_factors": [p.factor for p in parts],
        "score_values": [p.value for p in parts],
        "score_points": [p.points for p in parts],
    }


async def refresh_rings(
    graph: Graph,
    *,
    scan_page: int = 100_000,
    write_batch: int = 500,
    max_degree: int = 50,
) -> RefreshReport:
    """Recompute every ring and replace the stored ones; returns what it did."""
    started = time.perf_counter()
    report = RefreshReport(generation=uuid.uuid4().hex)
    shared = await stream_shared_identifiers(graph, scan_page, max_degree, report)
    candidates = group_candidates(shared, max_degree, report)
    for start in range(0, len(candidates), write_batch):
        batch = candidates[start : start + write_batch]
        figures = await graph.read(
            q.RING_MEMBER_FIGURES,
            rings=[{"id": c.id, "members": c.members} for c in batch],
        )
        by_id = {record["id"]: record for record in figures}
        rows = [
            {"id": c.id, "members": c.members, "props": _ring_props(c, by_id[c.id])} for c in batch
        ]
        await graph.write(q.WRITE_RINGS, rings=rows, generation=report.generation)
        report.rings += len(batch)
        report.members += sum(len(c.members) for c in batch)
    await graph.write_autocommit(q.DELETE_STALE_RINGS, generation=report.generation)
    report.seconds = round(time.perf_counter() - started, 3)
    log.info(
        "rings refreshed: %d rings, %d members, %d shared identifiers, %d hubs skipped in %.1fs",
        report.rings,
        report.members,
        report.shared_identifiers,
        report.skipped_hubs,
        report.seconds,
    )
    return report


@dataclass(frozen=True)
class StoredRing:
    """A ring as the API shows it: figures, shared identifiers (masked), score terms."""

    id: str
    size: int
    score: float
    complaints: int
    flagged_claims: int
    claims: int
    identifiers: list[SharedIdentifier]
    score_parts: list[ScorePart]
    members: list[dict[str, Any]]

    @classmethod
    def from_props(
        cls, props: Mapping[str, Any], members: Sequence[Mapping[str, Any]] = ()
    ) -> StoredRing:
        """Build from a ``:Ring`` node's properties (and some of its members)."""
        idents = [
            SharedIdentifier(*values)
            for values in zip(
                props["shared_ids"],
                props["shared_kinds"],
                props["shared_masked"],
                props["shared_parties"],
                strict=True,
            )
        ]
        parts = [
            ScorePart(*values)
            for values in zip(
                props["score_factors"], props["score_values"], props["score_points"], strict=True
            )
        ]
        return cls(
            id=props["id"],
            size=props["size"],
            score=props["score"],
            complaints=props["complaints"],
            flagged_claims=props["flagged_claims"],
            claims=props["claims"],
            identifiers=idents,
            score_parts=parts,
            members=[dict(m) for m in members],
        )


class RingRepository:
    """Reads the rings the last refresh stored."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def page(
        self,
        min_size: int,
        kinds: Sequence[str] | None,
        *,
        first: int,
        after: str | None,
        member_cap: int,
    ) -> Page[StoredRing]:
        """Rings by score, highest first (ties by id), keyset-paginated after ``after``."""
        limit = page_size(first)
        after_score, after_id = decode_number_cursor(after, RING_ORDER) if after else (None, None)
        records = await self.graph.read(
            q.RINGS_PAGE,
            min_size=min_size,
            kinds=list(kinds) if kinds else None,
            after_score=after_score,
            after_id=after_id,
            limit=limit + 1,
            member_cap=member_cap,
        )
        return keyset_page(
            [StoredRing.from_props(r["ring"], r["members"]) for r in records],
            limit,
            lambda ring: encode_cursor(RING_ORDER, ring.score, ring.id),
        )

    async def count(self, min_size: int, kinds: Sequence[str] | None) -> int:
        """How many rings match the filters."""
        records = await self.graph.read(
            q.RINGS_COUNT, min_size=min_size, kinds=list(kinds) if kinds else None
        )
        total: int = records[0]["total"]
        return total

    async def rings_of(self, party_ids: Sequence[str]) -> dict[str, list[StoredRing]]:
        """Per party, the rings it is in."""
        records = await self.graph.read(q.RINGS_OF_PARTIES, ids=list(party_ids))
        return {r["pid"]: [StoredRing.from_props(props) for props in r["rings"]] for r in records}
