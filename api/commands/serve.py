"""``riskwatch serve``: run the API under uvicorn, in one process or several.

With ``--workers N`` (or ``RISKWATCH_WORKERS``) N worker processes serve the one port, each
on its own listening socket bound with ``SO_REUSEPORT``, so the kernel spreads new
connections evenly over them (with a single shared socket, as uvicorn's own ``--workers``
does, the busiest worker tends to win every accept and one process ends up with most
clients). Each worker builds its own app from the environment
(``api.app.app_from_environment``): its own driver pool, key cache and rate limiter (limits
are per process), and its own background loops, which coordinate through leases and locks in
Neo4j as separate ``riskwatch deliver`` processes do.

The parent only supervises: SIGTERM to it is passed on to every worker, which stops
gracefully; Ctrl-C in a terminal reaches the workers directly. When a worker exits on its
own, the others are stopped too and ``serve`` exits non-zero, for the process manager
(docker-compose's restart policy, systemd) to start it again.
"""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import socket
from multiprocessing.connection import wait
from types import FrameType
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
    settings = load_settings()
    workers = args.workers or settings.workers
    if workers < 1:
        raise ConfigurationError("--workers must be at least 1")
    if workers > 1 and settings.monitor_in_serve:
        raise ConfigurationError(
            "RISKWATCH_MONITOR_IN_SERVE loads the sentiment model into the API process; with "
            "more than one worker, run `riskwatch monitor` beside the API instead"
        )
    uvicorn_options: dict[str, Any] = {
        "app": "api.app:app_from_environment",
        "factory": True,
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "log_level": settings.log_level.lower(),
        "ws": "websockets-sansio",
        # Frames over the request limit are refused by uvicorn before they are buffered whole
        # (the app refuses larger messages too: api.app.BodySizeLimit).
        "ws_max_size": settings.max_request_bytes,
        "timeout_graceful_shutdown": 20,
    }
    if workers == 1:
        import uvicorn

        uvicorn.run(**uvicorn_options)
        return 0
    return _supervise(uvicorn_options, workers)


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other workers' sockets may share (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(uvicorn_options: dict[str, Any], sock: socket.socket) -> None:
    """One worker process: uvicorn serving on its own socket until told to stop."""
    import uvicorn

    uvicorn.Server(uvicorn.Config(**uvicorn_options)).run(sockets=[sock])


def _supervise(uvicorn_options: dict[str, Any], workers: int) -> int:
    """Start the workers, pass SIGTERM on to them, and wait until they have all stopped."""
    sockets = [
        _listening_socket(uvicorn_options["host"], uvicorn_options["port"]) for _ in range(workers)
    ]
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter each: no forked state
    processes = [
        spawn.Process(target=_worker, args=(uvicorn_options, sock), name=f"riskwatch-worker-{i}")
        for i, sock in enumerate(sockets)
    ]

    stopping: list[int] = []

    def stop_workers(signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        stopping.append(signum)
        for process in processes:
            if process.pid is not None and process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown

    signal.signal(signal.SIGTERM, stop_workers)
    for process in processes:
        process.start()
    # Set after the start: a worker must not inherit the ignored SIGINT (Ctrl-C in a terminal
    # reaches every process of the group, the workers included).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sock in sockets:
        sock.close()  # each worker holds its own copy
    if stopping:  # SIGTERM came while the workers were starting
        stop_workers()
    wait([process.sentinel for process in processes])  # a signal, or a worker that died
    stop_workers()
    for process in processes:
        process.join()
    graceful = (0, -signal.SIGTERM, -signal.SIGINT)
    return 0 if all(process.exitcode in graceful for process in processes) else 1
