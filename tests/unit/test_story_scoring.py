"""Scoring stories leaves the event loop: every call into the scorer (texts, text-entity
pairs, or both in one pass) runs on a worker thread, as the pipeline, the scoring worker
and the monitor's backlog all score through ``monitors.feeds.scoring``."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from monitors.feeds.scoring import StoryToScore, score_with_links
from monitors.sentiment import Score, Sentiment

NEUTRAL = Score(Sentiment.NEUTRAL, {s: 0.6 if s is Sentiment.NEUTRAL else 0.2 for s in Sentiment})
STORIES = [
    StoryToScore("story:1", "理赔很慢", {"party:a": "甲公司"}),
    StoryToScore("story:2", "服务不错", {}),
]


class _ThreadRecorder:
    """Records the thread of each call into the scorer, by method name."""

    def __init__(self) -> None:
        self.threads: dict[str, int] = {}

    def score(self, texts: Sequence[str]) -> list[Score]:
        self.threads["score"] = threading.get_ident()
        return [NEUTRAL for _ in texts]


class _AboutScorer(_ThreadRecorder):
    def score_about(self, pairs: Sequence[tuple[str, str]]) -> list[Score]:
        self.threads["score_about"] = threading.get_ident()
        return [NEUTRAL for _ in pairs]


class _OnePassScorer(_ThreadRecorder):
    def score_with_entities(
        self, items: Sequence[tuple[str, Sequence[str]]]
    ) -> list[tuple[Score, list[Score]]]:
        self.threads["score_with_entities"] = threading.get_ident()
        return [(NEUTRAL, [NEUTRAL for _ in names]) for _, names in items]


async def test_texts_and_pairs_are_scored_off_the_event_loop_thread() -> None:
    scorer = _AboutScorer()
    scored = await score_with_links(scorer, STORIES)
    assert [s.story_id for s in scored] == ["story:1", "story:2"]
    assert set(scorer.threads) == {"score", "score_about"}
    assert threading.get_ident() not in scorer.threads.values()


async def test_a_one_pass_scorer_runs_off_the_event_loop_thread() -> None:
    scorer = _OnePassScorer()
    scored = await score_with_links(scorer, STORIES)
    assert scored[0].links.keys() == {"party:a"}
    assert set(scorer.threads) == {"score_with_entities"}
    assert threading.get_ident() not in scorer.threads.values()


async def test_a_plain_scorer_runs_off_the_event_loop_thread() -> None:
    scorer = _ThreadRecorder()
    scored = await score_with_links(scorer, STORIES)
    assert scored[0].links["party:a"].label == "neutral"  # a link reads like its story
    assert set(scorer.threads) == {"score"}
    assert threading.get_ident() not in scorer.threads.values()
