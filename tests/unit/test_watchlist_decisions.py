"""What a rule run does with a finding, given the entry it already has (models.watchlist)."""

from __future__ import annotations

import pytest

from models.watchlist import (
    FindingOutcome,
    StoredEvidence,
    WatchlistStatus,
    decide_finding,
)

SAME, OTHER = "f-same", "f-other"


def test_a_new_finding_is_proposed_for_review() -> None:
    decision = decide_finding(SAME, None)
    assert decision.outcome is FindingOutcome.ADDED
    assert decision.status is WatchlistStatus.PROPOSED
    assert decision.audit_action == "watchlist.propose"
    assert decision.repropose


@pytest.mark.parametrize("status", [WatchlistStatus.PROPOSED, WatchlistStatus.ACTIVE])
def test_an_open_entry_keeps_its_status_and_is_audited_only_when_the_evidence_changed(
    status: WatchlistStatus,
) -> None:
    unchanged = decide_finding(SAME, StoredEvidence(status, fingerprint=SAME))
    assert unchanged.outcome is FindingOutcome.REFRESHED
    assert unchanged.status is status
    assert unchanged.audit_action is None
    assert not unchanged.repropose
    changed = decide_finding(SAME, StoredEvidence(status, fingerprint=OTHER))
    assert changed.outcome is FindingOutcome.REFRESHED
    assert changed.status is status
    assert changed.audit_action == "watchlist.evidence"


def test_an_entry_dismissed_on_the_same_evidence_stays_dismissed() -> None:
    stored = StoredEvidence(WatchlistStatus.DISMISSED, fingerprint=SAME, dismissed_fingerprint=SAME)
    assert decide_finding(SAME, stored).outcome is FindingOutcome.KEPT_DISMISSED


@pytest.mark.parametrize(
    "stored",
    [
        StoredEvidence(WatchlistStatus.DISMISSED, fingerprint=OTHER, dismissed_fingerprint=OTHER),
        StoredEvidence(WatchlistStatus.DISMISSED, fingerprint=SAME, dismissed_fingerprint=None),
        StoredEvidence(WatchlistStatus.EXPIRED, fingerprint=SAME),
    ],
)
def test_new_evidence_after_a_dismissal_or_an_expired_entry_is_proposed_again(
    stored: StoredEvidence,
) -> None:
    decision = decide_finding(SAME, stored)
    assert decision.outcome is FindingOutcome.ADDED
    assert decision.status is WatchlistStatus.PROPOSED
    assert decision.audit_action == "watchlist.propose"
    assert decision.repropose
