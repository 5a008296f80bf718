"""The guard of lookups by identifier (renewal checks, attention flags) against probing:
refuse keys that are over their hour's limit of identifiers matching nobody, or that
enumerate, before and after a lookup (models.identifier_probing says why;
graph.access.identifier_probes keeps the counts in Neo4j)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from prometheus_client import Counter

from api.context import Context
from graph.access.identifier_probes import IdentifierProbeRepository
from models.errors import RateLimited
from models.identifier_probing import FailedIdentifier
from models.identity import IdentifierKind, make_identifier

PROBING_REFUSED = Counter(
    "riskwatch_probing_refused_total", "Lookups by identifier refused as probing"
)

_SENT_KINDS = {
    "idNumber": IdentifierKind.ID_CARD,
    "phone": IdentifierKind.PHONE,
    "plate": IdentifierKind.PLATE,
}


class ProbingRefused(RateLimited):
    """The key sent too many identifiers that matched nobody this hour, or enumerated."""

    def __init__(self) -> None:
        super().__init__(
            "this key sent too many identifiers that match nobody this hour; lookups by "
            "identifier are refused until the hour is over (ask an administrator if this is "
            "wrong)"
        )


def failed_identifiers(
    secret: bytes, fields: Mapping[str, str | None], matched: Iterable[str]
) -> list[FailedIdentifier]:
    """The identifiers of one (valid) identity that matched no party, given the input fields
    that matched some party (``idNumber``, ``phone``, ``plate``, ``customerNo``)."""
    matched_fields = set(matched)
    failed = []
    for field, kind in _SENT_KINDS.items():
        raw = (fields.get(field) or "").strip()
        if raw and field not in matched_fields:
            ident = make_identifier(secret, kind, raw)
            failed.append(FailedIdentifier(kind.value, ident.masked, ident.key))
    customer_no = (fields.get("customerNo") or "").strip()
    if customer_no and "customerNo" not in matched_fields:
        failed.append(FailedIdentifier("CUSTOMER_NO", "", customer_no.upper()))
    return failed


class ProbingGuard:
    """One request's guard: :meth:`admit` before the lookup, :meth:`account` after it."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.settings = context.services.settings
        self.probes = context.repo(IdentifierProbeRepository)
        self.now = datetime.now(UTC)

    async def admit(self) -> None:
        """Refuse a key that is blocked for this hour."""
        principal = self.context.principal
        if principal is not None and await self.probes.blocked(principal.key_id, self.now):
            PROBING_REFUSED.inc()
            raise ProbingRefused()

    async def account(
        self, looked_up: Iterable[tuple[Mapping[str, str | None], Iterable[str]]]
    ) -> None:
        """Count the failed identifiers of each (fields sent, fields that matched); refuse the
        whole answer when they take the key over its limit or look like enumeration."""
        principal = self.context.principal
        secret = self.settings.identity_key
        failures = [f for fields, hit in looked_up for f in failed_identifiers(secret, fields, hit)]
        if principal is None or not failures:
            return
        verdict = await self.probes.record(
            principal.key_id,
            principal.name,
            failures,
            limit=self.settings.failed_identifiers_per_hour,
            threshold=self.settings.enumeration_threshold,
            now=self.now,
        )
        if verdict.refused:
            PROBING_REFUSED.inc()
            raise ProbingRefused()
