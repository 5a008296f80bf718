"""The renewal checks' guard against probing: refuse keys that are over their hour's limit
of failed identifiers or enumerating, before and after a check (models.renewal_disclosure
says why; graph.renewal_probes keeps the counts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from prometheus_client import Counter

from api.context import Context
from graph.renewal import Decision
from graph.renewal_probes import RenewalProbeRepository
from models.errors import RateLimited
from models.identity import IdentifierKind, make_identifier
from models.renewal_disclosure import FailedIdentifier

RENEWAL_REFUSED = Counter(
    "riskwatch_renewal_probing_refused_total", "Renewal requests refused as probing"
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
            "this key sent too many renewal identifiers that match nobody this hour; renewal "
            "checks are refused until the hour is over (ask an administrator if this is wrong)"
        )


def failed_identifiers(
    secret: bytes, fields: Mapping[str, str | None], decision: Decision
) -> list[FailedIdentifier]:
    """The identifiers of one (valid) identity that matched no party."""
    matched = {field for match in decision.matches for field in match.matched_on}
    failed = []
    for field, kind in _SENT_KINDS.items():
        raw = (fields.get(field) or "").strip()
        if raw and field not in matched:
            ident = make_identifier(secret, kind, raw)
            failed.append(FailedIdentifier(kind.value, ident.masked, ident.key))
    customer_no = (fields.get("customerNo") or "").strip()
    if customer_no and "customerNo" not in matched:
        failed.append(FailedIdentifier("CUSTOMER_NO", "", customer_no.upper()))
    return failed


class RenewalGuard:
    """One request's guard: :meth:`admit` before checking, :meth:`account` after."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.settings = context.services.settings
        self.probes = context.repo(RenewalProbeRepository)
        self.now = datetime.now(UTC)

    async def admit(self) -> None:
        """Refuse a key that is blocked for this hour."""
        principal = self.context.principal
        if principal is not None and await self.probes.blocked(principal.key_id, self.now):
            RENEWAL_REFUSED.inc()
            raise ProbingRefused()

    async def account(self, checked: Sequence[tuple[Mapping[str, str | None], Decision]]) -> None:
        """Count the identities' failed identifiers; refuse the whole answer when they take
        the key over its limit or look like enumeration."""
        principal = self.context.principal
        secret = self.settings.identity_key
        failures = [f for fields, d in checked for f in failed_identifiers(secret, fields, d)]
        if principal is None or not failures:
            return
        verdict = await self.probes.record(
            principal.key_id,
            principal.name,
            failures,
            limit=self.settings.renewal_failed_identifiers_per_hour,
            threshold=self.settings.renewal_enumeration_threshold,
            now=self.now,
        )
        if verdict.refused:
            RENEWAL_REFUSED.inc()
            raise ProbingRefused()
