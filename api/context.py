"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.websockets import WebSocket

from api.services import Services
from graph.access.apikeys import Principal
from graph.client import Graph

R = TypeVar("R")


@dataclass
class Context:
    """What a resolver may use: the app's services, the caller, and per-request caches.

    Repositories and DataLoaders are created on first use and live for this request only
    (``repo`` and ``loader``), so a nested field never reuses another request's cache.
    """

    services: Services
    request: Request | WebSocket
    principal: Principal | None
    connection_params: dict[str, Any] | None = None
    # The Authorization header a websocket authenticated with, checked again per operation.
    credentials: str | None = None
    _cache: dict[object, Any] = field(default_factory=dict)

    @property
    def actor(self) -> str:
        """Who is acting, for audit trails: the key's name ("unknown" without a principal)."""
        return self.principal.name if self.principal else "unknown"

    @property
    def graph(self) -> Graph:
        """The shared Neo4j access object."""
        return self.services.graph

    def repo(self, factory: Callable[[Graph], R]) -> R:
        """The request's instance of a repository class that takes a ``Graph``."""
        if factory not in self._cache:
            self._cache[factory] = factory(self.services.graph)
        instance: R = self._cache[factory]
        return instance

    def loader(self, key: str, factory: Callable[[], R]) -> R:
        """The request's DataLoader named ``key``, created by ``factory`` on first use."""
        if key not in self._cache:
            self._cache[key] = factory()
        instance: R = self._cache[key]
        return instance
