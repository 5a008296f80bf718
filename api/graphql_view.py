"""The strawberry ASGI view with authentication in front of every operation.

HTTP: a request without a valid key is answered 401 with a GraphQL-shaped body before any
resolver runs; only the GraphiQL page itself (a browser GET asking for HTML) is served without
one. Websockets (graphql-transport-ws): the key comes in the ``connection_init`` payload as
``{"Authorization": "Bearer <key>"}`` (or the handshake's header); otherwise the socket is
closed with 4403. The key is checked again and rate-limited per operation over the socket
(``api.ws_guard``). Failed authentications are limited per client address (``api.auth``).
Malformed requests get 400 (strawberry's own refusals included), never a 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from api.auth import AuthThrottled, authenticate, client_address
from api.context import Context
from api.rate_limit import RATE_LIMITED, retry_after_header
from api.services import Services
from api.ws_guard import GuardedTransportWS
from graph.access.apikeys import Principal
from models.errors import RateLimited, RequestRefused, RiskwatchError

log = logging.getLogger(__name__)


def graphql_error_response(error: RiskwatchError) -> JSONResponse:
    """A GraphQL-shaped error body with the error's HTTP status."""
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    if error.status == 503:
        headers = {"Retry-After": "5"}
    if isinstance(error, AuthThrottled):
        headers = {"Retry-After": retry_after_header(error.wait_s)}
    return JSONResponse(
        {"data": None, "errors": [{"message": error.message, "extensions": {"code": error.code}}]},
        status_code=error.status,
        headers=headers,
    )


async def admit(services: Services, request: Request[Any]) -> Principal | JSONResponse:
    """The principal of an HTTP request's API key, or the response to send instead: 401 for
    a missing, unknown or revoked key, 429 (with Retry-After) over the key's rate limit."""
    try:
        principal = await authenticate(
            services, request.headers.get("authorization"), client_address(request.scope)
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

    # Keys checked again and rate limits applied per operation over an open socket.
    graphql_transport_ws_handler_class = GuardedTransportWS

    def __init__(self, services: Services, **kwargs: Any) -> None:
        # Only graphql-transport-ws: the legacy graphql-ws protocol is closed with 4406.
        kwargs.setdefault("subscription_protocols", (GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        super().__init__(**kwargs)
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        if not self._is_ide_request(request):
            refused = await self._admit(request)
            if refused is not None:
                await refused(scope, receive, send)
                return
        response: Response
        try:
            response = await self.run(request)
        except HTTPException as refusal:  # strawberry's refusals, GraphQL-shaped
            response = graphql_error_response(RequestRefused(refusal.reason, refusal.status_code))
        except RiskwatchError as error:
            response = graphql_error_response(error)
        await response(scope, receive, send)

    async def _admit(self, request: Request) -> Response | None:
        """Authenticate and rate-limit an HTTP request: None to go on, else the refusal."""
        admitted = await admit(self.services, request)
        if isinstance(admitted, JSONResponse):
            return admitted
        request.scope.setdefault("state", {})["principal"] = admitted
        return None

    def parse_json(self, data: str | bytes) -> Any:
        """The request body (or a GET parameter) as a JSON object; anything else is a 400."""
        try:
            value = json.loads(data)
        except ValueError as error:  # not JSON, or bytes that are not UTF-8
            raise HTTPException(400, "the request body is not JSON in UTF-8") from error
        if not isinstance(value, dict | list):
            raise HTTPException(400, "the request body must be a JSON object")
        return value

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
        context.credentials = header
        try:
            context.principal = await authenticate(
                self.services, header, client_address(context.request.scope)
            )
        except RiskwatchError as error:
            log.info("websocket rejected: %s", error.message)
            raise ConnectionRejectionError from error
        return {"role": context.principal.role.value}

    async def render_graphql_ide(self, request: Request) -> Response:
        return await super().render_graphql_ide(request)
