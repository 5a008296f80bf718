"""The watchlist's vocabulary: reason codes, entry statuses, evidence fingerprints.

Pure Python: the rules that find entries live in ``graph.watchlist.rules``; what an entry means
to a renewal system lives in ``models.renewal``; the reasons in plain words (Chinese and
English) in ``models.reason_texts``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class WatchlistReason(StrEnum):
    """Why a party is on the watchlist; rule-made entries carry one of the first five."""

    REPEAT_COMPLAINANT = "REPEAT_COMPLAINANT"
    REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL = "REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL"
    FRAUD_LINKED = "FRAUD_LINKED"
    SHARED_IDENTIFIER_RING = "SHARED_IDENTIFIER_RING"
    REPAIR_SHOP_COMPLAINT_CLUSTER = "REPAIR_SHOP_COMPLAINT_CLUSTER"
    MANUAL = "MANUAL"


class WatchlistStatus(StrEnum):
    """An entry's life: proposed by a rule or a person, then activated or dismissed by a
    reviewer; expired when its rule no longer fires or its expiry passes."""

    PROPOSED = "PROPOSED"
    ACTIVE = "ACTIVE"
    DISMISSED = "DISMISSED"
    EXPIRED = "EXPIRED"


OPEN_STATUSES = (WatchlistStatus.PROPOSED, WatchlistStatus.ACTIVE)


@dataclass(frozen=True)
class EvidenceEdge:
    """One relationship that made a rule fire, by the ``id`` of its ends."""

    source: str
    type: str
    target: str

    def encoded(self) -> str:
        """The stored form ``source|TYPE|target`` (node ids contain no ``|``)."""
        return f"{self.source}|{self.type}|{self.target}"

    @classmethod
    def decode(cls, value: str) -> EvidenceEdge:
        """The edge of a stored ``source|TYPE|target``."""
        source, rel_type, target = value.split("|", 2)
        return cls(source, rel_type, target)


@dataclass
class Finding:
    """A rule fired for a party: the reason and the node and relationship ids behind it."""

    party_id: str
    reason: WatchlistReason
    nodes: set[str] = field(default_factory=set)
    edges: set[EvidenceEdge] = field(default_factory=set)
    summary: str = ""

    def fingerprint(self) -> str:
        """Hash of the sorted evidence ids: equal evidence, equal fingerprint."""
        return evidence_fingerprint(self.nodes, (edge.encoded() for edge in self.edges))


def evidence_fingerprint(nodes: Iterable[str], edges: Iterable[str]) -> str:
    """A short stable hash of a set of evidence node ids and encoded edges."""
    digest = hashlib.sha256()
    for item in [*sorted(set(nodes)), "--", *sorted(set(edges))]:
        digest.update(item.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()[:32]


def entry_id(party_id: str, reason: WatchlistReason) -> str:
    """The stable ``id`` of the one entry a party has for a reason."""
    digest = hashlib.sha256(f"{party_id}|{reason.value}".encode()).hexdigest()[:24]
    return f"watch:{digest}"


def mask_name(name: str) -> str:
    """A name with all but its first character hidden (钱多多 -> 钱**)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


class FindingOutcome(StrEnum):
    """What a rule run does with one finding, given the entry it already has for it."""

    ADDED = "ADDED"  # no open entry: propose one (again)
    REFRESHED = "REFRESHED"  # an open entry: keep its status, refresh the evidence
    KEPT_DISMISSED = "KEPT_DISMISSED"  # dismissed on this very evidence: leave it dismissed


@dataclass(frozen=True)
class StoredEvidence:
    """The entry a run finds for a (party, reason): its status and evidence fingerprints."""

    status: WatchlistStatus
    fingerprint: str | None = None
    dismissed_fingerprint: str | None = None


@dataclass(frozen=True)
class FindingDecision:
    """The outcome for one finding, and what to write when it is not kept dismissed."""

    outcome: FindingOutcome
    status: WatchlistStatus
    audit_action: str | None  # None: a plain refresh, nothing to audit
    repropose: bool  # write it as a fresh proposal (review fields cleared)


def decide_finding(fingerprint: str, stored: StoredEvidence | None) -> FindingDecision:
    """What a rule run does with a finding whose evidence hashes to ``fingerprint``.

    An open entry (proposed or active) keeps its status; it is audited only when the evidence
    changed. An entry dismissed on the same evidence stays dismissed: a reviewer already said
    no. Anything else (no entry, an expired one, one dismissed on other evidence) is proposed
    again for review.
    """
    if stored is not None and stored.status in OPEN_STATUSES:
        changed = stored.fingerprint != fingerprint
        return FindingDecision(
            FindingOutcome.REFRESHED,
            stored.status,
            "watchlist.evidence" if changed else None,
            repropose=False,
        )
    if (
        stored is not None
        and stored.status is WatchlistStatus.DISMISSED
        and stored.dismissed_fingerprint == fingerprint
    ):
        return FindingDecision(FindingOutcome.KEPT_DISMISSED, stored.status, None, repropose=False)
    return FindingDecision(
        FindingOutcome.ADDED, WatchlistStatus.PROPOSED, "watchlist.propose", repropose=True
    )
