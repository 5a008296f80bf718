"""How riskwatch processes log: one format, INFO and above, to stderr."""

from __future__ import annotations

import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging() -> None:
    """Set up the root logger, unless this process has done so already (a no-op then)."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
