"""The long-lived things the lifespan opens once and closes at shutdown, and the lifespan
state that carries them to every request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from neo4j import AsyncDriver
from starlette.types import ASGIApp

from api.key_cache import PrincipalCache
from api.rate_limit import KeyRateLimiter
from api.settings import Settings
from graph.client import Graph

if TYPE_CHECKING:
    from api.runtime.crisis import CrisisRuntime


@dataclass(frozen=True)
class Services:
    """Shared by every request; the lifespan builds it once everything it holds is open."""

    settings: Settings
    driver: AsyncDriver
    graph: Graph
    # Per-key request limits; the default (used by tools that build Services) is off.
    rate_limiter: KeyRateLimiter = field(default_factory=lambda: KeyRateLimiter(0, 1))
    # Unknown or revoked keys per client address; the default (for tools) is off.
    auth_failure_limiter: KeyRateLimiter = field(default_factory=lambda: KeyRateLimiter(0, 1))
    # Keys that authenticated in the last few seconds; the default (for tools) remembers none.
    key_cache: PrincipalCache = field(default_factory=lambda: PrincipalCache(0))
    # Crisis detection and delivery (issue 7): the detector, the alert broker, the workers.
    # Tools that run no crisis loops leave it out; the operations needing it answer NOT_FOUND.
    crisis: CrisisRuntime | None = None


class AppState(TypedDict):
    """What the lifespan yields: starlette hands a copy to every request as its state."""

    services: Services
    graphql: ASGIApp
