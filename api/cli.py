"""The ``riskwatch`` command: the composition root that wires settings, driver and app.

Each subcommand lives in ``api/commands/<name>.py`` with ``register(subparsers)``, which adds
its parser and sets ``handler`` to a function ``(args) -> int``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from api.commands import (
    apikey,
    deliver,
    export,
    import_records,
    migrate,
    monitor,
    rings,
    roles,
    score,
    seed_demo,
    sentiment,
    serve,
    watchlist,
)
from api.logging_setup import configure_logging
from models.errors import RiskwatchError

COMMANDS = (
    serve,
    migrate,
    apikey,
    seed_demo,
    roles,
    watchlist,
    deliver,
    rings,
    import_records,
    export,
    monitor,
    score,
    sentiment,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="riskwatch", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    configure_logging()
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except RiskwatchError as error:
        print(f"riskwatch: {error.message}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
