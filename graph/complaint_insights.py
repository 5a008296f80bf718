"""What the complaint desk learns from: complaint-risk signals (who is likely to complain
next, partly from frontline grievances: ``graph.feedback``) and hot topics (what complaints
are about, and the trend)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import anyio.to_thread

from graph.client import Graph
from graph.complaint_records import PartyRef, native, utc
from graph.queries import complaint_insights as q
from models.complaint_topics import CategoryTopics, hot_topics, segment_all
from models.complaints import require_aware
from models.cursors import page_size
from models.errors import InvalidInput

# -- complaint risk ----------------------------------------------------------------------------


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


@dataclass
class ComplaintRisk:
    """A customer, optionally one of their claims, and the signals that fired."""

    customer: PartyRef
    claim_id: str | None
    signals: list[RiskSignal] = field(default_factory=list)

    @property
    def score(self) -> int:
        """The sum of the signals' weights: what the list is ranked by."""
        return sum(s.weight for s in self.signals)


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
        days = (now - native(r["since"])).days
        add(
            r["customer_id"],
            r["claim_id"],
            RiskSignal(RiskSignalCode.PENDING_CLAIM, f"claim pending for {days} days"),
        )
    for r in await graph.read(
        q.RISK_DENIED_THEN_CONTACTS,
        since=since,
        hotline_contacts=thresholds.hotline_contacts,
        cap=thresholds.cap,
    ):
        if r["grievances"]:
            add(
                r["customer_id"],
                r["claim_id"],
                RiskSignal(
                    RiskSignalCode.DENIED_THEN_GRIEVANCE,
                    f"claim denied, then {r['grievances']} frontline grievance(s)",
                    weight=3,
                ),
            )
        if r["hotline"] >= thresholds.hotline_contacts:
            add(
                r["customer_id"],
                r["claim_id"],
                RiskSignal(
                    RiskSignalCode.DENIED_THEN_HOTLINE,
                    f"claim denied, then {r['hotline']} hotline complaints",
                    weight=3,
                ),
            )
    for r in await graph.read(q.RISK_PRIOR_COMPLAINTS, since=since, cap=thresholds.cap):
        add(
            r["customer_id"],
            r["claim_id"],
            RiskSignal(
                RiskSignalCode.PRIOR_COMPLAINT,
                f"{r['complaints']} complaint(s) on this matter since {since.date()} "
                f"({', '.join(sorted(r['channels']))})",
                # More complaints on the matter, and a regulator or the media involved, weigh
                # more: those customers escalate again.
                weight=min(int(r["complaints"]), 3)
                + (1 if {"REGULATOR", "MEDIA"} & set(r["channels"]) else 0),
            ),
        )
    ranked = sorted(
        found.items(),
        key=lambda item: (-sum(s.weight for s in item[1]), item[0][0], item[0][1] or ""),
    )
    top = ranked[:limit]
    customers = {
        r["party"]["id"]: PartyRef.from_map(r["party"])
        for r in await graph.read(q.CUSTOMERS_BY_ID, ids=sorted({key[0] for key, _ in top}))
    }
    return [
        ComplaintRisk(customer=customers[cust], claim_id=claim, signals=signals)
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
