"""How much each complaint-risk signal weighs, and how customers are ranked by them.

Pure Python: ``graph.complaints.insights`` reads the facts (pending claims, denied claims
followed by contacts, earlier complaints on the same matter) and asks these functions what
they are worth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.records import ComplaintChannel


class RiskSignalCode(StrEnum):
    """Why a customer (and claim) is likely to complain."""

    PENDING_CLAIM = "PENDING_CLAIM"
    DENIED_THEN_GRIEVANCE = "DENIED_THEN_GRIEVANCE"
    DENIED_THEN_HOTLINE = "DENIED_THEN_HOTLINE"
    PRIOR_COMPLAINT = "PRIOR_COMPLAINT"


@dataclass(frozen=True)
class RiskSignal:
    """A signal that fired, with a sentence a service agent can read."""

    code: RiskSignalCode
    detail: str
    weight: int = 1


# A denied claim the customer keeps contacting us about is the strongest sign.
DENIED_THEN_CONTACT_WEIGHT = 3
# Earlier complaints on the matter count up to this many.
PRIOR_COMPLAINTS_CAP = 3
# Customers who went to a regulator or the media before escalate again.
ESCALATED_CHANNELS = frozenset({ComplaintChannel.REGULATOR, ComplaintChannel.MEDIA})


def pending_claim_signal(days_pending: int) -> RiskSignal:
    """A claim left pending this many days."""
    return RiskSignal(RiskSignalCode.PENDING_CLAIM, f"claim pending for {days_pending} days")


def denied_claim_signals(grievances: int, hotline: int, hotline_contacts: int) -> list[RiskSignal]:
    """A denied claim followed by frontline grievances (any), or by at least
    ``hotline_contacts`` hotline complaints."""
    signals: list[RiskSignal] = []
    if grievances:
        signals.append(
            RiskSignal(
                RiskSignalCode.DENIED_THEN_GRIEVANCE,
                f"claim denied, then {grievances} frontline grievance(s)",
                weight=DENIED_THEN_CONTACT_WEIGHT,
            )
        )
    if hotline >= hotline_contacts:
        signals.append(
            RiskSignal(
                RiskSignalCode.DENIED_THEN_HOTLINE,
                f"claim denied, then {hotline} hotline complaints",
                weight=DENIED_THEN_CONTACT_WEIGHT,
            )
        )
    return signals


def prior_complaints_signal(complaints: int, channels: Iterable[str], since: date) -> RiskSignal:
    """Earlier complaints about a claim or policy the customer holds: more of them, and a
    regulator or the media among their channels, weigh more."""
    names = sorted(channels)
    escalated = any(name in ESCALATED_CHANNELS for name in names)
    return RiskSignal(
        RiskSignalCode.PRIOR_COMPLAINT,
        f"{complaints} complaint(s) on this matter since {since} ({', '.join(names)})",
        weight=min(complaints, PRIOR_COMPLAINTS_CAP) + (1 if escalated else 0),
    )


def risk_score(signals: Iterable[RiskSignal]) -> int:
    """The sum of the signals' weights: what customers are ranked by."""
    return sum(signal.weight for signal in signals)


def rank_risks(
    found: Mapping[tuple[str, str | None], Sequence[RiskSignal]], limit: int
) -> list[tuple[tuple[str, str | None], Sequence[RiskSignal]]]:
    """The ``limit`` highest-scoring (customer id, claim id) pairs with their signals; ties
    by customer id, then claim id (the customer-wide row first)."""
    ranked = sorted(
        found.items(), key=lambda item: (-risk_score(item[1]), item[0][0], item[0][1] or "")
    )
    return ranked[:limit]
