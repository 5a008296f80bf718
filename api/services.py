"""The long-lived things the lifespan opens once and closes at shutdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from neo4j import AsyncDriver

from api.key_cache import PrincipalCache
from api.rate_limit import KeyRateLimiter
from api.settings import Settings
from graph.client import Graph
from monitors.feeds.scoring import ScorerLike

if TYPE_CHECKING:
    from api.runtime.crisis import CrisisRuntime


@dataclass
class Services:
    """Built by ``create_app``'s lifespan and shared by every request."""

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
    crisis: CrisisRuntime | None = None
    # The sentiment scorer, loaded once when the media monitor runs inside serve.
    scorer: ScorerLike | None = None
