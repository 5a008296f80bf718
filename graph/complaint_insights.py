"""What the complaint desk learns from: frontline feedback, complaint-risk signals (who is
likely to complain next) and hot topics (what complaints are about, and the trend)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import anyio.to_thread
from neo4j import Record

from graph.client import Graph
from graph.complaint_records import Page, PartyRef, native, utc
from graph.queries import complaint_insights as q
from models.complaint_topics import CategoryTopics, hot_topics, segment_all
from models.complaints import require_aware
from models.cursors import decode_cursor, encode_cursor, page_size
from models.errors import InvalidInput
from models.records import PartyKind, claim_id, party_id, policy_id


class FeedbackKind(StrEnum):
    """What a frontline note is."""

    OBSERVATION = "OBSERVATION"
    SUGGESTION = "SUGGESTION"
    GRIEVANCE = "GRIEVANCE"


@dataclass(frozen=True)
class FrontlineFeedback:
    """A note from frontline staff about a customer or a matter."""

    id: str
    kind: FeedbackKind
    text: str
    at: datetime
    submitted_by: str
    about: list[PartyRef]


class FrontlineFeedbackRepository:
    """Frontline observations, suggestions and grievances."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def submit(
        self,
        *,
        kind: FeedbackKind,
        text: str,
        customer_nos: Sequence[str],
        policy_nos: Sequence[str],
        claim_nos: Sequence[str],
        actor: str,
        role: str,
        now: datetime,
    ) -> FrontlineFeedback:
        """Record a note tied to at least one customer, policy or claim."""
        if not text.strip():
            raise InvalidInput("feedback needs some text")
        subjects = {
            "customer_ids": [party_id(PartyKind.CUSTOMER, n) for n in customer_nos],
            "policy_ids": [policy_id(n) for n in policy_nos],
            "claim_ids": [claim_id(n) for n in claim_nos],
        }
        if not any(subjects.values()):
            raise InvalidInput("feedback must name a customer, a policy or a claim")
        missing = (await self.graph.read(q.MISSING_SUBJECTS, **subjects))[0]["missing"]
        if missing:
            raise InvalidInput("unknown subjects: " + ", ".join(missing))
        feedback_id = f"feedback:{uuid.uuid4()}"
        await self.graph.write(
            q.CREATE_FEEDBACK,
            id=feedback_id,
            kind=kind.value,
            text=text.strip(),
            at=utc(now),
            actor=actor,
            role=role,
            **subjects,
        )
        records = await self.graph.read(q.GET_FEEDBACK, id=feedback_id)
        return _feedback(records[0])

    async def list(self, *, first: int, after: str | None) -> Page[FrontlineFeedback]:
        """Feedback newest first, keyset-paginated."""
        limit = page_size(first)
        after_at, after_id = decode_cursor(after, "AT_DESC") if after else (None, None)
        records = await self.graph.read(
            q.LIST_FEEDBACK,
            after_at=utc(after_at) if after_at else None,
            after_id=after_id,
            limit=limit + 1,
        )
        items = [_feedback(r) for r in records[:limit]]
        cursors = [encode_cursor("AT_DESC", f.at, f.id) for f in items]
        return Page(items=items, cursors=cursors, has_next=len(records) > limit)


def _feedback(record: Record) -> FrontlineFeedback:
    row = record["feedback"]
    return FrontlineFeedback(
        id=row["id"],
        kind=FeedbackKind(row["kind"]),
        text=row["text"],
        at=native(row["at"]),
        submitted_by=row["submitted_by"],
        about=sorted((PartyRef.from_map(a) for a in record["about"]), key=lambda a: a.id),
    )


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
    graph: Graph, *, start: datetime, end: datetime, top_terms: int = 10
) -> list[CategoryTopics]:
    """Complaints in [start, end) per category with their most frequent terms, against the
    previous period of the same length. Segmentation runs in a worker thread."""
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
    return hot_topics(current, previous, top_terms)
