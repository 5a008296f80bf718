"""Access log lines keep the path, never the query string (GraphQL GETs carry variables)."""

from __future__ import annotations

import logging

from api.logging_setup import DropQueryStrings, configure_logging


def test_query_strings_are_cut_from_access_log_lines() -> None:
    path = "/graphql?query=%7Bx%7D&variables=%7B%22p%22%3A13812345678%7D"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert DropQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /graphql?… HTTP/1.1" 200'


def test_configure_logging_installs_the_filter_once() -> None:
    configure_logging()
    configure_logging()
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, DropQueryStrings) for f in access.filters) == 1
