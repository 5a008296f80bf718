"""Renewal checks as pure logic: identity keys, match scores, and the action a decision takes.

The graph lookup lives in ``graph.network.renewal``; this module decides what its rows mean, so the
mapping from watchlist reasons to renewal actions can be tested without a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from models.identity import (
    IdentifierKind,
    InvalidIdentifier,
    fold_width,
    make_identifier,
)
from models.watchlist import WatchlistReason, WatchlistStatus


class RenewalAction(StrEnum):
    """What the renewal system should do, from least to most cautious."""

    RENEW = "RENEW"
    RENEW_WITH_CONDITIONS = "RENEW_WITH_CONDITIONS"
    REVIEW = "REVIEW"
    DECLINE = "DECLINE"


SEVERITY: dict[RenewalAction, int] = {action: rank for rank, action in enumerate(RenewalAction)}

# Defaults for ``RISKWATCH_RENEWAL_ACTIONS`` (JSON object reason -> action), ACTIVE entries only;
# any entry still PROPOSED asks for REVIEW.
DEFAULT_ACTIONS: dict[str, str] = {
    WatchlistReason.FRAUD_LINKED.value: RenewalAction.DECLINE.value,
    WatchlistReason.SHARED_IDENTIFIER_RING.value: RenewalAction.DECLINE.value,
    WatchlistReason.REPEAT_COMPLAINANT.value: RenewalAction.RENEW_WITH_CONDITIONS.value,
    WatchlistReason.REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL.value: (
        RenewalAction.RENEW_WITH_CONDITIONS.value
    ),
    WatchlistReason.REPAIR_SHOP_COMPLAINT_CLUSTER.value: RenewalAction.REVIEW.value,
    WatchlistReason.MANUAL.value: RenewalAction.REVIEW.value,
}

# How much an exact match on one key says that the caller means this party. ID and customer
# numbers identify a person; phones and plates are shared or passed on more often.
KEY_WEIGHTS: dict[str, float] = {
    "idNumber": 0.95,
    "customerNo": 0.95,
    "phone": 0.8,
    "plate": 0.7,
    "name": 0.5,
}
STRONG_KEYS = frozenset({"idNumber", "customerNo", "phone", "plate"})


@dataclass(frozen=True)
class IdentityKeys:
    """A caller's identity reduced to what the graph can match: keyed hashes and the name."""

    identifiers: tuple[tuple[str, str, str], ...]  # (input field, kind, keyed hash)
    customer_no: str | None
    name: str | None

    @property
    def has_strong_key(self) -> bool:
        return bool(self.identifiers) or self.customer_no is not None


_FIELD_KINDS = (
    ("idNumber", IdentifierKind.ID_CARD),
    ("phone", IdentifierKind.PHONE),
    ("plate", IdentifierKind.PLATE),
)
_CUSTOMER_NO = re.compile(r"[A-Z]\d{4,12}")


def identity_keys(secret: bytes, fields: Mapping[str, str | None]) -> IdentityKeys:
    """Normalise and hash an identity; InvalidIdentifier names the field that is wrong."""
    identifiers: list[tuple[str, str, str]] = []
    for field_name, kind in _FIELD_KINDS:
        raw = (fields.get(field_name) or "").strip()
        if not raw:
            continue
        try:
            ident = make_identifier(secret, kind, raw)
        except InvalidIdentifier as error:
            raise InvalidIdentifier(f"{field_name}: {error.message}") from error
        identifiers.append((field_name, ident.kind.value, ident.key))
    customer_no = re.sub(r"\s+", "", fold_width(fields.get("customerNo") or "")).upper() or None
    if customer_no is not None and not _CUSTOMER_NO.fullmatch(customer_no):
        raise InvalidIdentifier("customerNo: a customer number is a letter and 4 to 12 digits")
    name = (fields.get("name") or "").strip() or None
    if not identifiers and customer_no is None and name is None:
        raise InvalidIdentifier(
            "the identity is empty: give an ID number, phone, plate, customer number or name"
        )
    return IdentityKeys(tuple(identifiers), customer_no, name)


@dataclass(frozen=True)
class EntryRef:
    """An open watchlist entry of a matched party, as the decision sees it."""

    id: str
    reason: str
    status: str


@dataclass
class CandidateMatch:
    """A party the graph found for an identity, and on which keys."""

    party_id: str
    name: str
    id_masked: str | None
    phone_masked: str | None
    matched_on: set[str] = field(default_factory=set)
    entries: list[EntryRef] = field(default_factory=list)
    score: float = 0.0


def match_score(matched_on: Iterable[str], name_similarity: float | None) -> float:
    """0..1: the strongest key, raised by more keys agreeing and moved by name similarity.

    ``name_similarity`` compares the caller's name with the party's (None: no name given).
    A party found by its name alone scores at most ``KEY_WEIGHTS["name"]``.
    """
    keys = set(matched_on)
    weights = sorted(
        (
            KEY_WEIGHTS[key] * ((name_similarity or 0.0) if key == "name" else 1.0)
            for key in keys
            if key in KEY_WEIGHTS
        ),
        reverse=True,
    )
    if not weights:
        return 0.0
    # Each further independent key closes part of the remaining doubt.
    doubt = 1.0
    for weight in weights:
        doubt *= 1.0 - weight
    score = 1.0 - doubt
    if name_similarity is not None and "name" not in keys:
        # A matching name confirms a little; a different one costs a little (names change,
        # are misspelt or written in another script: never enough alone either way).
        score = score + (1.0 - score) * 0.5 if name_similarity >= 0.85 else score * 0.9
    return round(min(score, 1.0), 4)


def decide(
    matches: Iterable[CandidateMatch], actions: Mapping[str, str]
) -> tuple[RenewalAction, list[tuple[EntryRef, RenewalAction]]]:
    """The decision's action and, per open entry, the action it asks for.

    ACTIVE entries map through ``actions`` (unknown reasons ask for REVIEW); PROPOSED entries
    ask for REVIEW. A party matched on its name alone can never take the decision past REVIEW.
    """
    action = RenewalAction.RENEW
    reasons: list[tuple[EntryRef, RenewalAction]] = []
    for match in matches:
        name_only = not (match.matched_on & STRONG_KEYS)
        for entry in match.entries:
            if entry.status == WatchlistStatus.ACTIVE.value:
                wanted = RenewalAction(actions.get(entry.reason, RenewalAction.REVIEW.value))
            else:
                wanted = RenewalAction.REVIEW
            if name_only and wanted is not RenewalAction.RENEW:
                # Identity unconfirmed: a person decides, whatever the entry would ask for.
                wanted = RenewalAction.REVIEW
            reasons.append((entry, wanted))
            if SEVERITY[wanted] > SEVERITY[action]:
                action = wanted
    return action, reasons
