"""``riskwatch roles``: print which roles may call each GraphQL operation (Markdown)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "roles", help="print the role matrix of every GraphQL operation"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from api.schema import build_schema
    from api.schema.role_matrix import role_matrix_markdown

    print(role_matrix_markdown(build_schema()), end="")
    return 0
