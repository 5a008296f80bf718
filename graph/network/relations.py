"""Who is around a party, and how two parties are connected: the risk team's graph reads.

Every method is a bounded number of statements: a neighbourhood is read one breadth-first
level per statement with a per-node fan-out cap and a total node cap; nested fields are read
in batches (one statement per DataLoader batch, whatever the page size).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.client import Graph
from graph.labels import Rel
from graph.network import queries as q
from graph.network.party_search import search_parameters

MAX_DEPTH = 3
MAX_HOPS = 6

# Relationship types a neighbourhood may follow (the caller picks a subset).
NETWORK_TYPES: tuple[Rel, ...] = (
    Rel.HAS_ID,
    Rel.HOLDS,
    Rel.HAS_CLAIM,
    Rel.REPAIRED_AT,
    Rel.ASSESSED_BY,
    Rel.SOLD_BY,
    Rel.SOLD_VIA,
    Rel.FILED,
    Rel.ABOUT,
    Rel.IN_RING,
)


@dataclass(frozen=True)
class GraphNode:
    """A node as the API shows it: its id, labels and display fields."""

    eid: str
    id: str
    labels: tuple[str, ...]
    name: str | None = None
    ref: str | None = None
    kind: str | None = None
    masked: str | None = None
    number: str | None = None
    status: str | None = None
    channel: str | None = None
    fraud_flag: bool | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> GraphNode:
        """Build from the ``_NODE`` projection of graph/network/queries.py."""
        return cls(
            eid=row["eid"],
            id=row["id"],
            labels=tuple(row["labels"]),
            name=row.get("name"),
            ref=row.get("ref"),
            kind=row.get("kind"),
            masked=row.get("masked"),
            number=row.get("no"),
            status=row.get("status"),
            channel=row.get("channel"),
            fraud_flag=row.get("fraud_flag"),
        )

    @property
    def display(self) -> str:
        """A short human label: name and reference, masked identifier, or business number."""
        if self.name:
            return f"{self.name} ({self.ref})" if self.ref else self.name
        return self.masked or self.number or self.id


@dataclass(frozen=True)
class GraphEdge:
    """A relationship between two nodes of a result (by node id), with its direction."""

    type: str
    start: str
    end: str


@dataclass
class Neighbourhood:
    """A capped neighbourhood: nodes in breadth-first order and what was left out."""

    nodes: list[tuple[int, GraphNode]] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    left_out_nodes: int = 0
    left_out_edges: int = 0


@dataclass(frozen=True)
class RawPath:
    """A path as read: its nodes and, per relationship, its type and start node."""

    nodes: list[GraphNode]
    rels: list[tuple[str, str]]


class _Walk:
    """The state of a breadth-first walk: nodes seen, edges found, and what the caps cut."""

    def __init__(self, start: GraphNode, max_nodes: int) -> None:
        self.found = Neighbourhood(nodes=[(0, start)])
        self.seen: dict[str, GraphNode] = {start.eid: start}
        self.skipped: set[str] = set()
        self.edges: dict[tuple[str, str, str], GraphEdge] = {}
        self.frontier: list[str] = []
        self.max_nodes = max_nodes

    def add_level(self, level: int, records: Sequence[Mapping[str, Any]]) -> None:
        """Take one level's rows (``eid``, ``degree``, ``edges``); set the next frontier."""
        self.frontier = []
        for record in records:
            origin = self.seen[record["eid"]]
            self.found.left_out_edges += record["degree"] - len(record["edges"])
            for edge in record["edges"]:
                node = GraphNode.from_row(edge["node"])
                if node.eid not in self.seen:
                    if len(self.seen) >= self.max_nodes:
                        self.skipped.add(node.eid)
                        self.found.left_out_edges += 1
                        continue
                    self.seen[node.eid] = node
                    self.found.nodes.append((level, node))
                    self.frontier.append(node.eid)
                forward = edge["start"] == origin.eid
                start_id, end_id = (origin.id, node.id) if forward else (node.id, origin.id)
                key = (start_id, end_id, edge["type"])
                self.edges.setdefault(key, GraphEdge(edge["type"], start_id, end_id))

    def result(self) -> Neighbourhood:
        """The neighbourhood walked so far."""
        self.found.edges = list(self.edges.values())
        self.found.left_out_nodes = len(self.skipped)
        return self.found


class RelationsRepository:
    """Reads parties, neighbourhoods, paths and the nested data of parties and complaints."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def parties(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Parties by id (missing ones absent)."""
        records = await self.graph.read(q.PARTIES_BY_ID, ids=list(ids))
        return {record[0]["id"]: dict(record[0]) for record in records}

    async def search(
        self, text: str, labels: Sequence[str] | None, first: int, secret: bytes
    ) -> list[dict[str, Any]]:
        """Parties by reference or identifier, then exact name or pinyin, then name prefix, then
        words inside names (``graph.network.party_search``), best first."""
        params = search_parameters(text, list(labels) if labels else None, first, secret)
        records = await self.graph.read(q.SEARCH_PARTIES, **params)
        return [dict(record["party"]) for record in records]

    async def party_node(self, party_id: str) -> GraphNode | None:
        """A party as a graph node, or None."""
        records = await self.graph.read(q.NODE_BY_PARTY_ID, id=party_id)
        return GraphNode.from_row(records[0]["node"]) if records else None

    async def neighbourhood(
        self,
        party_id: str,
        depth: int,
        types: Sequence[Rel],
        per_node: int,
        max_nodes: int,
    ) -> Neighbourhood | None:
        """Breadth-first neighbourhood of a party, one statement per level, capped; None when
        there is no such party."""
        type_names = [t.value for t in types]
        records = await self.graph.read(
            q.NETWORK_START, id=party_id, types=type_names, per_node=per_node
        )
        if not records:
            return None
        start = GraphNode.from_row(records[0]["start"])
        walk = _Walk(start, max_nodes)
        walk.add_level(1, [{"eid": start.eid, **records[0]}])
        for level in range(2, min(depth, MAX_DEPTH) + 1):
            if not walk.frontier:
                break
            records = await self.graph.read(
                q.NETWORK_LEVEL, frontier=walk.frontier, types=type_names, per_node=per_node
            )
            walk.add_level(level, records)
        return walk.result()

    async def shortest_paths(
        self, from_id: str, to_id: str, max_hops: int, limit: int
    ) -> list[RawPath] | None:
        """Up to ``limit`` shortest paths of at most ``max_hops`` relationships; None when
        either party does not exist."""
        records = await self.graph.read(
            q.SHORTEST_PATHS[max(1, min(max_hops, MAX_HOPS))],
            from_id=from_id,
            to_id=to_id,
            limit=limit,
        )
        if not records:
            return None
        return [
            RawPath(
                nodes=[GraphNode.from_row(n) for n in record["nodes"]],
                rels=[(r["type"], r["start"]) for r in record["rels"]],
            )
            for record in records
            if record["nodes"] is not None
        ]

    async def complaints_of(self, ids: Sequence[str], first: int) -> dict[str, list[Any]]:
        """Per party, its newest complaints (filed, about it, or about its claims)."""
        records = await self.graph.read(q.COMPLAINTS_OF_PARTIES, ids=list(ids), first=first)
        return {record["pid"]: list(record["complaints"]) for record in records}

    async def complainants(self, complaint_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Per complaint, the party that filed it."""
        records = await self.graph.read(q.COMPLAINANTS, ids=list(complaint_ids))
        return {record["qid"]: dict(record["party"]) for record in records}

    async def complaint_shops(self, complaint_ids: Sequence[str]) -> dict[str, list[Any]]:
        """Per complaint, the repair shops it concerns."""
        records = await self.graph.read(q.COMPLAINT_SHOPS, ids=list(complaint_ids))
        return {record["qid"]: list(record["parties"]) for record in records}

    async def identifiers_of(self, ids: Sequence[str]) -> dict[str, list[Any]]:
        """Per party, its identifiers (masked) and how many parties hold each."""
        records = await self.graph.read(q.IDENTIFIERS_OF_PARTIES, ids=list(ids))
        return {record["pid"]: list(record["identifiers"]) for record in records}
