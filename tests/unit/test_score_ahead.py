"""Scoring a round's linked entries while its feeds are still fetched (monitors.feeds.score_ahead):
what is scored ahead is reused only when text and links match, stored entries and repeated
texts are not scored, failures fall back to the cycle, errors in the block come out as
themselves."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
import pytest

from models.media import FeedEntry
from monitors.feeds.score_ahead import scoring_ahead
from monitors.feeds.scoring import StoryToScore

NOW = datetime(2024, 10, 18, 8, 0, tzinfo=UTC)
NAMES = {"瑞安保险": "subject:company", "鑫达汽修": "party:shop"}


@dataclass(frozen=True)
class _Score:
    label: str
    probabilities: Mapping[str, float]


class _Scorer:
    """Negative when the text says 投诉; records every text it scores."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def score(self, texts: Sequence[str]) -> list[_Score]:
        self.texts += texts
        out = []
        for text in texts:
            label = "negative" if "投诉" in text else "positive"
            probabilities = {"negative": 0.1, "neutral": 0.1, "positive": 0.1} | {label: 0.8}
            out.append(_Score(label, probabilities))
        return out


def _links(folded: str) -> dict[str, str]:
    return {node: name for name, node in NAMES.items() if name in folded}


def _entry(n: int, text: str, title: str = "") -> FeedEntry:
    return FeedEntry(
        "feed:1", title or f"标题{n}", text, f"https://x.cn/{n}", f"g{n}", NOW, NOW, "zh"
    )


def _text(entry: FeedEntry) -> str:
    return f"{entry.title}\n{entry.summary}"


async def _stored_none(ids: list[str]) -> dict[str, object]:
    return {}


async def _until(condition: Callable[[], bool]) -> None:
    """Poll, with a deadline, until the background scorer has done its part."""
    with anyio.fail_after(10):
        for _ in range(1000):
            if condition():
                return
            await anyio.sleep(0.01)


async def test_scored_ahead_results_are_reused_and_only_the_rest_is_scored() -> None:
    scorer = _Scorer()
    named = _entry(1, "车主投诉瑞安保险理赔慢")
    copy = _entry(2, "车主投诉瑞安保险理赔慢", title="转载")  # same body: scored once
    shop = _entry(3, "鑫达汽修获好评")
    plain = _entry(4, "今日天气晴")  # names nobody: never offered
    async with scoring_ahead(scorer, _stored_none, _links, _text) as ahead:
        ahead.offer([named, copy, shop, plain])
        await _until(lambda: ahead.scored == 2)
        late = _entry(5, "瑞安保险推出新产品")
        wanted = [
            StoryToScore("story:1", _text(named), {"subject:company": "瑞安保险"}),
            # a stored story that only needs its link scored
            StoryToScore("story:3", _text(shop), {"party:shop": "鑫达汽修"}, whole_story=False),
            # its links differ from what was offered: scored now
            StoryToScore("story:5", _text(late), {"subject:company": "瑞安保险"}),
        ]
        scored = await ahead.score(wanted)
    assert scorer.texts == [_text(named), _text(shop), _text(late)], "each text scored once"
    assert [s.story_id for s in scored] == ["story:1", "story:3", "story:5"]
    assert ahead.used == 2
    assert scored[0].sentiment is not None
    assert scored[0].sentiment.label == "negative"
    assert scored[0].links["subject:company"].label == "negative"
    assert scored[1].sentiment is None
    assert scored[1].links["party:shop"].label == "positive"
    assert scored[2].sentiment is not None


async def test_stored_entries_are_not_scored_ahead() -> None:
    scorer = _Scorer()
    old, new = _entry(1, "车主投诉瑞安保险"), _entry(2, "瑞安保险获奖")

    async def stored(ids: list[str]) -> dict[str, object]:
        return {old.mention_id: ["feed:1"]} if old.mention_id in ids else {}

    async with scoring_ahead(scorer, stored, _links, _text) as ahead:
        ahead.offer([old, new])
        await _until(lambda: ahead.scored == 1)
        await ahead.score([])
    assert scorer.texts == [_text(new)]


async def test_without_a_linker_nothing_is_offered_and_everything_is_scored_at_the_end() -> None:
    scorer = _Scorer()
    entry = _entry(1, "车主投诉瑞安保险")
    async with scoring_ahead(scorer, _stored_none, None, _text) as ahead:
        ahead.offer([entry])
        scored = await ahead.score([StoryToScore("s", _text(entry), {"subject:company": "x"})])
    assert (ahead.scored, ahead.used, len(scored)) == (0, 0, 1)
    assert scorer.texts == [_text(entry)]


async def test_failures_ahead_leave_the_scoring_to_the_cycle() -> None:
    scorer = _Scorer()
    entry = _entry(1, "车主投诉瑞安保险")

    async def lookup_fails(ids: list[str]) -> dict[str, object]:
        raise ConnectionError("the database is down")

    def linking_fails(folded: str) -> dict[str, str]:
        raise RuntimeError("broken automaton")

    item = StoryToScore("s", _text(entry), {"subject:company": "瑞安保险"})
    for stored, links in ((lookup_fails, _links), (_stored_none, linking_fails)):
        async with scoring_ahead(scorer, stored, links, _text) as ahead:
            ahead.offer([entry])  # never raises
            scored = await ahead.score([item])
        assert (ahead.used, [s.story_id for s in scored]) == (0, ["s"])


async def test_an_error_in_the_block_comes_out_as_itself() -> None:
    with pytest.raises(LookupError, match="not in a group"):
        async with scoring_ahead(_Scorer(), _stored_none, _links, _text):
            raise LookupError("not in a group")
