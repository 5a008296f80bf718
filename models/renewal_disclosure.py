"""What a renewal answer may reveal, and what probing looks like (issue 19).

A renewal system needs a decision about a person it already knows, not a search engine. An
outside probe recovered a customer's full phone number in three requests: batches of
candidates that differ only in the masked digits (``133NNNN5506``), each answered with the
parties it matched and their masked identifiers. The rules here:

- **Matches reveal only what the caller sent.** A match shows the masked ID number only when
  the caller's ID number matched it, the masked phone only when the caller's phone matched
  it, the masked name only when the caller sent a name. Nothing about identifiers the
  caller did not send.
- **A name alone reveals nothing.** A party matched on its name only is not shown at all;
  if it has open watchlist entries, the decision is at most REVIEW with one generic reason
  (no entry id, reason code, or masked identifiers of the watchlisted party).
- **Probing is refused**: identifiers that match nobody are counted per key and hour, and
  enumeration is recognised (``models.identifier_probing``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models.renewal import STRONG_KEYS, CandidateMatch, EntryRef, RenewalAction
from models.watchlist import mask_name

# The reason a name-only match with open entries gives: no code, entry or identifier of the
# party, only what to do (its words are in models.reason_texts).
NAME_ONLY_CODE = "UNCONFIRMED_NAME_MATCH"
NAME_ONLY_STATUS = "UNCONFIRMED"


@dataclass(frozen=True)
class DisclosedMatch:
    """A matched party as a renewal answer shows it."""

    party_id: str
    masked_name: str | None
    masked_id_number: str | None
    masked_phone: str | None
    score: float
    matched_on: tuple[str, ...]


@dataclass(frozen=True)
class DisclosedReason:
    """One reason of a renewal answer; ``entry_id`` None for the generic name-only reason."""

    code: str
    entry_id: str | None
    entry_status: str
    action: RenewalAction


def is_name_only(match: CandidateMatch) -> bool:
    """Found by its name alone: a candidate, never proof of identity."""
    return not (match.matched_on & STRONG_KEYS)


def disclose_match(match: CandidateMatch, sent: Iterable[str]) -> DisclosedMatch | None:
    """``match`` as the caller may see it, given the identity fields it sent; None for a
    name-only match."""
    if is_name_only(match):
        return None
    sent_fields = set(sent)
    return DisclosedMatch(
        party_id=match.party_id,
        masked_name=mask_name(match.name) if "name" in sent_fields else None,
        masked_id_number=match.id_masked if "idNumber" in match.matched_on else None,
        masked_phone=match.phone_masked if "phone" in match.matched_on else None,
        score=match.score,
        matched_on=tuple(sorted(match.matched_on)),
    )


def disclose_reasons(
    matches: Iterable[CandidateMatch], reasons: Iterable[tuple[EntryRef, RenewalAction]]
) -> list[DisclosedReason]:
    """The reasons of a decision, those of name-only matches folded into one generic reason
    (REVIEW at most, as ``models.renewal.decide`` caps them)."""
    name_only_entries = {
        entry.id for match in matches if is_name_only(match) for entry in match.entries
    }
    strong_entries = {
        entry.id for match in matches if not is_name_only(match) for entry in match.entries
    }
    shown: list[DisclosedReason] = []
    unconfirmed: RenewalAction | None = None
    for entry, action in reasons:
        if entry.id in name_only_entries and entry.id not in strong_entries:
            if action is not RenewalAction.RENEW:
                unconfirmed = RenewalAction.REVIEW
            continue
        shown.append(DisclosedReason(entry.reason, entry.id, entry.status, action))
    if unconfirmed is not None:
        shown.append(DisclosedReason(NAME_ONLY_CODE, None, NAME_ONLY_STATUS, unconfirmed))
    return shown
