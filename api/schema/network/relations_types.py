"""GraphQL types of the risk team's relationship queries, and the DataLoaders behind their
nested fields (one statement per batch, however many parties or complaints a page holds)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.context import Context
from api.schema.pagination import Connection
from graph.labels import Label, Rel
from graph.network.relations import GraphEdge, GraphNode, RelationsRepository
from graph.network.rings import RingRepository, ScorePart, SharedIdentifier, StoredRing

# Re-exported: schema modules import these from here, so their registration below has run.
from models.identity import IdentifierKind as IdentifierKind
from models.records import PartyKind as PartyKind

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(PartyKind, name="PartyKind")
strawberry.enum(IdentifierKind, name="IdentifierKind")

MAX_NESTED_FIRST = 100


@strawberry.enum(description="Relationship types a neighbourhood may follow.")
class RelationshipKind(Enum):
    HAS_ID = Rel.HAS_ID.value
    HOLDS = Rel.HOLDS.value
    HAS_CLAIM = Rel.HAS_CLAIM.value
    REPAIRED_AT = Rel.REPAIRED_AT.value
    ASSESSED_BY = Rel.ASSESSED_BY.value
    SOLD_BY = Rel.SOLD_BY.value
    SOLD_VIA = Rel.SOLD_VIA.value
    FILED = Rel.FILED.value
    ABOUT = Rel.ABOUT.value
    IN_RING = Rel.IN_RING.value


@strawberry.enum(description="What a node of a neighbourhood or path is.")
class NodeKind(Enum):
    CUSTOMER = "Customer"
    REPAIR_SHOP = "RepairShop"
    AGENT = "Agent"
    BROKER = "Broker"
    DEALER = "Dealer"
    ADJUSTER = "Adjuster"
    IDENTIFIER = "Identifier"
    POLICY = "Policy"
    CLAIM = "Claim"
    COMPLAINT = "Complaint"
    RING = "Ring"
    OTHER = "Other"


_NODE_KINDS = {kind.value: kind for kind in NodeKind}


def node_kind(labels: Sequence[str]) -> NodeKind:
    """The most specific kind a node's labels name."""
    for label in labels:
        if label != Label.PARTY and label in _NODE_KINDS:
            return _NODE_KINDS[label]
    return NodeKind.OTHER


_PARTY_KINDS = {kind.value: kind for kind in PartyKind}


def _party_kind(labels: Sequence[str]) -> PartyKind:
    for label in labels:
        if label in _PARTY_KINDS:
            return _PARTY_KINDS[label]
    return PartyKind.CUSTOMER


def _nested_first(first: int) -> int:
    return max(1, min(first, MAX_NESTED_FIRST))


# -- DataLoaders (one per request, via info.context.loader) ------------------------------------


def _complaints_loader(info: Info[Context, None]) -> DataLoader[tuple[str, int], list[Any]]:
    repo = info.context.repo(RelationsRepository)

    async def load(keys: Sequence[tuple[str, int]]) -> list[list[Any]]:
        by_first: dict[int, dict[str, list[Any]]] = {}
        for first in {first for _, first in keys}:
            ids = [pid for pid, f in keys if f == first]
            by_first[first] = await repo.complaints_of(ids, first)
        return [by_first[first].get(pid, []) for pid, first in keys]

    return info.context.loader("relations.complaints", lambda: DataLoader(load_fn=load))


def _batched(
    info: Info[Context, None], name: str, fetch: Any, default: Any
) -> DataLoader[str, Any]:
    async def load(keys: Sequence[str]) -> list[Any]:
        found: Mapping[str, Any] = await fetch(list(keys))
        return [found.get(key, default) for key in keys]

    return info.context.loader(name, lambda: DataLoader(load_fn=load))


# -- types ---------------------------------------------------------------------------------------


@strawberry.type(description="An identifier, shown only masked.")
class MaskedIdentifier:
    id: strawberry.ID
    kind: IdentifierKind
    masked: str
    parties: int = strawberry.field(description="How many parties hold it.")

    @classmethod
    def from_shared(cls, ident: SharedIdentifier) -> MaskedIdentifier:
        return cls(
            id=strawberry.ID(ident.id),
            kind=IdentifierKind(ident.kind),
            masked=ident.masked,
            parties=ident.parties,
        )


@strawberry.type(description="A customer, repair shop, agent, broker, dealer or adjuster.")
class Party:
    id: strawberry.ID
    kind: PartyKind
    ref: str
    name: str
    city: str | None
    customer_no: str | None
    id_masked: str | None
    phone_masked: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Party:
        return cls(
            id=strawberry.ID(row["id"]),
            kind=_party_kind(row.get("labels") or ()),
            ref=row.get("ref") or "",
            name=row.get("name") or "",
            city=row.get("city"),
            customer_no=row.get("customer_no"),
            id_masked=row.get("id_masked"),
            phone_masked=row.get("phone_masked"),
        )

    @strawberry.field(description="Its identifiers, masked.")
    async def identifiers(self, info: Info[Context, None]) -> list[MaskedIdentifier]:
        repo = info.context.repo(RelationsRepository)
        rows = await _batched(info, "relations.identifiers", repo.identifiers_of, []).load(
            str(self.id)
        )
        return [
            MaskedIdentifier(
                id=strawberry.ID(r["id"]),
                kind=IdentifierKind(r["kind"]),
                masked=r["masked"],
                parties=r["parties"],
            )
            for r in rows
        ]

    @strawberry.field(
        description="Complaints it filed, about it, or about claims it repaired or assessed."
    )
    async def complaints(self, info: Info[Context, None], first: int = 20) -> list[ComplaintRef]:
        rows = await _complaints_loader(info).load((str(self.id), _nested_first(first)))
        return [ComplaintRef.from_row(row) for row in rows]

    @strawberry.field(description="The rings it belongs to.")
    async def rings(self, info: Info[Context, None]) -> list[Ring]:
        repo = info.context.repo(RingRepository)
        stored = await _batched(info, "relations.rings", repo.rings_of, []).load(str(self.id))
        return [Ring.from_stored(ring) for ring in stored]


@strawberry.type(description="A complaint as seen from a party (the complaint desk owns more).")
class ComplaintRef:
    id: strawberry.ID
    complaint_no: str
    channel: str
    category: str
    status: str
    received_at: datetime
    summary: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ComplaintRef:
        received = row["received_at"]
        return cls(
            id=strawberry.ID(row["id"]),
            complaint_no=row["complaint_no"],
            channel=row["channel"],
            category=row["category"],
            status=row["status"],
            received_at=received.to_native() if hasattr(received, "to_native") else received,
            summary=row.get("summary"),
        )

    @strawberry.field(description="Who filed it.")
    async def complainant(self, info: Info[Context, None]) -> Party | None:
        repo = info.context.repo(RelationsRepository)
        row = await _batched(info, "relations.complainants", repo.complainants, None).load(
            str(self.id)
        )
        return Party.from_row(row) if row else None

    @strawberry.field(description="Repair shops it names or whose repair it is about.")
    async def shops(self, info: Info[Context, None]) -> list[Party]:
        repo = info.context.repo(RelationsRepository)
        rows = await _batched(info, "relations.shops", repo.complaint_shops, []).load(str(self.id))
        return [Party.from_row(row) for row in rows]


@strawberry.type(description="One term of a score: what was counted and the points it gave.")
class ScoreTerm:
    factor: str
    value: float
    points: float

    @classmethod
    def from_part(cls, part: ScorePart) -> ScoreTerm:
        return cls(factor=part.factor, value=part.value, points=part.points)


@strawberry.type(description="Parties linked through identifiers they share.")
class Ring:
    id: strawberry.ID
    size: int
    score: float
    complaints: int
    flagged_claims: int
    claims: int
    shared_identifiers: list[MaskedIdentifier]
    score_terms: list[ScoreTerm]
    members: list[Party] = strawberry.field(description="The first members by id (see size).")

    @classmethod
    def from_stored(cls, ring: StoredRing) -> Ring:
        return cls(
            id=strawberry.ID(ring.id),
            size=ring.size,
            score=ring.score,
            complaints=ring.complaints,
            flagged_claims=ring.flagged_claims,
            claims=ring.claims,
            shared_identifiers=[MaskedIdentifier.from_shared(i) for i in ring.identifiers],
            score_terms=[ScoreTerm.from_part(p) for p in ring.score_parts],
            members=[Party.from_row(m) for m in ring.members],
        )


@strawberry.type(description="Rings by score, highest first, one page at a time.")
class RingConnection(Connection[Ring]):
    min_size: strawberry.Private[int]
    kinds: strawberry.Private[list[str] | None]

    @strawberry.field(description="How many rings match the filters (one more statement).")
    async def total_count(self, info: Info[Context, None]) -> int:
        return await info.context.repo(RingRepository).count(self.min_size, self.kinds)


@strawberry.type(description="A node of a neighbourhood or path.")
class NetworkNode:
    id: strawberry.ID
    kind: NodeKind
    label: str = strawberry.field(description="Name and reference, masked value or number.")
    level: int = strawberry.field(description="Hops from the start.")
    masked: str | None = None
    identifier_kind: IdentifierKind | None = None
    status: str | None = None
    fraud_flag: bool | None = None

    @classmethod
    def from_node(cls, node: GraphNode, level: int) -> NetworkNode:
        kind = node_kind(node.labels)
        return cls(
            id=strawberry.ID(node.id),
            kind=kind,
            label=node.display,
            level=level,
            masked=node.masked,
            identifier_kind=IdentifierKind(node.kind)
            if kind is NodeKind.IDENTIFIER and node.kind
            else None,
            status=node.status,
            fraud_flag=node.fraud_flag,
        )


@strawberry.type(description="A typed, directed relationship between two nodes.")
class NetworkEdge:
    kind: RelationshipKind
    source: strawberry.ID
    target: strawberry.ID

    @classmethod
    def from_edge(cls, edge: GraphEdge) -> NetworkEdge:
        return cls(
            kind=RelationshipKind(edge.type),
            source=strawberry.ID(edge.start),
            target=strawberry.ID(edge.end),
        )


@strawberry.type(description="What a capped neighbourhood did not return.")
class LeftOut:
    nodes: int = strawberry.field(description="Nodes reached but beyond the node cap.")
    edges: int = strawberry.field(description="Relationships not followed (caps).")
    later_pages: int = strawberry.field(description="Nodes on later pages of this result.")


@strawberry.type(
    description="A party's neighbourhood, ready to draw: its nodes paged as edges (by hops "
    "from the start, then id), with the relationships that join each page to the ones before."
)
class Network(Connection[NetworkNode]):
    relationships: list[NetworkEdge] = strawberry.field(
        description="Relationships between this page's nodes and nodes of this or earlier pages."
    )
    total_count: int = strawberry.field(description="Nodes in the capped neighbourhood.")
    left_out: LeftOut


@strawberry.type(description="One explained step of a path.")
class PathHop:
    source: NetworkNode
    target: NetworkNode
    relationship: RelationshipKind
    via: NetworkNode | None = strawberry.field(description="The identifier both share.")
    text: str = strawberry.field(description='e.g. "shares phone 139****7766 with".')
    text_zh: str
    sentence: str
    sentence_zh: str


@strawberry.type(description="A shortest connection between two parties.")
class PartyPath:
    length: int = strawberry.field(description="Relationships on the path.")
    nodes: list[NetworkNode]
    hops: list[PathHop]
    explanation: str
    explanation_zh: str
