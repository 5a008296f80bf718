"""The one connection shape of every paged field: ``edges { cursor node }`` and ``pageInfo``.

Cursors are opaque keyset cursors (``models.cursors``); repositories return a
``graph.paging.Page`` and the resolvers turn it into a connection here. ``totalCount`` is
offered only where counting is cheap (the subclasses that add it say how); a field that
extends the shape (``RingConnection``, ``Network``) subclasses :class:`Connection`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from graph.paging import Page

T = TypeVar("T")
R = TypeVar("R")


@strawberry.type(description="Where a page sits in its list (paging runs forward only).")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null on an empty page."
    )
    start_cursor: str | None = strawberry.field(description="The cursor of the page's first edge.")
    has_previous_page: bool = strawberry.field(
        default=False,
        description="Always false: lists page forward with `first`/`after` (Relay allows it).",
    )


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def edges_of(page: Page[R], convert: Callable[[R], T]) -> list[Edge[T]]:
    """A page's items converted to their GraphQL type, each with its cursor."""
    return [
        Edge(cursor=cursor, node=convert(item))
        for item, cursor in zip(page.items, page.cursors, strict=True)
    ]


def page_info_of(page: Page[R]) -> PageInfo:
    """The ``pageInfo`` of a repository page."""
    return PageInfo(
        has_next_page=page.has_next,
        end_cursor=page.cursors[-1] if page.cursors else None,
        start_cursor=page.cursors[0] if page.cursors else None,
    )


def connection(page: Page[R], convert: Callable[[R], T]) -> Connection[T]:
    """A connection from a repository page, each item converted to its GraphQL type."""
    return Connection(edges=edges_of(page, convert), page_info=page_info_of(page))
