"""Opaque keyset cursors over a ``(sort value, id)`` pair: the one cursor format of the API.

A cursor is URL-safe base64 of a small JSON document naming the ordering it belongs to, the
sort value of the last row a client saw and that row's unique id (the tie-breaker). Clients
treat it as opaque. Reading the next page asks for rows strictly after that pair, so a page
stays where it was while rows are added before or after it: no row is shown twice and none
that existed is skipped. A cursor that is not one of ours, or that belongs to another
ordering, is an :class:`InvalidInput` (``BAD_USER_INPUT``), never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from models.errors import InvalidInput

MAX_PAGE_SIZE = 100

NOT_OURS = "the cursor is not one this service issued"


def encode_cursor(order: str, value: datetime | float | str, node_id: str) -> str:
    """The cursor after the row whose sort value is ``value`` and id ``node_id``."""
    sort_value = value.isoformat() if isinstance(value, datetime) else value
    raw = json.dumps({"o": order, "v": sort_value, "id": node_id}, ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii")


def _payload(cursor: str, order: str) -> tuple[object, str]:
    """The raw sort value and id of a cursor issued for ``order``."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        value, node_id, cursor_order = data["v"], data["id"], data["o"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError) as error:
        raise InvalidInput(NOT_OURS) from error
    if cursor_order != order:
        raise InvalidInput("the cursor belongs to another ordering or list; start again without it")
    if not isinstance(node_id, str):
        raise InvalidInput(NOT_OURS)
    return value, node_id


def decode_cursor(cursor: str, order: str) -> tuple[datetime, str]:
    """``(instant, id)`` of a cursor made by :func:`encode_cursor` for a time ordering."""
    value, node_id = _payload(cursor, order)
    try:
        if not isinstance(value, str):
            raise TypeError("not an instant")
        instant = datetime.fromisoformat(value)
        if instant.tzinfo is None:
            raise ValueError("naive instant")
        return instant.astimezone(UTC), node_id
    except (ValueError, TypeError, OverflowError) as error:
        raise InvalidInput(NOT_OURS) from error


def decode_number_cursor(cursor: str, order: str) -> tuple[float, str]:
    """``(number, id)`` of a cursor made by :func:`encode_cursor` for a numeric ordering."""
    value, node_id = _payload(cursor, order)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(NOT_OURS)
    return float(value), node_id


def decode_id_cursor(cursor: str, order: str) -> str:
    """The id of a cursor for an ordering by id alone (its sort value is the id)."""
    value, node_id = _payload(cursor, order)
    if value != node_id:
        raise InvalidInput(NOT_OURS)
    return node_id


def page_size(first: int, most: int = MAX_PAGE_SIZE) -> int:
    """``first`` checked against 1..``most``."""
    if not 1 <= first <= most:
        raise InvalidInput(f"first must be between 1 and {most}")
    return first
