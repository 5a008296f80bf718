"""Explainable risk figures: which shops, agents, dealers, brokers and adjusters attract
complaints, and complaint counts for dashboards.

A ranking shows every figure its score is made of, so an analyst can say why a shop is first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from graph.client import Graph
from graph.labels import Label
from graph.network import queries as q

# Points for each share (each 0..1); they add up to a score out of 100.
WEIGHTS: dict[str, float] = {
    "complaint_rate": 40.0,
    "repeat_complaint_share": 15.0,
    "flagged_claim_share": 25.0,
    "ring_share": 20.0,
}

STATS_GROUPS = tuple(q.COMPLAINT_STATS)
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RankedParty:
    """A party's figures and the score they add up to. Volume is claims repaired or assessed
    (shops, adjusters) or policies sold (agents, brokers, dealers); shares are per volume."""

    id: str
    ref: str
    name: str
    kind: str
    volume: int
    complaints: int
    repeat_complaints: int
    flagged_claims: int
    ring_linked: int
    complaint_rate: float
    repeat_complaint_share: float
    flagged_claim_share: float
    ring_share: float
    score: float

    @property
    def shares(self) -> dict[str, float]:
        """The shares the score weighs (the complaint rate capped at 1)."""
        return {
            "complaint_rate": min(self.complaint_rate, 1.0),
            "repeat_complaint_share": self.repeat_complaint_share,
            "flagged_claim_share": self.flagged_claim_share,
            "ring_share": self.ring_share,
        }


@dataclass(frozen=True)
class StatBucket:
    """One group of a complaint count (a channel, a month, a shop...)."""

    key: str
    label: str
    count: int


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _ranked(
    label: Label,
    entity: Mapping[str, Any],
    complaints: int,
    repeats: int,
    flagged: int,
    ring_linked: int,
) -> RankedParty:
    volume = int(entity["volume"])
    party = RankedParty(
        id=entity["id"],
        ref=entity["ref"] or "",
        name=entity["name"] or "",
        kind=label.value,
        volume=volume,
        complaints=complaints,
        repeat_complaints=repeats,
        flagged_claims=flagged,
        ring_linked=ring_linked,
        complaint_rate=_share(complaints, volume),
        repeat_complaint_share=_share(repeats, complaints),
        flagged_claim_share=_share(flagged, volume),
        ring_share=_share(ring_linked, volume),
        score=0.0,
    )
    score = round(sum(WEIGHTS[name] * value for name, value in party.shares.items()), 2)
    return replace(party, score=score)


class RiskFigures:
    """Reads rankings and complaint statistics."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def ranking(self, label: Label, first: int, min_volume: int) -> list[RankedParty]:
        """Parties of ``label`` with at least ``min_volume`` business, best-scored first."""
        records = await self.graph.read(q.RANKING_FIGURES[label], min_volume=min_volume)
        row = records[0]
        flagged = Counter(entity_id for entity_id, _ in row["flagged"])
        complaints = Counter(entity_id for entity_id, _ in row["complaints"])
        repeats = Counter(entity_id for entity_id, repeat in row["complaints"] if repeat)
        ring = Counter(entity_id for entity_id, _ in row["ring_links"])
        ranked = [
            _ranked(label, e, complaints[i], repeats[i], flagged[i], ring[i])
            for e in row["entities"]
            for i in [e["id"]]
        ]
        ranked.sort(key=lambda p: (-p.score, -p.complaints, p.id))
        return ranked[:first]

    async def complaint_stats(
        self, group_by: str, from_at: datetime | None, to_at: datetime | None, limit: int
    ) -> list[StatBucket]:
        """Complaint counts per ``group_by`` (one of STATS_GROUPS), received in [from, to)."""
        records = await self.graph.read(
            q.COMPLAINT_STATS[group_by],
            from_at=from_at or _EARLIEST,
            to_at=to_at or _LATEST,
            limit=limit,
        )
        return [
            StatBucket(key=str(r["key"]), label=str(r["label"] or r["key"]), count=r["count"])
            for r in records
        ]
