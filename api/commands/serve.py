"""``riskwatch serve``: run the API under uvicorn."""

from __future__ import annotations

import argparse
from typing import Any

from api.settings import load_settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser("serve", help="run the GraphQL API")
    parser.add_argument("--host", help="bind address (default RISKWATCH_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default RISKWATCH_PORT or 8000)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    settings = load_settings()
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
        ws="websockets-sansio",
        timeout_graceful_shutdown=20,
    )
    return 0
