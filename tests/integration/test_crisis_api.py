"""The crisis GraphQL API over real HTTP and websockets (graphql-transport-ws)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import anyio
import httpx
from websockets.asyncio.client import ClientConnection, connect

from graph.client import Graph
from graph.crisis.alerts import AlertRepository, RaisedAlert
from models.crisis import AlertDraft, AlertKind, Severity
from models.crisis_plan import parse_plan
from models.roles import Role
from monitors.clock import utc_now
from monitors.crisis.plans import DEFAULT_PLAN_FILE
from tests.integration.conftest import KeyFactory, LiveServer, gql, nodes
from tests.integration.crisis_fixtures import EPOCH, MovableClock, make_detector
from tests.integration.media_graph import StoryRow, standard_media
from tests.integration.ws_client import PROTOCOL

ALERTS = """
query($min: Severity!) {
  alerts(minSeverity: $min, first: 1) {
    edges {
      node { id severity kind status subjectName caseId explanation mentions { title feed } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CASE = """
query($id: ID!) {
  crisisCase(id: $id) {
    id status severity
    steps { id key role assignee status dueAt }
    timeline { action actor }
    review { mentions { id } complaints { id } neighbourhood { id } timeline { action } }
  }
}
"""


async def _high_impact_alert(
    graph: Graph, clock: MovableClock, story_id: str, subject: str
) -> RaisedAlert:
    media = await standard_media(graph)
    await media.add_stories([StoryRow(story_id, clock.now, [subject], ["feed:cctv"])])
    [raised] = await make_detector(graph, clock).on_new_stories([story_id])
    return raised


def _data(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_pr_team_runs_a_case_from_alert_to_resolution(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    clock = MovableClock(EPOCH)
    first = await _high_impact_alert(graph, clock, "cctv:1", "subject:acme")
    clock.advance(timedelta(minutes=1))
    await _high_impact_alert(graph, clock, "cctv:2", "subject:car-insurance")
    pr = await make_key(Role.PR)

    page = _data(await gql(client, pr, ALERTS, {"min": "WARNING"}))["alerts"]
    assert page["pageInfo"]["hasNextPage"] is True
    [newest] = nodes(page)
    assert newest["kind"] == "HIGH_IMPACT_SOURCE"
    assert newest["caseId"] is not None  # the list names the case the alert opened
    assert newest["mentions"] == [{"title": "车险理赔拖延 投诉", "feed": "央视财经"}]
    after = await gql(
        client,
        pr,
        "query($after: String) { alerts(first: 5, after: $after) { edges { node { id } } } }",
        {"after": page["pageInfo"]["endCursor"]},
    )
    assert [a["id"] for a in nodes(_data(after)["alerts"])] == [first.id]

    acked = await gql(
        client, pr, "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }", {"id": first.id}
    )
    assert _data(acked)["acknowledgeAlert"]["status"] == "ACKNOWLEDGED"

    case = _data(await gql(client, pr, CASE, {"id": first.case_id}))["crisisCase"]
    assert case["severity"] == "WARNING"
    step = next(s for s in case["steps"] if s["key"] == "notify_pr_duty")
    assigned = await gql(
        client,
        pr,
        'mutation($id: ID!) { assignStep(id: $id, assignee: "王经理") { assignee } }',
        {"id": step["id"]},
    )
    assert _data(assigned)["assignStep"]["assignee"] == "王经理"
    done = await gql(
        client,
        pr,
        'mutation($id: ID!) { completeStep(id: $id, note: "called") { status completedBy } }',
        {"id": step["id"]},
    )
    assert _data(done)["completeStep"] == {"status": "DONE", "completedBy": "test-pr"}
    resolved = await gql(
        client,
        pr,
        'mutation($id: ID!) { resolveCrisisCase(id: $id, resolution: "statement out") '
        "{ status resolvedBy } }",
        {"id": first.case_id},
    )
    assert _data(resolved)["resolveCrisisCase"] == {"status": "RESOLVED", "resolvedBy": "test-pr"}

    case = _data(await gql(client, pr, CASE, {"id": first.case_id}))["crisisCase"]
    actions = [t["action"] for t in case["timeline"]]
    for action in (
        "crisis.case.open",
        "alert.raise",
        "alert.acknowledge",
        "crisis.step.assign",
        "crisis.step.complete",
        "crisis.case.resolve",
    ):
        assert action in actions
    assert len(case["review"]["mentions"]) == 1
    assert [t["action"] for t in case["review"]["timeline"]] == actions
    alert = await gql(client, pr, "query($id: ID!) { alert(id: $id) { status } }", {"id": first.id})
    assert _data(alert)["alert"]["status"] == "RESOLVED"


async def test_roles_guard_crisis_operations(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    renewal = await make_key(Role.RENEWAL)
    refused = (await gql(client, renewal, ALERTS, {"min": "WATCH"})).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    pr = await make_key(Role.PR)
    plan = "mutation($d: String!) { updateCrisisPlan(document: $d) { __typename } }"
    forbidden = (await gql(client, pr, plan, {"d": "levels: {}"})).json()
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_admin_edits_the_plan_and_webhook_targets(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    admin = await make_key(Role.ADMIN)
    plan = """
    mutation($d: String!) {
      updateCrisisPlan(document: $d) {
        __typename ... on CrisisPlanView { name } ... on InvalidCrisisInput { message }
      }
    }
    """
    bad = _data(await gql(client, admin, plan, {"d": "levels: {LOUD: {steps: []}}"}))
    assert bad["updateCrisisPlan"]["__typename"] == "InvalidCrisisInput"
    assert "unknown severity" in bad["updateCrisisPlan"]["message"]
    document = json.dumps(
        {
            "name": "tight plan",
            "triggers": {"HIGH_IMPACT_SOURCE": "CRISIS"},
            "levels": {
                "CRISIS": {
                    "opens_case": True,
                    "steps": [
                        {"key": "call", "title": "Call", "role": "pr", "deadline_minutes": 5}
                    ],
                }
            },
        }
    )
    assert _data(await gql(client, admin, plan, {"d": document}))["updateCrisisPlan"]["name"] == (
        "tight plan"
    )
    shown = _data(await gql(client, admin, "{ crisisPlan { name document } }"))["crisisPlan"]
    assert shown == {"name": "tight plan", "document": document}
    # The edited plan drives the next alert: a high-impact story now opens a CRISIS case.
    raised = await _high_impact_alert(graph, MovableClock(EPOCH), "cctv:9", "subject:acme")
    assert raised.severity == "CRISIS"

    add = """
    mutation($t: WebhookTargetInput!) {
      addWebhookTarget(target: $t) {
        __typename
        ... on WebhookTarget { id name kind url hasSecret minSeverity eventTypes }
        ... on InvalidCrisisInput { message }
      }
    }
    """
    target = {
        "name": "PR 群",
        "kind": "WECOM",
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY",
        "minSeverity": "WARNING",
        "eventTypes": ["complaint.escalated"],
    }
    added = _data(await gql(client, admin, add, {"t": target}))["addWebhookTarget"]
    assert added["url"] == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    invalid = _data(await gql(client, admin, add, {"t": {**target, "url": "ftp://x"}}))
    assert invalid["addWebhookTarget"] == {
        "__typename": "InvalidCrisisInput",
        "message": "a webhook url must be http(s)://host/...",
    }
    listed = _data(await gql(client, admin, "{ webhookTargets { id } }"))["webhookTargets"]
    assert [t["id"] for t in listed] == [added["id"]]
    removed = await gql(
        client, admin, "mutation($id: ID!) { removeWebhookTarget(id: $id) }", {"id": added["id"]}
    )
    assert _data(removed)["removeWebhookTarget"] is True


SUBSCRIBE = "subscription { alertRaised(minSeverity: WARNING) { id severity kind subjectId } }"


async def _subscribe(live_server: LiveServer, key: str) -> ClientConnection:
    socket = await connect(live_server.ws_url, subprotocols=[PROTOCOL])
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    )
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return socket


async def test_subscriber_receives_alert_raised(
    live_server: LiveServer, graph: Graph, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    socket = await _subscribe(live_server, key)
    try:
        # Raised by another process's detector (this test's), at the real time; the WATCH
        # alert raised first is below the subscriber's minimum severity.
        clock = MovableClock(utc_now())
        await AlertRepository(graph).raise_alert(
            AlertDraft("subject:quiet", None, AlertKind.SPIKE, Severity.WATCH, {}),
            parse_plan(DEFAULT_PLAN_FILE.read_text(encoding="utf-8")),
            clock.now,
            timedelta(hours=1),
        )
        raised = await _high_impact_alert(graph, clock, "live:1", "subject:acme")
        with anyio.fail_after(10):
            message = json.loads(await socket.recv())
        assert message["type"] == "next", message
        assert message["payload"]["data"]["alertRaised"] == {
            "id": raised.id,
            "severity": "WARNING",
            "kind": "HIGH_IMPACT_SOURCE",
            "subjectId": "subject:acme",
        }
    finally:
        await socket.close()


async def test_renewal_key_subscription_is_rejected(
    live_server: LiveServer, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RENEWAL)
    socket = await _subscribe(live_server, key)
    try:
        with anyio.fail_after(10):
            message = json.loads(await socket.recv())
        assert message["type"] in ("error", "next")
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert "may not" in errors[0]["message"]
    finally:
        await socket.close()
