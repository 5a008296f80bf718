"""A staff suggestion's review: allowed moves, final statuses, ratings and rewards."""

from __future__ import annotations

import pytest

from models.feedback import NEXT_STATUSES, SuggestionReviewRefused, SuggestionStatus, check_review

S = SuggestionStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.SUBMITTED, S.ADOPTED),
        (S.SUBMITTED, S.REJECTED),
        (S.UNDER_REVIEW, S.ADOPTED),
        (S.UNDER_REVIEW, S.REJECTED),
        (S.ADOPTED, S.REWARDED),
    ],
)
def test_allowed_moves(current: SuggestionStatus, target: SuggestionStatus) -> None:
    check_review(current, target, rating=4, reward="奖金 500 元")


def test_final_statuses_and_backward_moves_are_refused() -> None:
    assert NEXT_STATUSES[S.REJECTED] == NEXT_STATUSES[S.REWARDED] == frozenset()
    with pytest.raises(SuggestionReviewRefused, match=r"REJECTED cannot become ADOPTED.*final"):
        check_review(S.REJECTED, S.ADOPTED, rating=None, reward=None)
    with pytest.raises(SuggestionReviewRefused, match="ADOPTED cannot become UNDER_REVIEW"):
        check_review(S.ADOPTED, S.UNDER_REVIEW, rating=None, reward=None)
    with pytest.raises(SuggestionReviewRefused, match="SUBMITTED cannot become REWARDED"):
        check_review(S.SUBMITTED, S.REWARDED, rating=None, reward="x")


def test_ratings_and_rewards_are_checked() -> None:
    with pytest.raises(SuggestionReviewRefused, match="rating is 1 to 5"):
        check_review(S.SUBMITTED, S.ADOPTED, rating=6, reward=None)
    with pytest.raises(SuggestionReviewRefused, match="reward must say"):
        check_review(S.ADOPTED, S.REWARDED, rating=None, reward="  ")
