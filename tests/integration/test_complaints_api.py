"""The complaint desk over GraphQL: roles, union results, masked customers, events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from graph.client import Graph
from graph.complaints.handling_guides import HandlingGuideRepository
from models.roles import Role
from tests.integration.complaint_fixtures import write_small_book
from tests.integration.conftest import METRICS_AUTH, KeyFactory, gql

FILE = """
mutation File($input: FileComplaintInput!) {
  fileComplaint(input: $input) {
    __typename
    ... on FiledComplaint {
      complaint { id complaintNo status dueAt receivedAt repeat overdue
                  complainant { customerNo name idMasked phoneMasked } about { id kind ref } }
      guide { key title script }
      jointReview { reasons participants status }
    }
    ... on UnknownCustomer { customerNo message }
    ... on UnknownSubjects { missing }
  }
}
"""

EXTEND = """
mutation Extend($id: ID!, $approver: String) {
  extendComplaint(id: $id, reason: "需要鉴定", approver: $approver) {
    __typename
    ... on Complaint { dueAt extensions approver }
    ... on DeadlineRuleViolated { rule message }
  }
}
"""

ESCALATE = """
mutation Escalate($id: ID!, $to: ComplaintChannel) {
  escalateComplaint(id: $id, toChannel: $to, reason: "客户联系媒体") {
    __typename
    ... on Complaint { channel channelHistory { fromChannel toChannel by } }
    ... on EscalationRefused { message }
  }
}
"""

LIST = """
query List($first: Int!, $after: String, $filter: ComplaintFilterInput) {
  complaints(first: $first, after: $after, filter: $filter) {
    edges { cursor node { complaintNo channel } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _input(no: str, **extra: object) -> dict[str, object]:
    received = datetime.now(UTC) - timedelta(days=1)
    return {
        "customerNo": "C1",
        "channel": "HOTLINE",
        "category": "CLAIMS",
        "summary": "拒赔理由不合理，要求重新核定",
        "receivedAt": received.isoformat(),
        "complaintNo": no,
        "claimNos": ["L2"],
        **extra,
    }


async def test_file_extend_escalate_over_graphql(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    await HandlingGuideRepository(graph).seed_defaults()
    desk = await make_key(Role.COMPLAINTS)

    filed = (await gql(client, desk, FILE, {"input": _input("QA1")})).json()["data"]
    result = filed["fileComplaint"]
    assert result["__typename"] == "FiledComplaint"
    assert result["guide"]["key"] == "claims-denial-dispute"
    assert result["jointReview"] is None
    c = result["complaint"]
    received = datetime.fromisoformat(c["receivedAt"])
    assert datetime.fromisoformat(c["dueAt"]) - received == timedelta(days=15)
    assert c["complainant"] == {
        "customerNo": "C1",
        "name": "张三",
        "idMasked": "440***********1234",
        "phoneMasked": "138****5678",
    }
    assert c["about"] == [{"id": "claim:L2", "kind": "Claim", "ref": "L2"}]

    unknown = await gql(client, desk, FILE, {"input": _input("QA2", customerNo="C404")})
    assert unknown.json()["data"]["fileComplaint"]["__typename"] == "UnknownCustomer"
    missing = await gql(client, desk, FILE, {"input": _input("QA3", claimNos=["L404"])})
    assert missing.json()["data"]["fileComplaint"]["missing"] == ["claim:L404"]

    first = (await gql(client, desk, EXTEND, {"id": "QA1"})).json()["data"]["extendComplaint"]
    assert first["extensions"] == 1
    refused = (await gql(client, desk, EXTEND, {"id": "QA1"})).json()["data"]["extendComplaint"]
    assert refused["__typename"] == "DeadlineRuleViolated"
    assert refused["rule"] == "APPROVER_REQUIRED"
    second = await gql(client, desk, EXTEND, {"id": "QA1", "approver": "王经理"})
    second_due = datetime.fromisoformat(second.json()["data"]["extendComplaint"]["dueAt"])
    assert second_due - received == timedelta(days=60)

    media = await gql(client, desk, ESCALATE, {"id": "complaint:QA1", "to": "MEDIA"})
    assert media.json()["data"]["escalateComplaint"]["channel"] == "MEDIA"
    events = await graph.read(
        "MATCH (e:DomainEvent {type: 'complaint.escalated', subject_id: 'complaint:QA1'}) "
        "RETURN e.payload AS payload"
    )
    assert json.loads(events[0]["payload"])["to_channel"] == "MEDIA"
    again = await gql(client, desk, ESCALATE, {"id": "QA1"})
    assert again.json()["data"]["escalateComplaint"]["__typename"] == "EscalationRefused"

    repeat = await gql(client, desk, FILE, {"input": _input("QA4")})
    review = repeat.json()["data"]["fileComplaint"]["jointReview"]
    assert review["reasons"] == ["REPEAT"]
    assert review["status"] == "OPEN"

    body = (await gql(client, desk, LIST, {"first": 1})).json()["data"]["complaints"]
    assert body["pageInfo"]["hasNextPage"]
    after = body["pageInfo"]["endCursor"]
    rest = (await gql(client, desk, LIST, {"first": 5, "after": after})).json()["data"]
    numbers = [body["edges"][0]["node"]["complaintNo"]] + [
        e["node"]["complaintNo"] for e in rest["complaints"]["edges"]
    ]
    assert sorted(numbers) == ["QA1", "QA4"]
    media_only = await gql(client, desk, LIST, {"first": 5, "filter": {"channel": ["MEDIA"]}})
    assert [e["node"]["complaintNo"] for e in media_only.json()["data"]["complaints"]["edges"]] == [
        "QA1"
    ]
    bad_cursor = await gql(client, desk, LIST, {"first": 5, "after": "nonsense"})
    assert bad_cursor.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_roles(client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph) -> None:
    await write_small_book(graph)
    renewal = await make_key(Role.RENEWAL)
    refused = await gql(client, renewal, FILE, {"input": _input("QR1")})
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await graph.read("MATCH (q:Complaint) RETURN q") == []

    desk = await make_key(Role.COMPLAINTS)
    feedback_list = "{ frontlineFeedback(first: 5) { edges { node { text } } } }"
    forbidden = await gql(client, renewal, feedback_list)
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    submitted = await gql(
        client,
        desk,
        'mutation { submitFrontlineFeedback(kind: GRIEVANCE, text: "客户抱怨拒赔", '
        'claimNos: ["L2"]) { id kind about { id } } }',
    )
    assert submitted.json()["data"]["submitFrontlineFeedback"]["about"] == [{"id": "claim:L2"}]
    risk = await make_key(Role.RISK)
    listed = (await gql(client, risk, feedback_list)).json()["data"]["frontlineFeedback"]
    assert [e["node"]["text"] for e in listed["edges"]] == ["客户抱怨拒赔"]

    pr = await make_key(Role.PR)
    topics = await gql(
        client,
        pr,
        '{ complaintHotTopics(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") '
        "{ category count trend } }",
    )
    assert topics.json()["data"]["complaintHotTopics"] == []
    assert (await gql(client, pr, LIST, {"first": 1})).json()["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"
    guide = (
        'mutation { upsertHandlingGuide(key: "x-guide", title: "t", category: OTHER, '
        'script: "s") { key } }'
    )
    assert (await gql(client, desk, guide)).json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await make_key(Role.ADMIN)
    assert (await gql(client, admin, guide)).json()["data"]["upsertHandlingGuide"]["key"] == (
        "x-guide"
    )
    guides = (await gql(client, desk, "{ handlingGuides { key } }")).json()["data"]
    assert {"key": "x-guide"} in guides["handlingGuides"]


async def test_metrics_expose_the_overdue_gauge(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics", headers=METRICS_AUTH)
    assert "riskwatch_complaints_overdue" in response.text
    assert "riskwatch_complaint_sweeps_total" in response.text
