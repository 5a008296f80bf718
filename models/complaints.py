"""Complaint-handling rules: deadlines, the channel ladder, repeats and joint reviews.

Pure logic with the clock passed in, so every rule is testable with fixed dates.

Deadlines: a complaint is answered within 15 calendar days of receipt. A complex case may be
extended once to 30 days from receipt; one further extension of 30 days needs a recorded
approver; no deadline ever lies more than 60 days after receipt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from models.errors import InvalidInput, NotFound
from models.records import CHANNEL_LADDER, ComplaintCategory, ComplaintChannel, ComplaintStatus

BASE_DAYS = 15
FIRST_EXTENSION_DAYS = 30
EXTENSION_STEP_DAYS = 30
MAX_DAYS = 60

OPEN_STATUSES = frozenset({ComplaintStatus.OPEN, ComplaintStatus.EXTENDED, ComplaintStatus.OVERDUE})
FINISHED_STATUSES = frozenset(
    {ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED, ComplaintStatus.MERGED}
)


class DeadlineRuleViolated(InvalidInput):
    """An extension the 15/30/60-day rules do not allow."""

    rule = "DEADLINE"


class ApproverRequired(DeadlineRuleViolated):
    """The second extension needs an approver on record."""

    rule = "APPROVER_REQUIRED"


class ExtensionLimitReached(DeadlineRuleViolated):
    """The deadline already sits at the 60-day cap."""

    rule = "MAX_60_DAYS"


class DeadlinePassed(DeadlineRuleViolated):
    """An extension decided after the deadline has passed."""

    rule = "DEADLINE_PASSED"


class ComplaintFinished(DeadlineRuleViolated):
    """The complaint is resolved or closed; nothing is left to extend."""

    rule = "COMPLAINT_FINISHED"


class EscalationRefused(InvalidInput):
    """An escalation the channel ladder does not allow."""


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def require_aware(instant: datetime, what: str) -> datetime:
    """``instant`` if it carries a timezone (deadlines across zones need one) and lies in
    2000-2200, so that deadline and period arithmetic cannot overflow."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(f"{what} needs a timezone (e.g. 2026-03-01T09:00:00+08:00)")
    if not EARLIEST <= instant <= LATEST:
        raise InvalidInput(f"{what} must lie between 2000 and 2200")
    return instant


def initial_due(received_at: datetime) -> datetime:
    """The answer deadline of a new complaint: 15 calendar days after receipt."""
    return require_aware(received_at, "received_at") + timedelta(days=BASE_DAYS)


def deadline_cap(received_at: datetime) -> datetime:
    """The latest deadline any extension may reach: 60 days after receipt."""
    return received_at + timedelta(days=MAX_DAYS)


@dataclass(frozen=True)
class Extension:
    """The outcome of an allowed extension: the new deadline and the extension count."""

    due_at: datetime
    extensions: int
    status: ComplaintStatus = ComplaintStatus.EXTENDED


def extend_deadline(
    *,
    received_at: datetime,
    due_at: datetime,
    extensions: int,
    status: ComplaintStatus,
    approver: str | None,
    now: datetime,
) -> Extension:
    """The next deadline of a complaint, or a :class:`DeadlineRuleViolated` saying why not.

    First extension: to 30 days from receipt. Second: 30 more days (60 from receipt), only with
    an approver. Nothing beyond 60 days; no extension of a finished or already late complaint.
    """
    if status in FINISHED_STATUSES:
        raise ComplaintFinished(f"the complaint is {status.value.lower()}; it cannot be extended")
    if now > due_at or status is ComplaintStatus.OVERDUE:
        raise DeadlinePassed(
            f"the deadline {due_at.isoformat()} has passed; an extension must be decided before it"
        )
    cap = deadline_cap(received_at)
    if extensions == 0:
        new_due = received_at + timedelta(days=FIRST_EXTENSION_DAYS)
    elif extensions == 1:
        if not (approver and approver.strip()):
            raise ApproverRequired(
                "a second extension (30 more days) needs the approver's name on record"
            )
        new_due = due_at + timedelta(days=EXTENSION_STEP_DAYS)
    else:
        raise ExtensionLimitReached(
            f"the complaint was already extended {extensions} times; deadlines never go past "
            f"{MAX_DAYS} days from receipt"
        )
    if new_due > cap:
        if due_at >= cap:
            raise ExtensionLimitReached(
                f"the deadline is already {MAX_DAYS} days from receipt, the most allowed"
            )
        new_due = cap
    return Extension(due_at=new_due, extensions=extensions + 1)


def is_overdue(status: ComplaintStatus, due_at: datetime, now: datetime) -> bool:
    """True for a complaint still open past its deadline."""
    return status is ComplaintStatus.OVERDUE or (
        status in (ComplaintStatus.OPEN, ComplaintStatus.EXTENDED) and now > due_at
    )


# -- the channel ladder ----------------------------------------------------------------------


def channel_rank(channel: ComplaintChannel) -> int:
    """Position on the ladder: FRONTLINE 0 < HOTLINE < ONLINE < REGULATOR <
    SOCIAL_ORGANISATION < MEDIA 5."""
    return CHANNEL_LADDER.index(channel)


def next_channel(channel: ComplaintChannel) -> ComplaintChannel | None:
    """The rung above ``channel``, or None at the top (MEDIA)."""
    rank = channel_rank(channel)
    return CHANNEL_LADDER[rank + 1] if rank + 1 < len(CHANNEL_LADDER) else None


def escalation_target(
    current: ComplaintChannel,
    status: ComplaintStatus,
    requested: ComplaintChannel | None,
) -> ComplaintChannel:
    """Where an escalation goes: ``requested`` if it is higher, else the next rung.

    Refused (:class:`EscalationRefused`) for finished complaints, at the top of the ladder, and
    for a requested channel that is not above the current one.
    """
    if status in FINISHED_STATUSES:
        raise EscalationRefused(
            f"the complaint is {status.value.lower()}; file a new complaint instead"
        )
    target = requested if requested is not None else next_channel(current)
    if target is None:
        raise EscalationRefused(f"{current.value} is the top of the channel ladder")
    if channel_rank(target) <= channel_rank(current):
        raise EscalationRefused(
            f"a complaint escalates up the ladder only: {target.value} is not above {current.value}"
        )
    return target


# -- repeats and joint reviews ---------------------------------------------------------------

REPEAT_WINDOW_DAYS = 180


@dataclass(frozen=True)
class PriorComplaint:
    """What repeat detection needs to know about a customer's earlier complaint."""

    id: str
    category: ComplaintCategory
    status: ComplaintStatus
    received_at: datetime
    closed_at: datetime | None
    about_ids: frozenset[str]


def same_matter(
    prior: PriorComplaint, about_ids: frozenset[str], category: ComplaintCategory
) -> bool:
    """Same matter: a shared subject (policy, claim, shop, agent); without subjects on
    either side, the same category."""
    if about_ids and prior.about_ids:
        return bool(about_ids & prior.about_ids)
    return prior.category is category


def repeats_of(
    priors: Iterable[PriorComplaint],
    about_ids: Iterable[str],
    category: ComplaintCategory,
    now: datetime,
    window_days: int = REPEAT_WINDOW_DAYS,
) -> list[str]:
    """Ids of the earlier complaints that make a new one a repeat: on the same matter and
    either still open or received or closed within the window."""
    subjects = frozenset(about_ids)
    since = now - timedelta(days=window_days)
    found = []
    for prior in priors:
        recent = prior.received_at >= since or (
            prior.closed_at is not None and prior.closed_at >= since
        )
        if (prior.status in OPEN_STATUSES or recent) and same_matter(prior, subjects, category):
            found.append(prior.id)
    return found


def joint_review_reasons(channel: ComplaintChannel, repeat: bool) -> list[str]:
    """Why a complaint needs a joint review (会商): empty when it does not."""
    reasons = []
    if repeat:
        reasons.append("REPEAT")
    if channel_rank(channel) >= channel_rank(ComplaintChannel.REGULATOR):
        reasons.append(channel.value)
    return reasons


# -- handling guides -------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideCandidate:
    """A handling guide as matching sees it."""

    id: str
    category: ComplaintCategory
    keywords: Sequence[str]


@dataclass(frozen=True)
class GuideMatch:
    """A guide that fits what a customer said: how well, and why."""

    id: str
    category: ComplaintCategory
    score: int  # keywords found; 0 for a category's keyword-less fallback guide
    keywords: tuple[str, ...] = ()
    fallback: bool = False


def rank_guides(
    guides: Iterable[GuideCandidate],
    text: str,
    terms: Iterable[str],
    category: ComplaintCategory | None = None,
) -> list[GuideMatch]:
    """The guides that fit ``text``, best first: a guide's score is the number of its
    keywords found among the text's topic terms or in the text itself (ties by id). With a
    ``category``, only that category's guides count, and a keyword-less guide of it follows
    the keyword matches as the fallback."""
    term_set = set(terms)
    found: list[GuideMatch] = []
    fallbacks: list[GuideMatch] = []
    for guide in guides:
        if category is not None and guide.category is not category:
            continue
        if not guide.keywords:
            if category is not None:
                fallbacks.append(GuideMatch(guide.id, guide.category, 0, (), fallback=True))
            continue
        hits = tuple(k for k in guide.keywords if k in term_set or (k and k in text))
        if hits:
            found.append(GuideMatch(guide.id, guide.category, len(hits), hits))
    found.sort(key=lambda m: (-m.score, m.id))
    fallbacks.sort(key=lambda m: m.id)
    return found + fallbacks


def best_guide(
    guides: Iterable[GuideCandidate],
    category: ComplaintCategory,
    summary: str,
    terms: Iterable[str],
) -> str | None:
    """The id of the guide for this complaint: same category, most keywords found in the
    summary or its terms; a keyword-less guide of the category is the fallback."""
    ranked = rank_guides(guides, summary, terms, category)
    return ranked[0].id if ranked else None


# -- failures a client handles -----------------------------------------------------------------


class UnknownCustomer(NotFound):
    """No customer with that customer number."""

    def __init__(self, customer_no: str) -> None:
        super().__init__(f"no customer {customer_no}")
        self.customer_no = customer_no


class UnknownBranch(NotFound):
    """No branch (机构) with that code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no branch {code!r} (an admin defines branches, or import them)")
        self.code = code


class UnknownSubjects(NotFound):
    """A policy, claim or party the complaint names does not exist."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__("unknown subjects: " + ", ".join(missing))
        self.missing = list(missing)


# The regulator and everything above it on the ladder: bodies outside the company.
_OUTSIDE_CHANNELS = frozenset(
    c.value for c in CHANNEL_LADDER[CHANNEL_LADDER.index(ComplaintChannel.REGULATOR) :]
)


def default_participants(category: ComplaintCategory, reasons: Sequence[str]) -> list[str]:
    """Who sits in an automatically opened joint review: the complaint desk, the department
    the complaint is about, and compliance when a regulator, a social organisation or the media
    is involved."""
    department = {
        ComplaintCategory.CLAIMS: "claims",
        ComplaintCategory.UNDERWRITING: "underwriting",
        ComplaintCategory.SALES: "sales",
        ComplaintCategory.SERVICE: "customer-service",
        ComplaintCategory.OTHER: "operations",
    }[category]
    people = ["complaints", department]
    if any(r in _OUTSIDE_CHANNELS for r in reasons):
        people.append("compliance")
    return people
