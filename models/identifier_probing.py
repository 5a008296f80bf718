"""What probing by identifier looks like (issue 19), for every lookup by ID number, phone,
plate or customer number (renewal checks, attention flags).

An outside probe recovered a customer's full phone number in three requests: batches of
candidates that differ only in the masked digits (``133NNNN5506``). The rules here:

- **Failed identifiers are limited.** An identifier that matched no party is a *failure*;
  each API key may send a bounded number of distinct failures per clock hour
  (``RISKWATCH_FAILED_IDENTIFIERS_PER_HOUR``). A request that takes a key over the limit gets
  no answers, and neither does any later lookup of that key in that hour (RATE_LIMITED):
  answering some and not others would itself tell which candidates matched.
- **Enumeration is recognised.** Failures that share one masked form (``133****5506``) are
  candidates for the same hidden digits; when ``RISKWATCH_ENUMERATION_THRESHOLD`` of them
  arrive from one key in an hour, the key is refused for the rest of the hour, and an audit
  event and an ``identifier.enumeration_suspected`` domain event (webhooks, e-mail) say so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FailedIdentifier:
    """An identifier a caller sent that matched no party: its kind, masked form and key."""

    kind: str
    masked: str
    key: str

    @property
    def token(self) -> str:
        """How the failure is stored (no raw value: a masked form and a keyed hash)."""
        return "|".join((self.kind, self.masked, self.key))


def failures_from_tokens(tokens: Iterable[str]) -> list[FailedIdentifier]:
    """Stored failures (:attr:`FailedIdentifier.token`) back as failures."""
    return [FailedIdentifier(*token.split("|", 2)) for token in tokens]


def enumeration_groups(
    failures: Iterable[FailedIdentifier], threshold: int
) -> dict[tuple[str, str], int]:
    """Masked forms shared by at least ``threshold`` distinct failed candidates (candidates
    for the same hidden digits), with how many; customer numbers are never masked."""
    counts = Counter((f.kind, f.masked) for f in set(failures) if f.masked)
    return {group: n for group, n in counts.items() if n >= threshold}


@dataclass(frozen=True)
class ProbeVerdict:
    """What a key's failures in the current hour amount to."""

    failures: int
    limit: int
    enumeration: Mapping[tuple[str, str], int]

    @property
    def refused(self) -> bool:
        return self.failures > self.limit or bool(self.enumeration)
