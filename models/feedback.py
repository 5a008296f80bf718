"""Frontline feedback: what a note is, and the review a staff suggestion goes through.

A suggestion (合理化建议) is SUBMITTED, may be taken UNDER_REVIEW, and is then ADOPTED or
REJECTED; an adopted suggestion may be REWARDED. REJECTED and REWARDED are final. Whoever
decides is recorded with the time, and nobody decides on a suggestion they submitted.
A grievance (a customer's dissatisfaction voiced at the front desk, not yet a complaint) may
be converted into a complaint once.
"""

from __future__ import annotations

from enum import StrEnum

from models.errors import InvalidInput


class FeedbackKind(StrEnum):
    """What a frontline note is."""

    OBSERVATION = "OBSERVATION"
    SUGGESTION = "SUGGESTION"
    GRIEVANCE = "GRIEVANCE"


# Kinds that may be filed without naming a customer, policy or claim (a general suggestion).
GENERAL_KINDS = frozenset({FeedbackKind.SUGGESTION})


class SuggestionStatus(StrEnum):
    """Where a staff suggestion stands in its review."""

    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    ADOPTED = "ADOPTED"
    REJECTED = "REJECTED"
    REWARDED = "REWARDED"


NEXT_STATUSES: dict[SuggestionStatus, frozenset[SuggestionStatus]] = {
    SuggestionStatus.SUBMITTED: frozenset(
        {SuggestionStatus.UNDER_REVIEW, SuggestionStatus.ADOPTED, SuggestionStatus.REJECTED}
    ),
    SuggestionStatus.UNDER_REVIEW: frozenset({SuggestionStatus.ADOPTED, SuggestionStatus.REJECTED}),
    SuggestionStatus.ADOPTED: frozenset({SuggestionStatus.REWARDED}),
    SuggestionStatus.REJECTED: frozenset(),
    SuggestionStatus.REWARDED: frozenset(),
}

MIN_RATING, MAX_RATING = 1, 5


class SuggestionReviewRefused(InvalidInput):
    """A review decision the suggestion's status does not allow; nothing changed."""


class GrievanceAlreadyConverted(InvalidInput):
    """The grievance became a complaint before; nothing changed."""

    def __init__(self, feedback_id: str, complaint_no: str) -> None:
        super().__init__(
            f"grievance {feedback_id} was already converted into complaint {complaint_no}"
        )
        self.feedback_id = feedback_id
        self.complaint_no = complaint_no


def check_review(
    current: SuggestionStatus,
    target: SuggestionStatus,
    *,
    rating: int | None,
    reward: str | None,
) -> None:
    """Refuse (SuggestionReviewRefused) a move the review does not allow: a move out of a
    final status or backwards, a rating outside 1..5, REWARDED without saying what was given."""
    if target not in NEXT_STATUSES[current]:
        allowed = ", ".join(sorted(NEXT_STATUSES[current])) or "nothing (it is final)"
        raise SuggestionReviewRefused(
            f"a suggestion that is {current.value} cannot become {target.value}; "
            f"it may become {allowed}"
        )
    if rating is not None and not MIN_RATING <= rating <= MAX_RATING:
        raise SuggestionReviewRefused(f"a rating is {MIN_RATING} to {MAX_RATING}")
    if target is SuggestionStatus.REWARDED and not (reward and reward.strip()):
        raise SuggestionReviewRefused("a reward must say what was given (e.g. 奖金 500 元)")
