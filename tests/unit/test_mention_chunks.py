"""Splitting a poll cycle's writes into chunks of whole stories (graph.media.mentions)."""

from __future__ import annotations

from typing import Any

import pytest

from graph.media.mentions import MentionBatch


def _batch() -> MentionBatch:
    """Five new stories (s1 syndicated: three mentions; s2 and s4 name someone and are
    scored), a stored story (old) continued by one mention that names the company, and a
    stored story (sourced) whose stored mention turned up in another feed."""
    batch = MentionBatch()
    for n in range(1, 6):
        batch.stories.append({"id": f"s{n}", "props": {}})
    mentions = [("m1a", "s1"), ("m1b", "s1"), ("m1c", "s1"), ("m2", "s2"), ("m3", "s3")]
    mentions += [("m4", "s4"), ("m5", "s5"), ("m6", "old")]
    for mention_id, story_id in mentions:
        batch.mentions.append({"id": mention_id, "story_id": story_id, "feed_ids": ["f"]})
    batch.party_links.append({"mention_id": "m4", "story_id": "s4", "node_id": "party:1"})
    batch.subject_links += [
        {"mention_id": "m2", "story_id": "s2", "node_id": "subject:c"},
        {"mention_id": "m6", "story_id": "old", "node_id": "subject:c"},
    ]
    batch.scores = [{"id": story_id, "props": None, "links": []} for story_id in ("s2", "s4")]
    batch.scores.append({"id": "old", "props": None, "links": []})
    batch.sources = [{"mention_id": "m9", "feed_id": "g", "story_id": "sourced"}]
    batch.touched_stories = {"s1", "s2", "s3", "s4", "s5", "old", "sourced"}
    return batch


def _story_of(row: dict[str, Any]) -> str:
    return str(row.get("story_id", row.get("id")))


def test_chunks_hold_whole_stories_every_row_once_scored_stories_first() -> None:
    batch = _batch()
    parts = batch.chunks(2)
    assert [sorted(p.touched_stories) for p in parts] == [
        ["s2", "s4"],
        ["old", "s1"],
        ["s3", "s5"],
        ["sourced"],
    ]
    for name in ("stories", "mentions", "party_links", "subject_links", "scores", "sources"):
        rows = [row for part in parts for row in getattr(part, name)]
        assert sorted(map(repr, rows)) == sorted(map(repr, getattr(batch, name))), name
        for part in parts:
            assert {_story_of(row) for row in getattr(part, name)} <= part.touched_stories
    assert [len(p.mentions) for p in parts] == [2, 4, 2, 0], "s1's three mentions together"


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
def test_no_chunk_holds_more_than_its_size(size: int) -> None:
    parts = _batch().chunks(size)
    assert all(len(p.touched_stories) <= size for p in parts)
    assert sum(len(p.touched_stories) for p in parts) == 7
    assert len(parts) == -(-7 // size)


def test_an_empty_batch_has_no_chunks_and_a_size_below_one_is_refused() -> None:
    assert MentionBatch().chunks(10) == []
    with pytest.raises(ValueError, match="at least 1"):
        _batch().chunks(0)
