"""The long-lived things the lifespan opens once and closes at shutdown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from neo4j import AsyncDriver

from api.rate_limit import KeyRateLimiter
from api.settings import Settings
from graph.client import Graph

if TYPE_CHECKING:
    from api.crisis_runtime import CrisisRuntime


@dataclass
class Services:
    """Built by ``create_app``'s lifespan and shared by every request."""

    settings: Settings
    driver: AsyncDriver
    graph: Graph
    rate_limiter: KeyRateLimiter
    # Crisis detection and delivery (issue 7): the detector, the alert broker, the workers.
    crisis: CrisisRuntime | None = None
