"""The query cost estimate grows with pages, depth and nesting."""

from __future__ import annotations

from graphql import parse

from api.query_cost import estimate_cost
from api.schema import build_schema

SCHEMA = build_schema()._schema


def _cost(query: str, variables: dict[str, object] | None = None) -> int:
    return estimate_cost(SCHEMA, parse(query), variables, None)


def test_scalars_are_free_and_pages_multiply() -> None:
    assert _cost("{ viewer { name } }") == 1
    one = _cost('{ searchParties(query: "x", first: 1) { complaints(first: 10) { id } } }')
    ten = _cost('{ searchParties(query: "x", first: 10) { complaints(first: 10) { id } } }')
    assert (one, ten) == (1 + 10, 10 + 100)


def test_depth_and_variables_count() -> None:
    query = """query ($d: Int!) {
      network(partyId: "x", depth: $d, first: 100) { edges { cursor node { id } } }
    }"""
    assert _cost(query, {"d": 1}) == 100 + 100
    assert _cost(query, {"d": 3}) == 300 + 300


def test_an_edge_and_its_node_count_once() -> None:
    # rings 10, edges 10 (capped by first), node nothing more, members 5 per ring.
    nodes = "{ rings(first: 10) { edges { node { id members { id } } } } }"
    assert _cost(nodes) == 10 + 10 + 50
    assert _cost("{ watchlist(first: 10) { edges { cursor } pageInfo { endCursor } } }") == (
        10 + 10 + 10
    )


def test_fragments_and_unbounded_lists_are_counted() -> None:
    query = """
    query { party(id: "x") { ...P } }
    fragment P on Party { rings { members { id } } }
    """
    # party 1, rings 5 (no first: default list size), members 5 per ring.
    assert _cost(query) == 1 + 5 + 25
