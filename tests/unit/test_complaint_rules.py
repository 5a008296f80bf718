"""Complaint deadlines (15/30/60 days, across month ends and leap years), the channel ladder,
repeat detection, joint-review triggers and guide matching, with fixed dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from models.complaints import (
    ApproverRequired,
    ComplaintFinished,
    DeadlinePassed,
    EscalationRefused,
    ExtensionLimitReached,
    GuideCandidate,
    PriorComplaint,
    best_guide,
    escalation_target,
    extend_deadline,
    initial_due,
    is_overdue,
    joint_review_reasons,
    next_channel,
    repeats_of,
)
from models.errors import InvalidInput
from models.records import ComplaintCategory, ComplaintChannel, ComplaintStatus

CST = timezone(timedelta(hours=8))


def at(y: int, m: int, d: int, h: int = 10, tz: timezone = UTC) -> datetime:
    return datetime(y, m, d, h, tzinfo=tz)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 1, 20), at(2026, 2, 4)),  # across a month end
        (at(2026, 2, 20), at(2026, 3, 7)),  # February, 28 days
        (at(2024, 2, 20), at(2024, 3, 6)),  # leap year: Feb 29 counts
        (at(2026, 12, 25), at(2027, 1, 9)),  # across a year end
        (at(2026, 3, 31, 23, CST), at(2026, 4, 15, 23, CST)),  # local time kept
    ],
)
def test_deadline_is_15_calendar_days_from_receipt(received: datetime, due: datetime) -> None:
    assert initial_due(received) == due


def test_deadline_needs_a_timezone() -> None:
    with pytest.raises(InvalidInput, match="timezone"):
        initial_due(datetime(2026, 1, 1, 10))


def _extend(
    received: datetime,
    due: datetime,
    extensions: int,
    approver: str | None = None,
    now: datetime | None = None,
    status: ComplaintStatus = ComplaintStatus.OPEN,
) -> datetime:
    return extend_deadline(
        received_at=received,
        due_at=due,
        extensions=extensions,
        status=status,
        approver=approver,
        now=now or received + timedelta(days=1),
    ).due_at


def test_first_extension_goes_to_30_days_from_receipt_across_february() -> None:
    received = at(2026, 1, 31)
    assert _extend(received, initial_due(received), 0) == at(2026, 3, 2)
    leap = at(2024, 1, 31)
    assert _extend(leap, initial_due(leap), 0) == at(2024, 3, 1)


def test_second_extension_needs_an_approver_and_reaches_60_days() -> None:
    received = at(2026, 1, 15)
    first = _extend(received, initial_due(received), 0)
    assert first == at(2026, 2, 14)
    with pytest.raises(ApproverRequired, match="approver"):
        _extend(received, first, 1, approver=None)
    with pytest.raises(ApproverRequired):
        _extend(received, first, 1, approver="   ")
    second = _extend(received, first, 1, approver="王经理")
    assert second == at(2026, 3, 16)
    assert second - received == timedelta(days=60)


def test_no_extension_beyond_60_days() -> None:
    received = at(2024, 2, 1)
    cap = received + timedelta(days=60)
    with pytest.raises(ExtensionLimitReached, match="60"):
        _extend(received, cap, 2, approver="王经理")


def test_second_extension_is_capped_at_60_days_from_receipt() -> None:
    # A deadline already past 30 days (e.g. imported) is never pushed beyond the cap.
    received = at(2026, 1, 1)
    capped = _extend(received, received + timedelta(days=40), 1, approver="王经理")
    assert capped == received + timedelta(days=60)


def test_extension_after_the_deadline_or_of_a_finished_complaint_is_refused() -> None:
    received = at(2026, 1, 1)
    due = initial_due(received)
    with pytest.raises(DeadlinePassed):
        _extend(received, due, 0, now=due + timedelta(seconds=1))
    with pytest.raises(DeadlinePassed):
        _extend(received, due, 0, status=ComplaintStatus.OVERDUE)
    with pytest.raises(ComplaintFinished):
        _extend(received, due, 0, status=ComplaintStatus.RESOLVED)


def test_overdue_only_when_open_and_past_deadline() -> None:
    due = at(2026, 2, 1)
    assert is_overdue(ComplaintStatus.OPEN, due, due + timedelta(minutes=1))
    assert not is_overdue(ComplaintStatus.OPEN, due, due)
    assert not is_overdue(ComplaintStatus.RESOLVED, due, due + timedelta(days=9))
    assert is_overdue(ComplaintStatus.OVERDUE, due, due - timedelta(days=1))


def test_channel_ladder_goes_up_only() -> None:
    open_ = ComplaintStatus.OPEN
    assert next_channel(ComplaintChannel.FRONTLINE) is ComplaintChannel.HOTLINE
    assert next_channel(ComplaintChannel.MEDIA) is None
    assert escalation_target(ComplaintChannel.FRONTLINE, open_, None) is ComplaintChannel.HOTLINE
    assert (
        escalation_target(ComplaintChannel.HOTLINE, open_, ComplaintChannel.MEDIA)
        is ComplaintChannel.MEDIA
    )
    with pytest.raises(EscalationRefused, match="not above"):
        escalation_target(ComplaintChannel.REGULATOR, open_, ComplaintChannel.HOTLINE)
    with pytest.raises(EscalationRefused, match="not above"):
        escalation_target(ComplaintChannel.ONLINE, open_, ComplaintChannel.ONLINE)
    with pytest.raises(EscalationRefused, match="top"):
        escalation_target(ComplaintChannel.MEDIA, open_, None)
    with pytest.raises(EscalationRefused, match="closed"):
        escalation_target(ComplaintChannel.HOTLINE, ComplaintStatus.CLOSED, None)


def _prior(
    pid: str,
    received: datetime,
    about: set[str],
    status: ComplaintStatus = ComplaintStatus.CLOSED,
    closed: datetime | None = None,
    category: ComplaintCategory = ComplaintCategory.CLAIMS,
) -> PriorComplaint:
    return PriorComplaint(pid, category, status, received, closed, frozenset(about))


def test_repeat_needs_same_matter_and_open_or_recent() -> None:
    now = at(2026, 9, 1)
    priors = [
        _prior("old-closed", at(2025, 1, 1), {"claim:L1"}, closed=at(2025, 1, 20)),
        _prior("old-open", at(2025, 1, 1), {"claim:L2"}, status=ComplaintStatus.OPEN),
        _prior("recent", at(2026, 8, 1), {"policy:P1"}, closed=at(2026, 8, 5)),
        _prior("other-matter", at(2026, 8, 1), {"claim:L9"}),
    ]
    assert repeats_of(priors, {"claim:L1"}, ComplaintCategory.CLAIMS, now) == []
    assert repeats_of(priors, {"claim:L2"}, ComplaintCategory.CLAIMS, now) == ["old-open"]
    assert repeats_of(priors, {"claim:L3", "policy:P1"}, ComplaintCategory.CLAIMS, now) == [
        "recent"
    ]
    # Without subjects, the same category is the same matter.
    no_subject = [_prior("s", at(2026, 8, 1), set(), category=ComplaintCategory.SERVICE)]
    assert repeats_of(no_subject, set(), ComplaintCategory.SERVICE, now) == ["s"]
    assert repeats_of(no_subject, set(), ComplaintCategory.SALES, now) == []


def test_joint_review_for_repeats_and_regulator_or_media() -> None:
    assert joint_review_reasons(ComplaintChannel.HOTLINE, False) == []
    assert joint_review_reasons(ComplaintChannel.HOTLINE, True) == ["REPEAT"]
    assert joint_review_reasons(ComplaintChannel.REGULATOR, False) == ["REGULATOR"]
    assert joint_review_reasons(ComplaintChannel.MEDIA, True) == ["REPEAT", "MEDIA"]


def test_guide_matching_prefers_most_keywords_in_category() -> None:
    guides = [
        GuideCandidate("guide:denial", ComplaintCategory.CLAIMS, ["拒赔", "理由"]),
        GuideCandidate("guide:low", ComplaintCategory.CLAIMS, ["定损", "金额", "太低"]),
        GuideCandidate("guide:claims-general", ComplaintCategory.CLAIMS, []),
        GuideCandidate("guide:premium", ComplaintCategory.UNDERWRITING, ["保费"]),
    ]
    claims = ComplaintCategory.CLAIMS
    assert best_guide(guides, claims, "定损金额太低", ["定损", "金额"]) == "guide:low"
    assert best_guide(guides, claims, "拒赔理由不合理", []) == "guide:denial"
    assert best_guide(guides, claims, "发票没寄到", []) == "guide:claims-general"
    assert best_guide(guides, ComplaintCategory.SALES, "保费", []) is None
