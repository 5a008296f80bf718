"""The media part of the GraphQL API: the feed registry, mentions, stories and the trend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.settings import Settings
from graph.bulk.demo import write_demo_book
from graph.client import Graph
from models.records import PartyKind, party_id
from models.roles import Role
from tests.feed_server import FeedServer, Route
from tests.integration.conftest import KeyFactory, gql, nodes
from tests.integration.media_support import (
    KeywordScorer,
    add_feeds,
    fixture,
    monitor,
    tuned_settings,
)

pytestmark = pytest.mark.integration

FEED_FIELDS = "id url name enabled pollIntervalS consecutiveFailures disabledReason itemsSeen"
ADD = (
    "mutation($feed: FeedInput!) { addFeed(feed: $feed) { __typename "
    f"... on Feed {{ {FEED_FIELDS} }} ... on FeedRejected {{ reason code }} }} }}"
)
UPDATE = (
    "mutation($id: ID!, $changes: FeedChanges!) { updateFeed(id: $id, changes: $changes) { "
    f"__typename ... on Feed {{ {FEED_FIELDS} }} ... on FeedRejected {{ reason code }} }} }}"
)


async def _data(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_pr_manages_the_feed_registry(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    pr = await make_key(Role.PR)
    feed = {"url": "https://news.example.com/insurance.rss", "name": "保险新闻", "language": "zh"}
    added = (await _data(await gql(client, pr, ADD, {"feed": feed})))["addFeed"]
    assert added["__typename"] == "Feed"
    assert (added["name"], added["enabled"], added["pollIntervalS"]) == ("保险新闻", True, 300)

    again = (await _data(await gql(client, pr, ADD, {"feed": feed})))["addFeed"]
    assert again["__typename"] == "FeedRejected"
    assert "registered already" in again["reason"]

    changed = await gql(
        client, pr, UPDATE, {"id": added["id"], "changes": {"enabled": False, "name": "改名"}}
    )
    updated = (await _data(changed))["updateFeed"]
    assert (updated["enabled"], updated["name"]) == (False, "改名")

    listed = await _data(await gql(client, pr, "{ feeds { id name enabled } }"))
    assert listed["feeds"] == [{"id": added["id"], "name": "改名", "enabled": False}]

    removed = await gql(
        client, pr, "mutation($id: ID!) { removeFeed(id: $id) }", {"id": added["id"]}
    )
    assert (await _data(removed))["removeFeed"] is True
    assert (await _data(await gql(client, pr, "{ feeds { id } }")))["feeds"] == []


BLOCKED = (
    "http://127.0.0.1:8080/rss",
    "http://localhost/rss",
    "http://10.1.2.3/rss",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/rss",
    "file:///etc/passwd",
    "ftp://news.example.com/rss",
)


async def test_internal_and_non_http_feed_urls_are_rejected(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    pr = await make_key(Role.PR)
    for url in BLOCKED:
        result = await gql(client, pr, ADD, {"feed": {"url": url, "name": "x"}})
        rejected = (await _data(result))["addFeed"]
        assert (rejected["__typename"], rejected["code"]) == ("FeedRejected", "BLOCKED_URL"), url
    assert (await _data(await gql(client, pr, "{ feeds { id } }")))["feeds"] == []


async def test_feed_registry_is_for_pr_and_admin_only(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    for role in (Role.RISK, Role.RENEWAL, Role.COMPLAINTS):
        key = await make_key(role)
        response = await gql(
            client, key, ADD, {"feed": {"url": "https://a.example.com/rss", "name": "a"}}
        )
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await make_key(Role.ADMIN)
    ok = await gql(client, admin, "{ feeds { id } }")
    assert (await _data(ok))["feeds"] == []


@pytest.fixture
async def polled(graph: Graph, settings: Settings) -> AsyncIterator[None]:
    """The demo book plus three feeds polled once (eight mentions)."""
    await write_demo_book(graph, 20, 7, settings.identity_key)
    async with FeedServer() as server:
        server.routes["/rss2"] = Route(fixture("rss2.xml"))
        server.routes["/a"] = Route(fixture("syndicated_a.xml"))
        server.routes["/b"] = Route(fixture("syndicated_b.xml"))
        await add_feeds(graph, {name: server.url(f"/{name}") for name in ("rss2", "a", "b")})
        async with monitor(tuned_settings(settings), graph, KeywordScorer()) as worker:
            await worker.run_once()
        yield


MENTIONS = """
query($subject: ID, $sentiment: Sentiment, $first: Int!, $after: String) {
  mentions(subjectId: $subject, sentiment: $sentiment, first: $first, after: $after) {
    edges { node { id title scored sentiment pNegative storyId feedIds subjectIds publishedAt } }
    pageInfo { endCursor hasNextPage }
  }
}
"""


@pytest.mark.usefixtures("polled")
async def test_mentions_stories_and_trend_of_a_subject(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    risk = await make_key(Role.RISK)
    shop = party_id(PartyKind.REPAIR_SHOP, "S9000001")
    of_shop = await _data(await gql(client, risk, MENTIONS, {"subject": shop, "first": 10}))
    items = nodes(of_shop["mentions"])
    assert [i["title"] for i in items] == ["深圳多名车主投诉鑫达汽修虚报配件 保险理赔遭拖延"]
    assert items[0]["sentiment"] == "NEGATIVE"
    assert shop in items[0]["subjectIds"]

    seen: list[str] = []
    after = None
    while True:
        page = await _data(await gql(client, risk, MENTIONS, {"first": 2, "after": after}))
        seen += [i["id"] for i in nodes(page["mentions"])]
        if not page["mentions"]["pageInfo"]["hasNextPage"]:
            break
        after = page["mentions"]["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 5
    everything = await _data(await gql(client, risk, MENTIONS, {"first": 10}))
    unscored = [i for i in nodes(everything["mentions"]) if not i["scored"]]
    # The regulator's report names nobody: it waits for an idle scorer, with no guessed label.
    assert [(i["title"], i["sentiment"], i["pNegative"]) for i in unscored] == [
        ("银保监会发布车险综合改革三周年评估报告", None, None)
    ]

    negative = await _data(
        await gql(client, risk, MENTIONS, {"sentiment": "NEGATIVE", "first": 50})
    )
    assert {i["sentiment"] for i in nodes(negative["mentions"])} == {"NEGATIVE"}
    assert len(negative["mentions"]["edges"]) == 3

    stories = await _data(
        await gql(
            client,
            risk,
            '{ stories(subjectId: "subject:ruianbaoxian", first: 10) '
            "{ edges { node { title sourceCount mentionIds sentiment } } } }",
        )
    )
    by_sources = sorted((s["sourceCount"], len(s["mentionIds"])) for s in nodes(stories["stories"]))
    assert by_sources == [(1, 1), (2, 2)]

    trend = await _data(
        await gql(
            client,
            risk,
            'query { sentimentTrend(from: "2024-10-01T00:00:00Z", to: "2024-11-01T00:00:00Z", '
            "bucket: DAY) { bucket total negative neutral positive unscored } }",
        )
    )
    points = trend["sentimentTrend"]
    assert sum(p["total"] for p in points) == 5
    assert sum(p["negative"] for p in points) == 3
    assert sum(p["unscored"] for p in points) == 1
    assert [p["bucket"][:10] for p in points] == [
        "2024-10-14",
        "2024-10-15",
        "2024-10-16",
        "2024-10-17",
    ]
