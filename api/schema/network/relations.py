"""The risk team's relationship queries: party, searchParties, network, path, rings."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.network.relations_types import (
    IdentifierKind,
    LeftOut,
    Network,
    NetworkEdge,
    NetworkNode,
    Party,
    PartyKind,
    PartyPath,
    PathHop,
    RelationshipKind,
    Ring,
    RingConnection,
)
from api.schema.pagination import edges_of, page_info_of
from graph.labels import Rel
from graph.network.path_text import clause, explain, sentence
from graph.network.relations import MAX_DEPTH, MAX_HOPS, NETWORK_TYPES, RelationsRepository
from graph.network.rings import RingRepository
from graph.paging import keyset_page
from models.cursors import decode_number_cursor, encode_cursor, page_size
from models.errors import InvalidInput, NotFound
from models.roles import Role

MAX_FIRST = 100
MAX_NETWORK_FIRST = 500
MAX_PATHS = 10
RING_MEMBER_CAP = 50


def _check_first(first: int, most: int = MAX_FIRST) -> int:
    if not 1 <= first <= most:
        raise InvalidInput(f"first must be between 1 and {most}")
    return first


# The order (and cursor kind) of a neighbourhood's nodes: by hops from the start, then id.
NETWORK_ORDER = "NETWORK_LEVEL"


RISK = allow(Role.RISK)


@strawberry.type
class RelationsQuery:
    @strawberry.field(
        permission_classes=RISK, description="A party by id (e.g. customer:C8000001)."
    )
    async def party(self, info: Info[Context, None], id: strawberry.ID) -> Party | None:
        found = await info.context.repo(RelationsRepository).parties([str(id)])
        row = found.get(str(id))
        return Party.from_row(row) if row else None

    @strawberry.field(
        permission_classes=RISK,
        description=(
            "Parties by reference, customer number or any identifier, by name, by words inside "
            "names (汽修, 宏发; traditional script and full width fold) or by pinyin fragments "
            "(qixiu); best first. Any text is a search term."
        ),
    )
    async def search_parties(
        self,
        info: Info[Context, None],
        query: str,
        kinds: list[PartyKind] | None = None,
        first: int = 20,
    ) -> list[Party]:
        if not query.strip():
            raise InvalidInput("say what to search for")
        if len(query) > 200:
            raise InvalidInput("a search is at most 200 characters")
        labels = [PartyKind(kind).value for kind in kinds] if kinds else None
        rows = await info.context.repo(RelationsRepository).search(
            query,
            labels,
            _check_first(first),
            info.context.services.settings.identity_key,
        )
        return [Party.from_row(row) for row in rows]

    @strawberry.field(
        permission_classes=RISK,
        description="A party's neighbourhood up to depth 3, capped and paginated by node.",
    )
    async def network(
        self,
        info: Info[Context, None],
        party_id: strawberry.ID,
        depth: int = 2,
        relationship_kinds: list[RelationshipKind] | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> Network:
        if not 1 <= depth <= MAX_DEPTH:
            raise InvalidInput(f"depth must be between 1 and {MAX_DEPTH}")
        page_size(first, MAX_NETWORK_FIRST)
        start = decode_number_cursor(after, NETWORK_ORDER) if after else None
        settings = info.context.services.settings
        types = (
            [Rel(kind.value) for kind in relationship_kinds]
            if relationship_kinds
            else list(NETWORK_TYPES)
        )
        found = await info.context.repo(RelationsRepository).neighbourhood(
            str(party_id), depth, types, settings.network_fanout, settings.network_max_nodes
        )
        if found is None:
            raise NotFound(f"no party {party_id}")
        # Keyset over (level, id) in the capped neighbourhood, like every other paged list.
        ordered = sorted(found.nodes, key=lambda item: (item[0], item[1].id))
        rest = [item for item in ordered if start is None or (item[0], item[1].id) > start]
        nodes = keyset_page(
            rest, first, lambda item: encode_cursor(NETWORK_ORDER, item[0], item[1].id)
        )
        on_page = {node.id for _, node in nodes.items}
        # The relationships drawn with a page join its nodes to each other and to nodes of
        # earlier pages; a node of a later page brings its own relationships with it.
        shown = {node.id for _, node in ordered[: len(ordered) - len(rest) + len(nodes.items)]}
        relationships = [
            NetworkEdge.from_edge(edge)
            for edge in found.edges
            if edge.start in shown
            and edge.end in shown
            and (edge.start in on_page or edge.end in on_page)
        ]
        return Network(
            edges=edges_of(nodes, lambda item: NetworkNode.from_node(item[1], item[0])),
            page_info=page_info_of(nodes),
            relationships=relationships,
            total_count=len(ordered),
            left_out=LeftOut(
                nodes=found.left_out_nodes,
                edges=found.left_out_edges,
                later_pages=len(rest) - len(nodes.items),
            ),
        )

    @strawberry.field(
        permission_classes=RISK,
        description="Shortest connections between two parties, every hop explained.",
    )
    async def path(
        self,
        info: Info[Context, None],
        from_id: strawberry.ID,
        to_id: strawberry.ID,
        max_hops: int = 4,
        first: int = 3,
    ) -> list[PartyPath]:
        if not 1 <= max_hops <= MAX_HOPS:
            raise InvalidInput(f"maxHops must be between 1 and {MAX_HOPS}")
        if from_id == to_id:
            raise InvalidInput("a path needs two different parties")
        repo = info.context.repo(RelationsRepository)
        paths = await repo.shortest_paths(
            str(from_id), str(to_id), max_hops, _check_first(first, MAX_PATHS)
        )
        if paths is None:
            missing = [p for p in (from_id, to_id) if await repo.party_node(str(p)) is None]
            raise NotFound(f"no party {missing[0] if missing else from_id}")
        results: list[PartyPath] = []
        for raw in paths:
            hops = explain(raw)
            level = {node.eid: i for i, node in enumerate(raw.nodes)}
            results.append(
                PartyPath(
                    length=len(raw.rels),
                    nodes=[NetworkNode.from_node(n, i) for i, n in enumerate(raw.nodes)],
                    hops=[
                        PathHop(
                            source=NetworkNode.from_node(hop.start, level[hop.start.eid]),
                            target=NetworkNode.from_node(hop.end, level[hop.end.eid]),
                            relationship=RelationshipKind(hop.relationship),
                            via=NetworkNode.from_node(hop.via, level[hop.via.eid])
                            if hop.via
                            else None,
                            text=hop.text,
                            text_zh=hop.text_zh,
                            sentence=clause(hop),
                            sentence_zh=clause(hop, chinese=True),
                        )
                        for hop in hops
                    ],
                    explanation=sentence(hops),
                    explanation_zh=sentence(hops, chinese=True),
                )
            )
        return results

    @strawberry.field(
        permission_classes=RISK,
        description="Groups of parties linked through shared identifiers, by risk score.",
    )
    async def rings(
        self,
        info: Info[Context, None],
        identifier_kinds: list[IdentifierKind] | None = None,
        min_size: int = 2,
        first: int = 20,
        after: str | None = None,
    ) -> RingConnection:
        if min_size < 2:
            raise InvalidInput("a ring has at least 2 members")
        kinds = [IdentifierKind(kind).value for kind in identifier_kinds or ()] or None
        repo = info.context.repo(RingRepository)
        page = await repo.page(
            min_size, kinds, first=first, after=after, member_cap=RING_MEMBER_CAP
        )
        return RingConnection(
            edges=edges_of(page, Ring.from_stored),
            page_info=page_info_of(page),
            min_size=min_size,
            kinds=kinds,
        )
