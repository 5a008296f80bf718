"""``riskwatch serve``: run the API under uvicorn, in one process or several.

With ``--workers N`` (or ``RISKWATCH_WORKERS``) uvicorn starts N processes that share the
listening socket; the kernel hands each new connection to one of them. Each worker builds its
own app from the environment (``api.app.app_from_environment``): its own driver pool, key
cache and rate limiter (limits are per process), and its own background loops, which
coordinate through leases and locks in Neo4j as separate ``riskwatch deliver`` processes do.
"""

from __future__ import annotations

import argparse
from typing import Any

from api.settings import load_settings
from models.errors import ConfigurationError


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser("serve", help="run the GraphQL API")
    parser.add_argument("--host", help="bind address (default RISKWATCH_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default RISKWATCH_PORT or 8000)")
    parser.add_argument(
        "--workers", type=int, help="API processes on the port (default RISKWATCH_WORKERS or 1)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()
    workers = args.workers or settings.workers
    if workers < 1:
        raise ConfigurationError("--workers must be at least 1")
    if workers > 1 and settings.monitor_in_serve:
        raise ConfigurationError(
            "RISKWATCH_MONITOR_IN_SERVE loads the sentiment model into the API process; with "
            "more than one worker, run `riskwatch monitor` beside the API instead"
        )
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        workers=workers,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
        ws="websockets-sansio",
        timeout_graceful_shutdown=20,
    )
    return 0
