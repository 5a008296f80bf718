"""The strawberry ASGI view with authentication in front of every operation.

HTTP: a request without a valid key is answered 401 with a GraphQL-shaped body before any
resolver runs; only the GraphiQL page itself (a browser GET asking for HTML) is served without
one. Websockets (graphql-transport-ws): the key comes in the ``connection_init`` payload as
``{"Authorization": "Bearer <key>"}`` (or the handshake's header); otherwise the socket is
closed with 4403.
"""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import Counter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from api.auth import authenticate
from api.context import Context
from api.rate_limit import retry_after_header
from api.services import Services
from graph.apikeys import Principal
from models.errors import RateLimited, RiskwatchError

log = logging.getLogger(__name__)

RATE_LIMITED = Counter("riskwatch_rate_limited_total", "Requests refused by the per-key limit")


def graphql_error_response(error: RiskwatchError) -> JSONResponse:
    """A GraphQL-shaped error body with the error's HTTP status."""
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    if error.status == 503:
        headers = {"Retry-After": "5"}
    return JSONResponse(
        {"data": None, "errors": [{"message": error.message, "extensions": {"code": error.code}}]},
        status_code=error.status,
        headers=headers,
    )


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "unknown"


async def admit(services: Services, request: Request) -> Principal | JSONResponse:
    """The principal of an HTTP request's API key, or the response to send instead: 401 for
    a missing, unknown or revoked key, 429 (with Retry-After) over the key's rate limit."""
    try:
        principal = await authenticate(
            services, request.headers.get("authorization"), _client(request.scope)
        )
    except RiskwatchError as error:
        return graphql_error_response(error)
    wait_s = services.rate_limiter.acquire(principal.key_id)
    if wait_s > 0:
        RATE_LIMITED.inc()
        response = graphql_error_response(RateLimited("too many requests for this key"))
        response.headers["Retry-After"] = retry_after_header(wait_s)
        return response
    return principal


class RiskwatchGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP and websockets, authenticated with API keys."""

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._is_ide_request(Request(scope)):
            admitted = await admit(self.services, Request(scope, receive))
            if isinstance(admitted, JSONResponse):
                await admitted(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = admitted
        await super().__call__(scope, receive, send)

    def _is_ide_request(self, request: Request) -> bool:
        return (
            request.method == "GET"
            and self.graphql_ide is not None
            and "text/html" in request.headers.get("accept", "")
            and "query" not in request.query_params
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        principal = request.scope.get("state", {}).get("principal")
        return Context(services=self.services, request=request, principal=principal)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if not isinstance(header, str):
            header = context.request.headers.get("authorization")
        try:
            context.principal = await authenticate(
                self.services, header, _client(context.request.scope)
            )
        except RiskwatchError as error:
            log.info("websocket rejected: %s", error.message)
            raise ConnectionRejectionError from error
        return {"role": context.principal.role.value}

    async def render_graphql_ide(self, request: Request) -> Response:
        return await super().render_graphql_ide(request)
