"""Authentication (API keys in ``Authorization: Bearer``) and role checks for resolvers."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from prometheus_client import Counter
from starlette.types import Scope
from strawberry.permission import BasePermission
from strawberry.types import Info

from api.services import Services
from graph.access.apikeys import ApiKeyRepository, Principal, hash_key
from models.errors import AuthenticationError, NotFound, RateLimited
from models.roles import Role

log = logging.getLogger(__name__)

AUTH_FAILURES = Counter("riskwatch_auth_failures_total", "Rejected credentials", ["reason"])


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(services: Services, header: str | None, client: str) -> Principal:
    """The principal behind an Authorization header, or AuthenticationError; RateLimited for
    a client address (``client``, no port) that presented too many unknown keys lately."""
    token = bearer_token(header)
    if token is None:
        AUTH_FAILURES.labels("missing").inc()
        raise AuthenticationError("an API key is required: send 'Authorization: Bearer <key>'")
    key_hash = hash_key(token)
    principal = services.key_cache.get(key_hash)
    if principal is not None:
        return principal
    wait_s = services.auth_failure_limiter.wait(client)
    if wait_s > 0:  # guessing keys: refused without looking the key up
        AUTH_FAILURES.labels("throttled").inc()
        raise AuthThrottled(wait_s)
    principal = await ApiKeyRepository(services.graph).authenticate_hash(key_hash)
    if principal is None:
        AUTH_FAILURES.labels("invalid").inc()
        services.auth_failure_limiter.acquire(client)
        log.warning("rejected an unknown or revoked API key from %s", client)
        raise AuthenticationError("the API key is unknown or revoked")
    services.key_cache.put(key_hash, principal)
    return principal


def check_metrics_token(services: Services, header: str | None, client: str) -> None:
    """Pass when ``header`` carries ``RISKWATCH_METRICS_TOKEN``: NotFound while no token is
    configured, AuthenticationError for a wrong one (counted against the client address like
    an unknown key), AuthThrottled for an address over that limit."""
    expected = services.settings.metrics_token.get_secret_value()
    if not expected:
        raise NotFound("/metrics is off: set RISKWATCH_METRICS_TOKEN to turn it on")
    wait_s = services.auth_failure_limiter.wait(client)
    if wait_s > 0:
        AUTH_FAILURES.labels("throttled").inc()
        raise AuthThrottled(wait_s)
    presented = bearer_token(header) or ""
    if not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
        AUTH_FAILURES.labels("metrics").inc()
        services.auth_failure_limiter.acquire(client)
        raise AuthenticationError("/metrics needs 'Authorization: Bearer <metrics token>'")


class AuthThrottled(RateLimited):
    """Too many unknown or revoked keys from this client address; retry after ``wait_s``."""

    def __init__(self, wait_s: float) -> None:
        super().__init__("too many failed authentications from this address; retry later")
        self.wait_s = wait_s


def client_address(scope: Scope) -> str:
    """The caller's address without the port (the proxy's, unless uvicorn is told to trust
    its forwarded headers: docs/operations.md)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RolePermission(BasePermission):
    """Allows the roles in ``roles`` (admins always). Subclassed per field by :func:`allow`."""

    roles: frozenset[Role] = frozenset()
    message = "your role may not perform this operation"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (declared by BasePermission)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal: Principal | None = info.context.principal
        return principal is not None and (
            principal.role is Role.ADMIN or principal.role in self.roles
        )


def allow(*roles: Role) -> list[type[BasePermission]]:
    """``permission_classes`` for a field that these roles (and admins) may call."""
    allowed = frozenset(roles) | {Role.ADMIN}
    name = "Allow_" + "_".join(sorted(role.value for role in allowed))
    permission = type(name, (RolePermission,), {"roles": allowed})
    return [permission]
