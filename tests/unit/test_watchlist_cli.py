"""``riskwatch watchlist run`` parses its rules and clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.cli import build_parser


def test_watchlist_run_takes_rules_and_an_instant() -> None:
    args = build_parser().parse_args(
        ["watchlist", "run", "--rule", "REPEAT_COMPLAINANT", "--now", "2026-11-20T00:00:00+00:00"]
    )
    assert args.rule == ["REPEAT_COMPLAINANT"]
    assert args.now == datetime(2026, 11, 20, tzinfo=UTC)


def test_watchlist_run_refuses_unknown_rules(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["watchlist", "run", "--rule", "MANUAL"])
    assert "invalid choice" in capsys.readouterr().err
