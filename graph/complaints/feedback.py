"""Frontline feedback in the graph: observations, grievances and staff suggestions.

Text staff type is stored scrubbed of personal data (``models.text_scrub``). A suggestion
goes through a review (``models.feedback``): every decision is kept with who made it and
when, and audited. A grievance converts into a complaint once, in one transaction with the
filing, so a second conversion, or one that fails, leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.client import Graph
from graph.complaints import feedback_queries as q
from graph.complaints.lifecycle import ComplaintRepository, Filing, NewComplaint
from graph.complaints.records import PartyRef
from graph.paging import Page, keyset_page
from graph.values import native, utc
from models.cursors import decode_cursor, encode_cursor, page_size
from models.errors import InvalidInput, NotFound, PermissionDenied
from models.feedback import (
    GENERAL_KINDS,
    FeedbackKind,
    GrievanceAlreadyConverted,
    SuggestionStatus,
    check_review,
)
from models.records import (
    ComplaintCategory,
    ComplaintChannel,
    PartyKind,
    claim_id,
    party_id,
    policy_id,
)
from models.text_scrub import scrub_personal_data

MAX_TEXT = 10_000


@dataclass(frozen=True)
class FeedbackDecision:
    """One review decision on a suggestion."""

    status: SuggestionStatus
    before: SuggestionStatus
    by: str
    at: datetime
    comment: str
    rating: int | None
    reward: str | None


@dataclass(frozen=True)
class FrontlineFeedback:
    """A note from frontline staff, what it concerns, and what became of it."""

    id: str
    kind: FeedbackKind
    text: str
    at: datetime
    submitted_by: str
    about: list[PartyRef]
    submitted_by_key: str | None = None
    category: ComplaintCategory | None = None
    review_status: SuggestionStatus | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    rating: int | None = None
    reward: str | None = None
    decisions: list[FeedbackDecision] = field(default_factory=list)
    customer_nos: list[str] = field(default_factory=list)
    complaint_no: str | None = None
    converted_at: datetime | None = None
    converted_by: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who acts: the key's name, id and role."""

    name: str
    key: str
    role: str


@dataclass(frozen=True)
class Conversion:
    """How a grievance becomes a complaint; None takes the grievance's own value."""

    category: ComplaintCategory | None = None
    channel: ComplaintChannel = ComplaintChannel.FRONTLINE
    summary: str | None = None
    customer_no: str | None = None
    complaint_no: str | None = None


def _feedback(record: Mapping[str, Any]) -> FrontlineFeedback:
    row = record["feedback"]
    decisions = sorted(
        (
            FeedbackDecision(
                status=SuggestionStatus(d["status"]),
                before=SuggestionStatus(d["before"]),
                by=d["by"],
                at=native(d["at"]),
                comment=d.get("comment") or "",
                rating=d.get("rating"),
                reward=d.get("reward"),
            )
            for d in record["decisions"]
        ),
        key=lambda d: d.at,
    )
    return FrontlineFeedback(
        id=row["id"],
        kind=FeedbackKind(row["kind"]),
        text=row["text"],
        at=native(row["at"]),
        submitted_by=row["submitted_by"],
        about=sorted((PartyRef.from_map(a) for a in record["about"]), key=lambda a: a.id),
        submitted_by_key=row.get("submitted_by_key"),
        category=ComplaintCategory(row["category"]) if row.get("category") else None,
        review_status=SuggestionStatus(row["review_status"]) if row.get("review_status") else None,
        reviewed_by=row.get("reviewed_by"),
        reviewed_at=native(row.get("reviewed_at")),
        rating=row.get("rating"),
        reward=row.get("reward"),
        decisions=decisions,
        customer_nos=sorted(n for n in record["customer_nos"] if n),
        complaint_no=record["complaint_no"],
        converted_at=native(row.get("converted_at")),
        converted_by=row.get("converted_by"),
    )


def _clean(text: str, what: str, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} is at most {limit:,} characters")
    return scrub_personal_data(text)


class FrontlineFeedbackRepository:
    """Frontline observations, grievances and suggestions."""

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
        actor_key: str | None = None,
        category: ComplaintCategory | None = None,
    ) -> FrontlineFeedback:
        """Record a note; observations and grievances name at least one customer, policy or
        claim, a suggestion may be general. The text is stored scrubbed of personal data."""
        if not text.strip():
            raise InvalidInput("feedback needs some text")
        clean = _clean(text, "feedback")
        subjects = {
            "customer_ids": [party_id(PartyKind.CUSTOMER, n.strip()) for n in customer_nos],
            "policy_ids": [policy_id(n.strip()) for n in policy_nos],
            "claim_ids": [claim_id(n.strip()) for n in claim_nos],
        }
        if not any(subjects.values()) and kind not in GENERAL_KINDS:
            raise InvalidInput(
                "feedback must name a customer, a policy or a claim (only a suggestion may be "
                "general)"
            )
        missing = (await self.graph.read(q.MISSING_SUBJECTS, **subjects))[0]["missing"]
        if missing:
            raise InvalidInput("unknown subjects: " + ", ".join(missing))
        feedback_id = f"feedback:{uuid.uuid4()}"
        await self.graph.write(
            q.CREATE_FEEDBACK,
            id=feedback_id,
            kind=kind.value,
            text=clean,
            at=utc(now),
            category=category.value if category else None,
            actor=actor,
            actor_key=actor_key,
            role=role,
            review_status=(
                SuggestionStatus.SUBMITTED.value if kind is FeedbackKind.SUGGESTION else None
            ),
            **subjects,
        )
        return await self.get(feedback_id)

    async def get(self, feedback_id: str) -> FrontlineFeedback:
        """One feedback by id; NotFound otherwise."""
        records = await self.graph.read(q.GET_FEEDBACK, id=feedback_id)
        if not records:
            raise NotFound(f"no feedback {feedback_id}")
        return _feedback(records[0])

    async def list(
        self,
        *,
        first: int,
        after: str | None,
        kinds: Sequence[FeedbackKind] | None = None,
        statuses: Sequence[SuggestionStatus] | None = None,
        submitted_by_key: str | None = None,
    ) -> Page[FrontlineFeedback]:
        """Feedback newest first, keyset-paginated, optionally of some kinds, some review
        statuses, or from one key only."""
        limit = page_size(first)
        after_at, after_id = decode_cursor(after, "AT_DESC") if after else (None, None)
        records = await self.graph.read(
            q.LIST_FEEDBACK,
            after_at=utc(after_at) if after_at else None,
            after_id=after_id,
            kinds=[k.value for k in kinds] if kinds else None,
            statuses=[s.value for s in statuses] if statuses else None,
            submitted_by_key=submitted_by_key,
            limit=limit + 1,
        )
        return keyset_page(
            [_feedback(r) for r in records], limit, lambda f: encode_cursor("AT_DESC", f.at, f.id)
        )

    async def review_suggestion(
        self,
        feedback_id: str,
        *,
        status: SuggestionStatus,
        comment: str,
        actor: Actor,
        now: datetime,
        rating: int | None = None,
        reward: str | None = None,
    ) -> FrontlineFeedback:
        """Move a suggestion along its review (``models.feedback.check_review``); the
        submitter may not decide on their own suggestion. Refusals change nothing."""
        if not comment.strip():
            raise InvalidInput("a review decision needs a comment saying why")
        clean_comment = _clean(comment, "a comment", 2000)
        clean_reward = _clean(reward, "a reward", 500) if reward and reward.strip() else None

        async def work(tx: AsyncManagedTransaction) -> None:
            current = await _locked(tx, feedback_id)
            if current.kind is not FeedbackKind.SUGGESTION or current.review_status is None:
                raise InvalidInput(
                    f"{feedback_id} is a {current.kind.value.lower()}, not a "
                    "suggestion; only suggestions are reviewed"
                )
            if current.submitted_by_key and current.submitted_by_key == actor.key:
                raise PermissionDenied("a suggestion cannot be decided by the one who made it")
            check_review(current.review_status, status, rating=rating, reward=clean_reward)
            await tx.run(
                q.REVIEW_SUGGESTION,
                id=feedback_id,
                status=status.value,
                before=current.review_status.value,
                decision_id=f"decision:{uuid.uuid4()}",
                actor=actor.name,
                role=actor.role,
                at=utc(now),
                comment=clean_comment,
                rating=rating,
                reward=clean_reward,
            )

        await self.graph.write_transaction(work)
        return await self.get(feedback_id)

    async def convert_grievance(
        self,
        feedback_id: str,
        conversion: Conversion,
        *,
        complaints: ComplaintRepository,
        actor: Actor,
        now: datetime,
        only_own: bool = False,
    ) -> tuple[Filing, FrontlineFeedback]:
        """File a complaint from a grievance and link them, in one transaction.

        The complaint is received when the grievance was voiced (its deadline runs from the
        first contact), is about the grievance's policies and claims, and by default takes
        its category, text and customer. ``only_own``: the actor may convert only grievances
        they recorded. A grievance converted before raises GrievanceAlreadyConverted.
        """
        grievance = await self.get(feedback_id)
        if grievance.kind is not FeedbackKind.GRIEVANCE:
            raise InvalidInput(
                f"{feedback_id} is a {grievance.kind.value.lower()}; only a grievance converts "
                "into a complaint"
            )
        if only_own and grievance.submitted_by_key != actor.key:
            raise PermissionDenied("your role may convert only the grievances you recorded")
        if grievance.complaint_no is not None:
            raise GrievanceAlreadyConverted(feedback_id, grievance.complaint_no)
        new = _complaint_from(grievance, conversion)

        async def link(tx: AsyncManagedTransaction, complaint_id: str) -> None:
            # Checked again under the lock: two conversions at once file one complaint.
            locked = await _locked(tx, feedback_id)
            if locked.complaint_no is not None:
                raise GrievanceAlreadyConverted(feedback_id, locked.complaint_no)
            await tx.run(
                q.MARK_CONVERTED,
                id=feedback_id,
                complaint_id=complaint_id,
                at=utc(now),
                actor=actor.name,
            )

        filing = await complaints.file(new, actor.name, within=link)
        return filing, await self.get(feedback_id)


async def _locked(tx: AsyncManagedTransaction, feedback_id: str) -> FrontlineFeedback:
    record = await (await tx.run(q.LOCK_FEEDBACK, id=feedback_id)).single()
    if record is None:
        raise NotFound(f"no feedback {feedback_id}")
    return _feedback(record)


def _complaint_from(grievance: FrontlineFeedback, conversion: Conversion) -> NewComplaint:
    """The complaint a grievance becomes, or InvalidInput saying what is missing."""
    category = conversion.category or grievance.category
    if category is None:
        raise InvalidInput("the grievance has no category: give the complaint's category")
    customer_no = (conversion.customer_no or "").strip()
    if not customer_no:
        if len(grievance.customer_nos) != 1:
            found = ", ".join(grievance.customer_nos) or "none"
            raise InvalidInput(
                f"the grievance concerns {len(grievance.customer_nos)} customers ({found}): "
                "give the complainant's customerNo"
            )
        customer_no = grievance.customer_nos[0]
    summary = _clean(conversion.summary, "a summary") if conversion.summary else grievance.text
    return NewComplaint(
        customer_no=customer_no,
        channel=conversion.channel,
        category=category,
        summary=summary,
        received_at=grievance.at,
        complaint_no=conversion.complaint_no.strip() if conversion.complaint_no else None,
        policy_nos=[a.ref for a in grievance.about if a.kind == "Policy" and a.ref],
        claim_nos=[a.ref for a in grievance.about if a.kind == "Claim" and a.ref],
    )
