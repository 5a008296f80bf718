"""What the complaint desk learns from: complaint-risk signals (who is likely to complain
next, partly from frontline grievances: ``graph.complaints.feedback``) and hot topics (what
complaints are about, and the trend)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio.to_thread

from graph.client import Graph
from graph.complaints import insight_queries as q
from graph.complaints.records import PartyRef
from graph.values import native, utc
from models.complaint_risk import (
    RiskSignal,
    denied_claim_signals,
    pending_claim_signal,
    prior_complaints_signal,
    rank_risks,
    risk_score,
)
from models.complaint_topics import CategoryTopics, hot_topics, segment_all
from models.complaints import require_aware
from models.cursors import page_size
from models.errors import InvalidInput

# -- complaint risk ----------------------------------------------------------------------------


@dataclass
class ComplaintRisk:
    """A customer, optionally one of their claims, and the signals that fired."""

    customer: PartyRef
    claim_id: str | None
    signals: list[RiskSignal] = field(default_factory=list)

    @property
    def score(self) -> int:
        """The sum of the signals' weights: what the list is ranked by."""
        return risk_score(self.signals)


@dataclass(frozen=True)
class RiskThresholds:
    """Tunables of the complaint-risk signals."""

    pending_days: int = 30
    hotline_contacts: int = 2
    lookback_days: int = 365
    cap: int = 1000


async def complaint_risk(
    graph: Graph, *, first: int, now: datetime, thresholds: RiskThresholds
) -> list[ComplaintRisk]:
    """Customers and claims most likely to turn into complaints, highest score first.

    Signals: a claim pending longer than ``pending_days``; a denied claim followed by frontline
    grievances or ``hotline_contacts`` hotline complaints; earlier complaints about a claim or
    policy the customer holds. Each signal query is bounded by ``cap`` rows.
    """
    limit = page_size(first)
    now = utc(now)
    since = now - timedelta(days=thresholds.lookback_days)
    found: dict[tuple[str, str | None], list[RiskSignal]] = {}

    def add(customer_id: str, claim: str | None, signal: RiskSignal) -> None:
        found.setdefault((customer_id, claim), []).append(signal)

    for r in await graph.read(
        q.RISK_PENDING_CLAIMS,
        pending_before=now - timedelta(days=thresholds.pending_days),
        cap=thresholds.cap,
    ):
        add(r["customer_id"], r["claim_id"], pending_claim_signal((now - native(r["since"])).days))
    for r in await graph.read(
        q.RISK_DENIED_THEN_CONTACTS,
        since=since,
        hotline_contacts=thresholds.hotline_contacts,
        cap=thresholds.cap,
    ):
        for signal in denied_claim_signals(
            r["grievances"], r["hotline"], thresholds.hotline_contacts
        ):
            add(r["customer_id"], r["claim_id"], signal)
    for r in await graph.read(q.RISK_PRIOR_COMPLAINTS, since=since, cap=thresholds.cap):
        add(
            r["customer_id"],
            r["claim_id"],
            prior_complaints_signal(int(r["complaints"]), r["channels"], since.date()),
        )
    top = rank_risks(found, limit)
    customers = {
        r["party"]["id"]: PartyRef.from_map(r["party"])
        for r in await graph.read(q.CUSTOMERS_BY_ID, ids=sorted({key[0] for key, _ in top}))
    }
    return [
        ComplaintRisk(customer=customers[cust], claim_id=claim, signals=list(signals))
        for (cust, claim), signals in top
        if cust in customers
    ]


# -- hot topics --------------------------------------------------------------------------------

TEXT_CAP = 50_000


async def complaint_hot_topics(
    graph: Graph,
    *,
    start: datetime,
    end: datetime,
    top_terms: int = 10,
    min_complaints: int = 1,
) -> list[CategoryTopics]:
    """Complaints in [start, end) per category with their most frequent terms (those shared
    by at least ``min_complaints`` complaints), against the previous period of the same
    length. Segmentation runs in a worker thread."""
    start = utc(require_aware(start, "from"))
    end = utc(require_aware(end, "to"))
    if end <= start:
        raise InvalidInput("the period's end must be after its start")
    previous_start = start - (end - start)
    records = await graph.read(q.COMPLAINT_TEXTS, start=previous_start, end=end, cap=TEXT_CAP)
    texts = [r["summary"] or "" for r in records]
    segmented = await anyio.to_thread.run_sync(segment_all, texts)
    current: list[tuple[str, list[str]]] = []
    previous: list[tuple[str, list[str]]] = []
    for record, words in zip(records, segmented, strict=True):
        target = current if native(record["received_at"]) >= start else previous
        target.append((record["category"], words))
    return hot_topics(current, previous, top_terms, min_complaints)
