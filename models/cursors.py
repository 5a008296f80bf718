"""Opaque Relay-style cursors over a ``(sort value, id)`` pair.

A cursor is URL-safe base64 of a small JSON document; clients treat it as opaque. The sort
value is an ISO-8601 instant, so keyset pagination stays stable while rows are added.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from models.errors import InvalidInput

MAX_PAGE_SIZE = 100


def encode_cursor(order: str, value: datetime, node_id: str) -> str:
    """The cursor after the row whose sort value is ``value`` and id ``node_id``."""
    raw = json.dumps({"o": order, "v": value.isoformat(), "id": node_id}, ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii")


def decode_cursor(cursor: str, order: str) -> tuple[datetime, str]:
    """``(value, id)`` of a cursor made by :func:`encode_cursor` for the same ordering."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        value = datetime.fromisoformat(data["v"])
        node_id = data["id"]
        cursor_order = data["o"]
        if value.tzinfo is None:
            raise ValueError("naive instant")
        value = value.astimezone(UTC)
    except (
        ValueError,
        KeyError,
        TypeError,
        OverflowError,
        binascii.Error,
        UnicodeError,
    ) as error:
        raise InvalidInput("the cursor is not one this service issued") from error
    if cursor_order != order or not isinstance(node_id, str):
        raise InvalidInput("the cursor belongs to another ordering; start again without it")
    return value, node_id


def page_size(first: int) -> int:
    """``first`` checked against 1..MAX_PAGE_SIZE."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}")
    return first
