"""graphql-transport-ws with the same checks as HTTP, for as long as the socket stays open.

A socket authenticates once, in ``connection_init``; without more, a key revoked afterwards
kept working on it and its operations skipped the per-key rate limit. Here, before each
operation and before each result sent (a subscription's events included), the key is checked
again through the key cache (so a revocation made elsewhere takes ``RISKWATCH_AUTH_CACHE_S``
at most, one made through this server at once), and the socket is closed with 4403 when the
key no longer authenticates. Each operation takes a token of the key's rate limit; over it,
the operation gets an ``error`` message with code RATE_LIMITED and the socket stays open.
The size limit on messages is applied below the app (``api.app.BodySizeLimit``).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    Message,
    SubscribeMessage,
)

from api.auth import authenticate, client_address
from api.context import Context
from api.rate_limit import RATE_LIMITED
from models.errors import RiskwatchError

if TYPE_CHECKING:
    from api.services import Services

log = logging.getLogger(__name__)

FORBIDDEN = 4403


class GuardedTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """The protocol handler the view uses for graphql-transport-ws sockets."""

    _closing = False

    @property
    def _services(self) -> Services:
        return self.context.services

    async def _still_authenticated(self) -> bool:
        """Check the socket's key again; close the socket with 4403 when it fails."""
        if self._closing:
            return False
        try:
            self.context.principal = await authenticate(
                self._services,
                self.context.credentials,
                client_address(self.context.request.scope),
            )
        except RiskwatchError as error:
            self._closing = True
            log.info("websocket closed: %s", error.message)
            await self.websocket.close(code=FORBIDDEN, reason="Forbidden")
            return False
        return True

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged:
            if not await self._still_authenticated():
                return
            assert self.context.principal is not None
            wait_s = self._services.rate_limiter.acquire(self.context.principal.key_id)
            if wait_s > 0:
                RATE_LIMITED.inc()
                await self.send_message(
                    {
                        "id": message["id"],
                        "type": "error",
                        "payload": [
                            {
                                "message": "too many requests for this key",
                                "extensions": {
                                    "code": "RATE_LIMITED",
                                    "retryAfter": max(1, math.ceil(wait_s)),
                                },
                            }
                        ],
                    }
                )
                return
        await super().handle_subscribe(message)

    async def send_message(self, message: Message) -> None:
        # Results (a subscription's events too) go out only while the key still works.
        if message["type"] == "next" and not await self._still_authenticated():
            return
        if not self._closing:
            await super().send_message(message)
