"""`riskwatch score` is a registered subcommand, and the backlog setting picks what a
scoring worker takes."""

from __future__ import annotations

from api.cli import build_parser
from api.commands import score
from graph.media.story_scores import BACKLOG, LINKED
from monitors.feeds.score_worker import max_priority


def test_score_is_a_subcommand_with_once() -> None:
    args = build_parser().parse_args(["score", "--once"])
    assert args.handler is score.run
    assert args.once is True


def test_never_takes_only_linked_stories() -> None:
    assert max_priority("idle") == BACKLOG
    assert max_priority("never") == LINKED
