"""A short-lived, in-process memory of authenticated API keys.

Every request presents a key; looking it up in Neo4j costs a round trip per request. A key
that authenticated a moment ago is remembered for ``ttl_s`` seconds (by its SHA-256, never the
key itself), so a revocation made in another process (``riskwatch apikey revoke``, another API
server) takes effect within that time; one made through this server's ``revokeApiKey`` clears
the memory at once. Unknown and revoked keys are never remembered, so a new key works at once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from graph.access.apikeys import Principal


class PrincipalCache:
    """Remembers up to ``max_keys`` principals for ``ttl_s`` seconds each (0 = off)."""

    def __init__(
        self, ttl_s: float, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, key_hash: str) -> Principal | None:
        """The principal remembered for this key hash, if still fresh."""
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        expires, principal = entry
        if self.clock() >= expires:
            del self._entries[key_hash]
            return None
        return principal

    def put(self, key_hash: str, principal: Principal) -> None:
        """Remember a key that just authenticated (the oldest is forgotten when full)."""
        if self.ttl_s <= 0:
            return
        self._entries[key_hash] = (self.clock() + self.ttl_s, principal)
        self._entries.move_to_end(key_hash)
        while len(self._entries) > self.max_keys:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every key (after a revocation through this process)."""
        self._entries.clear()
