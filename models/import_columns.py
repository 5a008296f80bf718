"""Reading one column of a raw import record: text, keys, lists, dates, instants, numbers,
flags and enums, each either a typed value or a :class:`RowError` naming the column.

Pure functions, no I/O; ``models.import_format`` builds the record parsers from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, TypeVar

from models.errors import InvalidInput

# Instants written without an offset are China Standard Time, as the source systems write them.
DEFAULT_TZ = timezone(timedelta(hours=8))
MAX_TEXT = 2000
MAX_ITEMS = 1000  # items of one list column (values, or history objects)
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,39}")
T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


class RowError(InvalidInput):
    """One record that cannot be imported: which column, and why."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


def text_value(raw: Mapping[str, Any], column: str) -> str | None:
    """The column as trimmed text (None when absent or empty)."""
    value = raw.get(column)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(column, "expected a text value")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise RowError(column, f"longer than {MAX_TEXT} characters")
    return text or None


def required_text(raw: Mapping[str, Any], column: str) -> str:
    """The column as text; missing is an error."""
    value = text_value(raw, column)
    if value is None:
        raise RowError(column, "missing")
    return value


def key_value(raw: Mapping[str, Any], column: str) -> str:
    """A natural key (letters, digits, ``-`` and ``_``); missing is an error."""
    value = required_text(raw, column)
    if not KEY_PATTERN.fullmatch(value):
        raise RowError(column, f"{value!r} is not a valid key (letters, digits, - and _)")
    return value


def optional_key(raw: Mapping[str, Any], column: str) -> str | None:
    """A natural key, or None when absent."""
    return key_value(raw, column) if text_value(raw, column) is not None else None


def many_values(raw: Mapping[str, Any], column: str, limit: int | None = MAX_ITEMS) -> list[str]:
    """Several values: a JSON list item by item (an item may hold ``;``), or text separated
    by ``;`` (a CSV cell). A list of more than ``limit`` items is an error, not cut short;
    ``None`` for lists the service itself writes without bound (evidence, history), which an
    export must bring back whole (the import's size limit still bounds the row)."""
    value = raw.get(column)
    if isinstance(value, list):
        if limit is not None and len(value) > limit:
            raise RowError(column, f"expected a list of at most {limit} values")
        found = [text_value({column: item}, column) for item in value]
        return [item for item in found if item]
    text = text_value(raw, column)
    return [part.strip() for part in text.split(";") if part.strip()] if text else []


def parsed_value(
    raw: Mapping[str, Any], column: str, parse: Callable[[str], T], expected: str
) -> T | None:
    """The column read by ``parse``; a ValueError names what was ``expected``."""
    value = text_value(raw, column)
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError:
        raise RowError(column, f"unparseable {expected}: {value!r}") from None


def as_instant(value: str) -> datetime:
    """An ISO-8601 instant in UTC; without an offset it is China Standard Time."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=DEFAULT_TZ)
    return parsed.astimezone(UTC)


def date_value(raw: Mapping[str, Any], column: str) -> date | None:
    """An ISO-8601 date, or None when absent."""
    return parsed_value(raw, column, date.fromisoformat, "date (expected YYYY-MM-DD)")


def instant_value(raw: Mapping[str, Any], column: str) -> datetime | None:
    """An ISO-8601 date-time in UTC, or None when absent."""
    expected = "date-time (expected ISO-8601, e.g. 2026-03-01T09:30+08:00)"
    return parsed_value(raw, column, as_instant, expected)


def present(value: T | None, column: str) -> T:
    """The value; None is a missing column."""
    if value is None:
        raise RowError(column, "missing")
    return value


def number_value(raw: Mapping[str, Any], column: str) -> float | None:
    """A finite, non-negative number rounded to cents, or None when absent."""
    value = raw.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowError(column, "expected a number")
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        raise RowError(column, f"not a number: {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")) or number < 0:
        raise RowError(column, "must be a finite, non-negative number")
    return round(number, 2)


_TRUE = {"true", "1", "yes", "y", "t", "是"}
_FALSE = {"false", "0", "no", "n", "f", "否"}


def flag_value(raw: Mapping[str, Any], column: str) -> bool | None:
    """A yes/no flag, or None when absent."""
    value = raw.get(column)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(column, f"expected true or false, not {value!r}")


def choice_value(raw: Mapping[str, Any], column: str, enum: type[E], default: E | None = None) -> E:
    """One of ``enum``'s values, any case; ``default`` when absent (else missing)."""
    value = text_value(raw, column)
    if value is None:
        if default is None:
            raise RowError(column, "missing")
        return default
    try:
        return enum(value.upper())
    except ValueError:
        known = ", ".join(e.value for e in enum)
        raise RowError(column, f"{value!r} is not one of {known}") from None


def key_values(raw: Mapping[str, Any], column: str) -> list[str]:
    """Several natural keys."""
    values = many_values(raw, column)
    for value in values:
        key_value({column: value}, column)
    return values
