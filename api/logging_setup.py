"""How riskwatch processes log: one format, INFO and above, to stderr.

uvicorn's access log writes each request's path with its query string; a GraphQL GET request
carries its operation and variables there (ID numbers, phones...), so the query string is cut
from access log lines (``DropQueryStrings``). What a refused operation logs is described in
``api.errors``.
"""

from __future__ import annotations

import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class DropQueryStrings(logging.Filter):
    """Cuts the query string from uvicorn's access log records (their third argument is the
    request's path with its query string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, sep, _query = args[2].partition("?")
            if sep:
                record.args = (*args[:2], f"{path}?…", *args[3:])
        return True


def configure_logging() -> None:
    """Set up the root logger (unless this process has done so already) and keep query
    strings out of the access log."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, DropQueryStrings) for f in access.filters):
        access.addFilter(DropQueryStrings())
