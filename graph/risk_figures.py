"""Explainable risk figures: which shops, agents, dealers, brokers and adjusters attract
complaints, and complaint counts for dashboards.

A ranking shows every figure its score is made of, so an analyst can say why a shop is first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from graph.client import Graph
from graph.labels import Label
from graph.queries import risk_figures as q

# Points for each share (each 0..1); they add up to a score out of 100.
WEIGHTS: dict[str, float] = {
    "complaint_rate": 40.0,
    "repeat_complaint_share": 15.0,
    "flagged_claim_share": 25.0,
    "ring_customer_share": 20.0,
}

STATS_GROUPS = tuple(q.COMPLAINT_STATS)
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RankedParty:
    """A party's figures and the score they add up to."""

    id: str
    ref: str
    name: str
    kind: str
    volume: int
    claims: int
    complaints: int
    repeat_complaints: int
    flagged_claims: int
    customers: int
    ring_customers: int
    complaint_rate: float
    repeat_complaint_share: float
    flagged_claim_share: float
    ring_customer_share: float
    score: float


@dataclass(frozen=True)
class StatBucket:
    """One group of a complaint count (a channel, a month, a shop...)."""

    key: str
    label: str
    count: int


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


class RiskFigures:
    """Reads rankings and complaint statistics."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def ranking(self, label: Label, first: int, min_volume: int) -> list[RankedParty]:
        """Parties of ``label`` with at least ``min_volume`` business, best-scored first."""
        records = await self.graph.read(q.RANKING_FIGURES[label], min_volume=min_volume)
        ranked: list[RankedParty] = []
        for r in records:
            shares = {
                "complaint_rate": min(_share(r["complaints"], r["volume"]), 1.0),
                "repeat_complaint_share": _share(r["repeats"], r["complaints"]),
                "flagged_claim_share": _share(r["flagged"], r["claim_count"]),
                "ring_customer_share": _share(r["in_ring"], r["customers"]),
            }
            score = round(sum(WEIGHTS[name] * value for name, value in shares.items()), 2)
            ranked.append(
                RankedParty(
                    id=r["id"],
                    ref=r["ref"] or "",
                    name=r["name"] or "",
                    kind=label.value,
                    volume=r["volume"],
                    claims=r["claim_count"],
                    complaints=r["complaints"],
                    repeat_complaints=r["repeats"],
                    flagged_claims=r["flagged"],
                    customers=r["customers"],
                    ring_customers=r["in_ring"],
                    complaint_rate=_share(r["complaints"], r["volume"]),
                    repeat_complaint_share=shares["repeat_complaint_share"],
                    flagged_claim_share=shares["flagged_claim_share"],
                    ring_customer_share=shares["ring_customer_share"],
                    score=score,
                )
            )
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
