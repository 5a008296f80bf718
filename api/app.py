"""``create_app(settings)``: the starlette application and its lifespan.

The lifespan opens the one async Neo4j driver, runs the idempotent schema migrations,
starts background work in a task group and closes everything in reverse order.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from datetime import timedelta

import anyio
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import check_metrics_token, client_address
from api.console import console_routes
from api.demo_feeds import demo_routes
from api.graphql_view import RiskwatchGraphQL, graphql_error_response
from api.key_cache import PrincipalCache
from api.logging_setup import configure_logging
from api.rate_limit import KeyRateLimiter
from api.report_download import report_routes
from api.runtime.crisis import CrisisRuntime, crisis_loops
from api.runtime.rings import scheduled_ring_refresh
from api.runtime.watchlist import scheduled_watchlist_rules
from api.schema import build_schema
from api.services import AppState, Services
from api.settings import Settings, load_settings
from graph.client import Graph, open_driver
from graph.complaints.handling_guides import HandlingGuideRepository
from graph.migrations import migrate
from models.errors import RequestTooLarge, RiskwatchError
from monitors.complaint_deadlines import ComplaintDeadlineMonitor

log = logging.getLogger(__name__)

REQUESTS = Counter("riskwatch_http_requests_total", "HTTP requests", ["path", "status"])
LATENCY = Histogram("riskwatch_http_request_seconds", "HTTP request latency", ["path"])


class BodySizeLimit:
    """Answers 413 to request bodies larger than ``max_bytes``: at once when Content-Length
    says so, else as soon as the chunks read exceed it. The body is read (at most
    ``max_bytes``) before the app runs, so the app never meets a body cut short. A websocket
    message over ``max_bytes`` closes its socket with 1009 (message too big)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _too_big(self, scope: Scope, receive: Receive, send: Send) -> None:
        too_big = RequestTooLarge(f"request body over {self.max_bytes} bytes")
        await graphql_error_response(too_big)(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        closed = False

        async def limited_receive() -> Message:
            nonlocal closed
            message = await receive()
            if message["type"] == "websocket.receive" and not closed:
                text = message.get("text") or ""
                size = len(message.get("bytes") or b"") + len(text.encode("utf-8", "replace"))
                if size > self.max_bytes:
                    closed = True
                    log.info("websocket message of %d bytes refused", size)
                    await send(
                        {
                            "type": "websocket.close",
                            "code": 1009,
                            "reason": f"message over {self.max_bytes} bytes",
                        }
                    )
                    return {"type": "websocket.disconnect", "code": 1009}
            return message

        async def guarded_send(message: Message) -> None:
            if not closed:  # the socket is closed: what the app still sends goes nowhere
                await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_big(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its body
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._too_big(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body: list[Message] = [{"type": "http.request", "body": b"".join(chunks)}]

        async def replay() -> Message:
            return body.pop() if body else await receive()

        await self.app(scope, replay, send)


class RequestMetrics:
    """Counts requests and their latency per route path in Prometheus metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"] if scope["path"] in _KNOWN_PATHS else "other"
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            REQUESTS.labels(path, str(status)).inc()
            LATENCY.labels(path).observe(time.perf_counter() - started)


class _GraphQLEndpoint:
    """Forwards to the GraphQL view the lifespan built (an ASGI app, not a request handler),
    which reaches every request in the lifespan state."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["state"]["graphql"](scope, receive, send)


_KNOWN_PATHS = {"/graphql", "/healthz", "/readyz", "/metrics"}


@asynccontextmanager
async def _media_monitor(
    settings: Settings, graph: Graph, crisis: CrisisRuntime
) -> AsyncIterator[None]:
    """The media monitor loop (issue 6), when RISKWATCH_MONITOR_IN_SERVE is set; the
    sentiment model is loaded here, once, for the loop's lifetime."""
    if not settings.monitor_in_serve:
        yield
        return
    from api.runtime.media import crisis_story_callback, load_scorer, media_monitor

    scorer = await anyio.to_thread.run_sync(load_scorer, settings)
    stop = anyio.Event()
    async with (
        media_monitor(settings, graph, scorer, crisis_story_callback(crisis)) as worker,
        anyio.create_task_group() as group,
    ):
        group.start_soon(worker.run_until, stop)
        try:
            yield
        finally:
            stop.set()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Everything built so far lives as long as the process: keep it out of the cyclic
    collector's full passes, which otherwise pause every request (70-90 ms every ~2 s under
    load); on exit it goes back to the collector, so whatever is left is freed normally."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def create_app(settings: Settings, *, freeze_heap: bool = False) -> Starlette:
    """Build the application; nothing is opened until the lifespan starts. ``freeze_heap``
    (what ``serve`` asks for: the process is the app's alone) freezes the heap once startup
    is complete (:func:`frozen_heap`)."""
    schema = build_schema(
        introspection=settings.graphql_introspection,
        max_depth=settings.max_query_depth,
        max_cost=settings.max_query_cost,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[AppState]:
        driver = open_driver(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_max_pool_size,
        )
        try:
            graph = Graph(driver, settings.neo4j_database, settings.neo4j_query_timeout_s)
            await migrate(graph)
            async with AsyncExitStack() as stack:
                background = await stack.enter_async_context(anyio.create_task_group())
                # Cancelled last, once the loops below have stopped on their own terms (the
                # media monitor finishes its current poll): cancelling this group earlier
                # would cancel their graceful stops too, as they unwind inside its scope.
                stack.callback(background.cancel_scope.cancel)
                # -- complaint desk: default handling guides and the overdue sweep --
                await HandlingGuideRepository(graph).seed_defaults()
                if settings.complaint_sweep_interval_s > 0:
                    deadlines = ComplaintDeadlineMonitor(
                        graph,
                        settings.complaint_sweep_interval_s,
                        due_soon=timedelta(days=settings.complaint_due_soon_days)
                        if settings.complaint_due_soon_days > 0
                        else None,
                    )
                    background.start_soon(deadlines.run_forever)
                # -- watchlist rules on a schedule (off unless the interval is set) --
                await stack.enter_async_context(scheduled_watchlist_rules(graph, settings))
                # -- crisis detection and alert delivery: detector, broker, workers (issue 7) --
                crisis = await stack.enter_async_context(crisis_loops(settings, graph))
                # -- rings on a schedule (off unless the interval is set) --
                await stack.enter_async_context(scheduled_ring_refresh(graph, settings))
                # -- media monitor (issue 6), when RISKWATCH_MONITOR_IN_SERVE is set --
                await stack.enter_async_context(_media_monitor(settings, graph, crisis))
                # Everything the requests share is open: the services, complete, and the view.
                services = Services(
                    settings=settings,
                    driver=driver,
                    graph=graph,
                    rate_limiter=KeyRateLimiter(
                        settings.rate_limit_per_minute, settings.rate_limit_burst
                    ),
                    key_cache=PrincipalCache(settings.auth_cache_s),
                    auth_failure_limiter=KeyRateLimiter(
                        settings.auth_failure_limit_per_minute, settings.auth_failure_burst
                    ),
                    crisis=crisis,
                )
                # No GraphiQL page where introspection is off (production): it could not work.
                ide = "graphiql" if settings.graphql_introspection else None
                view = RiskwatchGraphQL(services, schema=schema, graphql_ide=ide)
                if freeze_heap:
                    stack.enter_context(frozen_heap())
                log.info("riskwatch ready")
                yield {"services": services, "graphql": view}
        finally:
            await driver.close()
            log.info("riskwatch stopped")

    graphql_http = _GraphQLEndpoint()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request[AppState]) -> Response:
        services = request.state["services"]
        if await services.graph.ping():
            return JSONResponse({"status": "ready", "neo4j": "ok"})
        return JSONResponse(
            {"status": "unavailable", "neo4j": "unreachable"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    async def metrics(request: Request[AppState]) -> Response:
        # Business counters (overdue complaints...) are not public: Prometheus sends a token.
        services = request.state["services"]
        try:
            check_metrics_token(
                services, request.headers.get("authorization"), client_address(request.scope)
            )
        except RiskwatchError as error:
            return graphql_error_response(error)
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/graphql", graphql_http, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_http),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            # Complaint reports as CSV/XLSX files (api/report_download.py), same keys.
            *report_routes(),
            # The web console (api/console.py): static files built from console/.
            *console_routes(settings.console_dir),
            # The demo's media as RSS feeds (api/demo_feeds.py), only with RISKWATCH_DEMO=true.
            *demo_routes(settings),
        ],
        middleware=[
            Middleware(RequestMetrics),
            Middleware(BodySizeLimit, max_bytes=settings.max_request_bytes),
        ],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """The app built from the environment's settings: what each ``serve`` worker runs (a
    worker process starts afresh, so it sets up logging as the command line did)."""
    configure_logging()
    return create_app(load_settings(), freeze_heap=True)
