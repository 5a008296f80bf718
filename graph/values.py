"""Values every repository shares: driver values made plain Python, instants in UTC, and rows
cut into batches (the page a keyset-paginated list returns is ``graph.paging.Page``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")


def native(value: Any) -> Any:
    """A driver value as plain Python: Neo4j temporal types become ``datetime``/``date``,
    also inside lists and maps; other values are unchanged."""
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        return to_native()
    if isinstance(value, list):
        return [native(v) for v in value]
    if isinstance(value, dict):
        return {k: native(v) for k, v in value.items()}
    return value


def native_rows(records: Sequence[Any], key: str) -> list[dict[str, Any]]:
    """The map in column ``key`` of each record, with native values."""
    return [native(dict(record[key])) for record in records if record[key] is not None]


def utc(instant: datetime) -> datetime:
    """An aware instant in UTC (what the graph stores, so equal instants compare equal)."""
    return instant.astimezone(UTC)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items (``itertools.batched`` from Python 3.12)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
