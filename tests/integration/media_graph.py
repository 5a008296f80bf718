"""Writes Feed, Subject, Story and Mention nodes in the media pipeline's shape (issue 6's
contract), so crisis tests and benchmarks need not wait for the real pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from graph.client import Graph

WRITE_FEEDS = """
UNWIND $rows AS row
MERGE (f:Feed {id: row.id})
SET f.name = row.name, f.url = row.url, f.high_impact = row.high_impact, f.weight = row.weight
"""

WRITE_SUBJECTS = """
UNWIND $rows AS row
MERGE (s:Subject {id: row.id})
SET s.kind = row.kind, s.name = row.name
"""

WRITE_STORIES = """
UNWIND $rows AS row
MERGE (st:Story {id: row.id})
SET st.title = row.title, st.first_seen_at = row.at, st.published_at = row.at,
    st.source_count = size(row.feeds), st.sentiment = row.sentiment,
    st.p_negative = row.p_negative
WITH st, row
UNWIND range(0, size(row.feeds) - 1) AS i
MATCH (f:Feed {id: row.feeds[i]})
MERGE (m:Mention {id: row.id + ':m' + toString(i)})
SET m.url = 'https://news.test/' + row.id + '/' + toString(i), m.title = row.title,
    m.summary = row.title, m.published_at = row.at, m.first_seen_at = row.at,
    m.sentiment = row.sentiment, m.p_negative = row.p_negative,
    m.p_neutral = (1.0 - row.p_negative) / 2, m.p_positive = (1.0 - row.p_negative) / 2
MERGE (m)-[:FROM]->(f)
MERGE (m)-[:IN_STORY]->(st)
WITH st, m, row
UNWIND row.subjects AS subject_id
CALL (subject_id) {
  MATCH (p:Party {id: subject_id}) RETURN p AS x
  UNION MATCH (s:Subject {id: subject_id}) RETURN s AS x
}
MERGE (st)-[:MENTIONS]->(x)
MERGE (m)-[:MENTIONS]->(x)
"""


@dataclass(frozen=True)
class FeedRow:
    id: str
    name: str
    high_impact: bool = False
    weight: float = 1.0


@dataclass(frozen=True)
class StoryRow:
    id: str
    at: datetime
    subjects: Sequence[str]
    feeds: Sequence[str] = ("feed:local",)
    title: str = "车险理赔拖延 投诉"
    p_negative: float = 0.9
    sentiment: str = "negative"


@dataclass
class MediaGraph:
    """A small writer for the media shapes the crisis detector reads."""

    graph: Graph
    feeds: list[FeedRow] = field(default_factory=list)

    async def add_feeds(self, *feeds: FeedRow) -> None:
        await self.graph.write(
            WRITE_FEEDS,
            rows=[
                {
                    "id": f.id,
                    "name": f.name,
                    "url": f"https://{f.id.split(':')[-1]}.test/rss",
                    "high_impact": f.high_impact,
                    "weight": f.weight,
                }
                for f in feeds
            ],
        )

    async def add_subject(self, subject_id: str, kind: str, name: str) -> None:
        await self.graph.write(
            WRITE_SUBJECTS, rows=[{"id": subject_id, "kind": kind, "name": name}]
        )

    async def add_stories(self, stories: Sequence[StoryRow], batch: int = 2000) -> None:
        rows = [
            {
                "id": s.id,
                "at": s.at,
                "subjects": list(s.subjects),
                "feeds": list(s.feeds),
                "title": s.title,
                "p_negative": s.p_negative,
                "sentiment": s.sentiment,
            }
            for s in stories
        ]
        for start in range(0, len(rows), batch):
            await self.graph.write(WRITE_STORIES, rows=rows[start : start + batch])


async def standard_media(graph: Graph) -> MediaGraph:
    """Feeds (one local, one high-impact national) and three subjects."""
    media = MediaGraph(graph)
    await media.add_feeds(
        FeedRow("feed:local", "本地晚报"),
        FeedRow("feed:forum", "车友论坛", weight=0.5),
        FeedRow("feed:cctv", "央视财经", high_impact=True, weight=2.0),
    )
    await media.add_subject("subject:acme", "COMPANY", "安盛保险")
    await media.add_subject("subject:car-insurance", "PRODUCT", "车险")
    await media.add_subject("subject:new-app", "PRODUCT", "新版APP")
    return media
