"""Lines of business in a renewal check: the legal limit per line, configured over defaults."""

from __future__ import annotations

import pytest

from models.renewal import EntryRef, RenewalAction
from models.renewal_lines import (
    COMPULSORY_MOTOR,
    UnknownProductLine,
    apply_legal_limit,
    legal_limits,
    line_of_business,
)

FRAUD = EntryRef("watch:1", "FRAUD_LINKED", "ACTIVE")
PROPOSED = EntryRef("watch:2", "MANUAL", "PROPOSED")


def test_compulsory_motor_is_never_declined_nor_delayed() -> None:
    line = line_of_business(" 交强险 ", legal_limits({}))
    assert line.product == COMPULSORY_MOTOR
    limited = apply_legal_limit(
        RenewalAction.DECLINE,
        [(FRAUD, RenewalAction.DECLINE), (PROPOSED, RenewalAction.REVIEW)],
        line,
    )
    assert limited.action is RenewalAction.RENEW_WITH_CONDITIONS
    assert limited.limited
    assert limited.wanted is RenewalAction.DECLINE
    assert limited.reasons == [
        (FRAUD, RenewalAction.RENEW_WITH_CONDITIONS, RenewalAction.DECLINE),
        (PROPOSED, RenewalAction.RENEW_WITH_CONDITIONS, RenewalAction.REVIEW),
    ]


def test_a_commercial_line_and_no_line_change_nothing() -> None:
    reasons = [(FRAUD, RenewalAction.DECLINE)]
    for line in (line_of_business("车损险", legal_limits({})), None):
        limited = apply_legal_limit(RenewalAction.DECLINE, reasons, line)
        assert limited.action is RenewalAction.DECLINE
        assert not limited.limited
        assert limited.reasons == [(FRAUD, RenewalAction.DECLINE, None)]


def test_a_decision_within_the_limit_is_not_marked() -> None:
    line = line_of_business(COMPULSORY_MOTOR, legal_limits({}))
    no_reasons: list[tuple[EntryRef, RenewalAction]] = []
    limited = apply_legal_limit(RenewalAction.RENEW, no_reasons, line)
    assert limited.action is RenewalAction.RENEW
    assert not limited.limited


def test_configured_lines_add_to_and_override_the_defaults() -> None:
    limits = legal_limits({"ＰＥＴ 宠物险": "REVIEW", "车损险": RenewalAction.RENEW})
    assert line_of_business("pet宠物险", limits).strongest_allowed is RenewalAction.REVIEW
    assert line_of_business("车损险", limits).strongest_allowed is RenewalAction.RENEW
    assert line_of_business("交强险", limits).strongest_allowed is (
        RenewalAction.RENEW_WITH_CONDITIONS
    )


def test_an_unknown_or_empty_line_is_a_clear_error() -> None:
    with pytest.raises(UnknownProductLine, match=r"'宠物险' is not a known line.*交强险"):
        line_of_business("宠物险", legal_limits({}))
    with pytest.raises(UnknownProductLine, match="empty"):
        line_of_business("  ", legal_limits({}))
