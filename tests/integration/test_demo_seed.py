"""A first run shows the whole product: after seed-demo alone, the PR view has an open alert
with its crisis case and a fortnight of trend, the risk view has rings and entries to review,
and party search finds the shops. The media goes through the real pipeline with the real
sentiment model loaded from disk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.demo_seed import DemoPlan, seed_demo
from api.runtime.media import load_scorer
from api.settings import Settings
from graph.client import Graph
from models.roles import Role
from monitors.feeds.scoring import ScorerLike
from tests.integration.conftest import KeyFactory, gql, nodes
from tests.integration.media_support import skip_without_model

pytestmark = pytest.mark.integration

CRISIS_SHOP = "shop:S9000001"

FIRST_LOOK = """query ($from: DateTime!, $to: DateTime!) {
  alerts(status: OPEN) {
    edges { node { kind severity subjectId subjectName caseId explanation } }
  }
  crisisCases(status: OPEN) { id subjectId severity steps { title status } }
  sentimentTrend(from: $from, to: $to, bucket: DAY) { bucket total negative }
  rings(first: 5) { edges { node { size } } }
  watchlist(status: PROPOSED, first: 50) { edges { node { reason } } }
  shops: searchParties(query: "汽修", kinds: [REPAIR_SHOP]) { name }
  city: searchParties(query: "宏发") { name }
  pinyin: searchParties(query: "qixiu") { name }
}"""


@pytest.fixture(scope="module")
def model_settings(settings: Settings) -> Settings:
    skip_without_model(settings)
    return settings


async def _first_look(client: httpx.AsyncClient, key: str, now: datetime) -> dict[str, Any]:
    variables = {"from": (now - timedelta(days=14)).isoformat(), "to": now.isoformat()}
    body = (await gql(client, key, FIRST_LOOK, variables)).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_seed_demo_alone_fills_the_pr_and_risk_views(
    graph: Graph, model_settings: Settings, client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    now = datetime.now(UTC)
    said: list[str] = []
    scorer = load_scorer(model_settings)
    plan = DemoPlan(customers=200, seed=7)
    report = await seed_demo(graph, model_settings, plan, now, lambda: scorer, said.append)
    assert report is not None
    assert any(line.startswith("crisis: ") for line in said), said

    data = await _first_look(client, await make_key(Role.ADMIN), now)
    spikes = [a for a in nodes(data["alerts"]) if a["kind"] == "SPIKE"]
    assert [a["subjectId"] for a in spikes] == [CRISIS_SHOP]
    assert spikes[0]["subjectName"] == "鑫达汽修"
    assert spikes[0]["caseId"] is not None
    assert spikes[0]["explanation"]["history_days"] > 10, "the fortnight is its baseline"
    [case] = data["crisisCases"]
    assert case["subjectId"] == CRISIS_SHOP
    assert case["id"] == spikes[0]["caseId"]
    assert len(case["steps"]) >= 3
    days = [point for point in data["sentimentTrend"] if point["total"] > 0]
    assert len(days) >= 10
    assert data["rings"]["edges"], "the ring refresh ran"
    reasons = {entry["reason"] for entry in nodes(data["watchlist"])}
    assert {"SHARED_IDENTIFIER_RING", "REPEAT_COMPLAINANT"} <= reasons
    assert "REPAIR_SHOP_COMPLAINT_CLUSTER" in reasons
    assert {"鑫达汽修", "北京宏发汽修4号店"} <= {p["name"] for p in data["shops"]}
    assert [p["name"] for p in data["city"]] == ["北京宏发汽修4号店"]
    assert "北京宏发汽修4号店" in {p["name"] for p in data["pinyin"]}

    # The company and partners of the corpus are linked: stories name the company subject.
    linked = await graph.read(
        "MATCH (:Story)-[:MENTIONS]->(x) RETURN count(DISTINCT x) AS subjects, "
        "count { (:Story)-[:MENTIONS]->(:Subject {kind: 'COMPANY'}) } AS company"
    )
    assert linked[0]["company"] > 20
    assert linked[0]["subjects"] > 15

    # A re-run (the same seed, later) adds no story and no alert: the coverage keeps its dates.
    stories = await graph.read("MATCH (s:Story) RETURN count(s) AS n")
    again = await seed_demo(
        graph,
        model_settings,
        DemoPlan(customers=200, seed=7, rules=False, rings=False),
        now + timedelta(minutes=5),
        lambda: scorer,
        said.append,
    )
    assert again is not None
    assert again.cycle.new_stories == 0
    assert (await graph.read("MATCH (s:Story) RETURN count(s) AS n")) == stories
    alerts = await graph.read("MATCH (a:Alert) RETURN count(a) AS n")
    assert alerts[0]["n"] == len(data["alerts"]["edges"])


async def test_no_media_skips_the_model_feeds_and_crisis(graph: Graph, settings: Settings) -> None:
    def no_model() -> ScorerLike:
        raise AssertionError("--no-media must not load the sentiment model")

    plan = DemoPlan(customers=40, seed=3, media=False, rules=False, rings=False)
    said: list[str] = []
    assert await seed_demo(graph, settings, plan, datetime.now(UTC), no_model, said.append) is None
    counts = await graph.read(
        "RETURN COUNT { (:Feed) } AS feeds, COUNT { (:Story) } AS stories, "
        "COUNT { (:Alert) } AS alerts, COUNT { (:WatchlistEntry) } AS entries, "
        "COUNT { (:Ring) } AS rings, COUNT { (:Customer) } AS customers"
    )
    assert dict(counts[0]) == {
        "feeds": 0,
        "stories": 0,
        "alerts": 0,
        "entries": 0,
        "rings": 0,
        "customers": 40,
    }
    assert len(said) == 1, said
