"""Spike detection and absolute triggers against a replayed fortnight of coverage."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import datetime, timedelta
from typing import Any

from graph.client import Graph
from graph.crisis.alerts import AlertRepository
from models.crisis import AlertDraft, AlertKind, Severity
from models.crisis_plan import parse_plan
from monitors.crisis.plans import DEFAULT_PLAN_FILE
from tests.integration.crisis_fixtures import EPOCH, MovableClock, make_detector
from tests.integration.media_graph import MediaGraph, StoryRow, standard_media

POLL = timedelta(hours=1)
SPIKE_DAY = 14


def _quiet(
    subject: str, rate_per_hour: float, start: datetime, end: datetime, seed: int
) -> list[StoryRow]:
    rng = random.Random(seed)
    stories: list[StoryRow] = []
    at = start
    while at < end:
        if rng.random() < rate_per_hour / 60:
            feed = rng.choice(["feed:local", "feed:forum"])
            stories.append(
                StoryRow(
                    f"{subject}:{at:%d%H%M}",
                    at,
                    [subject],
                    [feed],
                    p_negative=rng.uniform(0.6, 0.95),
                )
            )
        at += timedelta(minutes=1)
    return stories


async def _alerts(graph: Graph) -> list[dict[str, Any]]:
    records = await graph.read("MATCH (a:Alert) RETURN a {.*} AS a ORDER BY a.opened_at")
    return [dict(r["a"]) for r in records]


async def test_fortnight_replay_raises_exactly_the_planted_spike(graph: Graph) -> None:
    media = await standard_media(graph)
    spike_at = EPOCH + timedelta(days=SPIKE_DAY, hours=10)
    end = EPOCH + timedelta(days=SPIKE_DAY, hours=14)
    stories = _quiet("subject:car-insurance", 0.3, EPOCH, end, seed=11)
    stories += _quiet("subject:acme", 0.5, EPOCH, end, seed=12)
    # The planted spike: eight stories, each copied by two feeds, within the hour.
    stories += [
        StoryRow(
            f"spike:{i}",
            spike_at + timedelta(minutes=5 + 6 * i),
            ["subject:car-insurance"],
            ["feed:local", "feed:forum"],
            title="车险 理赔拖延 车主维权",
        )
        for i in range(8)
    ]
    # A new subject: two days of history, then a burst that warm-up must not let fire.
    stories += _quiet("subject:new-app", 2.0, end - timedelta(days=2), end, seed=13)
    stories += [
        StoryRow(f"app:{i}", spike_at + timedelta(minutes=3 * i), ["subject:new-app"])
        for i in range(15)
    ]
    await media.add_stories(stories)

    clock = MovableClock(EPOCH)
    detector = make_detector(graph, clock)
    first_alert_at = None
    while clock.now < end:
        previous = clock.now
        now = clock.advance(POLL)
        batch = [s.id for s in stories if previous < s.at <= now]
        raised = await detector.on_new_stories(batch)
        if raised and first_alert_at is None:
            first_alert_at = now

    alerts = await _alerts(graph)
    assert len(alerts) == 1, alerts
    alert = alerts[0]
    assert alert["subject_id"] == "subject:car-insurance"
    assert alert["kind"] == "SPIKE"
    assert alert["severity"] == Severity.WARNING
    # Raised at the first poll after the spike's stories arrived: within one polling interval.
    assert first_alert_at == spike_at + POLL
    explanation = json.loads(alert["explanation"])
    # Eight stories at confidence 0.9: copies in a second feed do not count twice.
    assert explanation["window_count"] == 7.2
    assert explanation["baseline"] == "same hour of day"
    assert explanation["z_score"] >= 6
    assert {s["feed"] for s in explanation["top_sources"]} == {"本地晚报", "车友论坛"}
    assert "理赔" in explanation["top_terms"]
    cited = await graph.read(
        "MATCH (:Alert {id: $id})-[:CITES]->(n) RETURN labels(n)[0] AS label, count(*) AS n",
        id=alert["id"],
    )
    assert {r["label"]: r["n"] for r in cited} == {"Mention": 16, "Story": 8}
    cases = await graph.read(
        "MATCH (c:CrisisCase)-[:HAS_ALERT]->(:Alert {id: $id}) "
        "RETURN c.severity AS severity, COUNT { (c)-[:HAS_STEP]->() } AS steps",
        id=alert["id"],
    )
    assert [(r["severity"], r["steps"]) for r in cases] == [("WARNING", 3)]


async def _regular_history(media_graph: MediaGraph, subject: str, days: int, now: datetime) -> None:
    """One story every four hours at half past, for ``days`` before ``now``."""
    start = now - timedelta(days=days)
    await media_graph.add_stories(
        [
            StoryRow(f"{subject}:h{h}", start + timedelta(hours=h, minutes=30), [subject])
            for h in range(0, days * 24, 4)
        ]
    )


async def test_a_running_spike_updates_its_alert(graph: Graph) -> None:
    media = await standard_media(graph)
    now = EPOCH + timedelta(days=10, hours=11)
    await _regular_history(media, "subject:car-insurance", 10, now - timedelta(hours=11))
    first = [
        StoryRow(f"s1:{i}", now - timedelta(minutes=40 - i), ["subject:car-insurance"])
        for i in range(6)
    ]
    await media.add_stories(first)
    clock = MovableClock(now)
    detector = make_detector(graph, clock)
    [raised] = await detector.on_new_stories([s.id for s in first])
    assert raised.created
    assert raised.severity is Severity.WATCH

    second = [
        StoryRow(f"s2:{i}", now + timedelta(minutes=5 + i), ["subject:car-insurance"])
        for i in range(4)
    ]
    await media.add_stories(second)
    clock.advance(timedelta(minutes=10))
    [again] = await detector.on_new_stories([s.id for s in second])
    assert again.id == raised.id
    assert not again.created
    assert again.severity is Severity.WARNING

    # Still spiking, same severity: the alert is updated, nobody is notified again.
    third = [StoryRow("s3:0", clock.now + timedelta(minutes=1), ["subject:car-insurance"])]
    await media.add_stories(third)
    clock.advance(timedelta(minutes=2))
    [still] = await detector.on_new_stories(["s3:0"])
    assert still.id == raised.id
    assert not still.notified
    alerts = await _alerts(graph)
    assert len(alerts) == 1
    assert alerts[0]["window_count"] > 9
    assert alerts[0]["updated_at"].to_native() == clock.now


async def test_high_impact_source_raises_an_alert_on_one_story(graph: Graph) -> None:
    media = await standard_media(graph)
    clock = MovableClock(EPOCH + timedelta(hours=5))
    story = StoryRow("cctv:1", clock.now, ["subject:acme"], ["feed:cctv", "feed:local"])
    neutral = StoryRow("cctv:2", clock.now, ["subject:acme"], ["feed:cctv"], sentiment="neutral")
    await media.add_stories([story, neutral])
    raised = await make_detector(graph, clock).on_new_stories(["cctv:1", "cctv:2"])
    assert [(r.severity, r.case_id is not None) for r in raised] == [(Severity.WARNING, True)]
    [alert] = await _alerts(graph)
    assert alert["kind"] == "HIGH_IMPACT_SOURCE"
    assert json.loads(alert["explanation"])["top_sources"] == ["央视财经"]


async def test_story_about_a_party_with_an_open_regulator_complaint_raises_an_alert(
    graph: Graph,
) -> None:
    media = await standard_media(graph)
    await graph.write(
        "CREATE (c:Customer:Party {id: 'customer:C8000100', name: '钱多多'})"
        "-[:FILED]->(:Complaint {id: 'complaint:K1', complaint_no: 'K1', channel: 'REGULATOR',"
        " status: 'OPEN'}) "
        "CREATE (c)-[:FILED]->(:Complaint {id: 'complaint:K0', complaint_no: 'K0',"
        " channel: 'REGULATOR', status: 'CLOSED'})"
    )
    clock = MovableClock(EPOCH + timedelta(hours=5))
    await media.add_stories([StoryRow("reg:1", clock.now, ["customer:C8000100"])])
    [raised] = await make_detector(graph, clock).on_new_stories(["reg:1"])
    assert raised.severity is Severity.WARNING
    [alert] = await _alerts(graph)
    assert alert["kind"] == "REGULATOR_LINK"
    assert json.loads(alert["explanation"])["regulator_complaints"] == ["complaint:K1"]


async def test_concurrent_raises_of_the_same_alert_make_one_alert(graph: Graph) -> None:
    await standard_media(graph)
    draft = AlertDraft("subject:acme", "安盛保险", AlertKind.SPIKE, Severity.WARNING, {})
    plan = parse_plan(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    repo = AlertRepository(graph)
    raised = await asyncio.gather(
        *(repo.raise_alert(draft, plan, EPOCH, timedelta(hours=6)) for _ in range(6))
    )
    assert len({r.id for r in raised}) == 1
    assert sum(r.created for r in raised) == 1
    assert len(await _alerts(graph)) == 1
    # Another kind of alert about the same subject, at the same moment, joins the same case
    # and raises it to CRISIS: the CRISIS steps not already there are added (six in all).
    other = AlertDraft(
        "subject:acme", "安盛保险", AlertKind.HIGH_IMPACT_SOURCE, Severity.CRISIS, {}
    )
    both = await asyncio.gather(
        repo.raise_alert(other, plan, EPOCH, timedelta(hours=6)),
        repo.raise_alert(draft, plan, EPOCH, timedelta(hours=6)),
    )
    assert len(await _alerts(graph)) == 2
    cases = await graph.read(
        "MATCH (c:CrisisCase) RETURN c.id AS id, c.severity AS severity,"
        " COUNT { (c)-[:HAS_STEP]->() } AS steps, COUNT { (c)-[:HAS_ALERT]->() } AS alerts"
    )
    assert [(r["severity"], r["steps"], r["alerts"]) for r in cases] == [("CRISIS", 6, 2)]
    assert {r.case_id for r in [*raised, *both] if r.case_id} == {cases[0]["id"]}
