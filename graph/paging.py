"""Keyset pages as repositories return them: the items, a cursor per item, and whether more
follow. Every paged read fetches ``first + 1`` rows in its order (``WHERE`` strictly after the
cursor's ``(sort value, id)``, ``ORDER BY`` the same pair, ``LIMIT $limit``); the extra row
only says that another page exists. Cursors are made by ``models.cursors``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list: items with their cursors."""

    items: list[T]
    cursors: list[str]
    has_next: bool


def keyset_page(fetched: Sequence[T], limit: int, cursor_of: Callable[[T], str]) -> Page[T]:
    """The page in ``fetched`` (up to ``limit + 1`` rows read in page order): its first
    ``limit`` rows with their cursors, and whether the extra row came back."""
    items = list(fetched[:limit])
    return Page(
        items=items, cursors=[cursor_of(item) for item in items], has_next=len(fetched) > limit
    )
