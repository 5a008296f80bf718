"""What complaint-risk signals weigh and how customers rank by them (models.complaint_risk)."""

from __future__ import annotations

from datetime import date

from models.complaint_risk import (
    RiskSignal,
    RiskSignalCode,
    denied_claim_signals,
    pending_claim_signal,
    prior_complaints_signal,
    rank_risks,
    risk_score,
)

SINCE = date(2025, 6, 1)


def test_a_pending_claim_weighs_one() -> None:
    signal = pending_claim_signal(45)
    assert (signal.code, signal.weight) == (RiskSignalCode.PENDING_CLAIM, 1)
    assert signal.detail == "claim pending for 45 days"


def test_a_denied_claim_weighs_three_per_kind_of_contact_that_followed() -> None:
    assert denied_claim_signals(grievances=0, hotline=1, hotline_contacts=2) == []
    [grievance] = denied_claim_signals(grievances=2, hotline=1, hotline_contacts=2)
    assert (grievance.code, grievance.weight) == (RiskSignalCode.DENIED_THEN_GRIEVANCE, 3)
    assert grievance.detail == "claim denied, then 2 frontline grievance(s)"
    both = denied_claim_signals(grievances=1, hotline=2, hotline_contacts=2)
    assert [s.code for s in both] == [
        RiskSignalCode.DENIED_THEN_GRIEVANCE,
        RiskSignalCode.DENIED_THEN_HOTLINE,
    ]
    assert risk_score(both) == 6


def test_prior_complaints_count_up_to_three_plus_one_for_a_regulator_or_the_media() -> None:
    assert prior_complaints_signal(1, ["HOTLINE"], SINCE).weight == 1
    assert prior_complaints_signal(7, ["HOTLINE"], SINCE).weight == 3
    escalated = prior_complaints_signal(2, ["REGULATOR", "HOTLINE"], SINCE)
    assert escalated.weight == 3
    assert escalated.detail == "2 complaint(s) on this matter since 2025-06-01 (HOTLINE, REGULATOR)"
    assert prior_complaints_signal(5, ["MEDIA"], SINCE).weight == 4


def test_ranking_is_by_score_then_customer_then_claim() -> None:
    low = [RiskSignal(RiskSignalCode.PENDING_CLAIM, "", 1)]
    high = [RiskSignal(RiskSignalCode.DENIED_THEN_HOTLINE, "", 3)]
    found = {
        ("cust:b", "claim:1"): low,
        ("cust:a", "claim:2"): low,
        ("cust:a", None): low,
        ("cust:c", "claim:3"): high,
    }
    ranked = [key for key, _ in rank_risks(found, limit=3)]
    assert ranked == [("cust:c", "claim:3"), ("cust:a", None), ("cust:a", "claim:2")]
