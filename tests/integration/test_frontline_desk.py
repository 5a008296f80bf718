"""The front desk over HTTP: guides for what a customer said, grievances converted into
complaints once, general suggestions reviewed by management, and who reads which feedback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from graph.client import Graph
from graph.complaints.feedback import Actor, Conversion, FrontlineFeedbackRepository
from graph.complaints.handling_guides import HandlingGuideRepository
from graph.complaints.lifecycle import ComplaintRepository
from models.feedback import FeedbackKind, GrievanceAlreadyConverted
from models.records import ComplaintCategory
from models.roles import Role
from tests.integration.complaint_fixtures import write_small_book
from tests.integration.conftest import KeyFactory, gql

SUGGEST = """
query Suggest($text: String!, $category: ComplaintCategory) {
  suggestHandlingGuides(text: $text, category: $category) {
    guide { key category } score matchedKeywords matchedTerms fallback why
    whyEn: why(language: EN)
  }
}
"""
SUBMIT = """
mutation Submit($kind: FrontlineFeedbackKind!, $text: String!, $claimNos: [String!],
                $customerNos: [String!], $category: ComplaintCategory) {
  submitFrontlineFeedback(kind: $kind, text: $text, claimNos: $claimNos,
                          customerNos: $customerNos, category: $category) {
    id kind text reviewStatus about { id }
  }
}
"""
CONVERT = """
mutation Convert($id: ID!) {
  convertGrievance(id: $id) {
    __typename
    ... on ConvertedGrievance {
      filed { complaint { complaintNo channel category receivedAt summary
                          about { id } complainant { id } }
              guide { key } }
      grievance { complaintNo convertedBy convertedAt }
    }
    ... on GrievanceAlreadyConvertedError { complaintNo message }
  }
}
"""
REVIEW = """
mutation Review($id: ID!, $status: SuggestionStatus!, $rating: Int, $reward: String) {
  reviewSuggestion(id: $id, status: $status, comment: "用得上", rating: $rating,
                   reward: $reward) {
    reviewStatus reviewedBy rating reward
    decisions { status previousStatus decidedBy comment }
  }
}
"""
FEEDBACK = """
query Feedback($kind: [FrontlineFeedbackKind!], $status: [SuggestionStatus!]) {
  frontlineFeedback(first: 20, kind: $kind, reviewStatus: $status) {
    edges { node { id kind text submittedBy reviewStatus complaintNo } }
  }
}
"""
COMPLAINTS = "MATCH (q:Complaint) RETURN q.complaint_no AS no"


async def _data(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


@pytest.fixture
async def book(graph: Graph) -> Graph:
    await write_small_book(graph)
    await HandlingGuideRepository(graph).seed_defaults()
    return graph


async def test_guides_for_what_a_customer_said(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory
) -> None:
    frontline = await make_key(Role.FRONTLINE)
    said = "定损金额太低了，修理厂的报价比你们高很多"
    found = (await _data(await gql(client, frontline, SUGGEST, {"text": said})))[
        "suggestHandlingGuides"
    ]
    assert found[0]["guide"]["key"] == "claims-low-assessment"
    assert set(found[0]["matchedKeywords"]) >= {"定损", "金额", "太低", "报价"}
    assert found[0]["why"].startswith("客户所说的话命中了该指引的关键词")
    assert "keywords" in found[0]["whyEn"]
    assert [s["score"] for s in found] == sorted((s["score"] for s in found), reverse=True)
    general = (
        await _data(
            await gql(client, frontline, SUGGEST, {"text": "你们服务太差", "category": "CLAIMS"})
        )
    )["suggestHandlingGuides"]
    assert all(s["guide"]["category"] == "CLAIMS" for s in general)
    nothing = await _data(await gql(client, frontline, SUGGEST, {"text": "你好"}))
    assert nothing["suggestHandlingGuides"] == []
    empty = await gql(client, frontline, SUGGEST, {"text": "  "})
    assert _code(empty) == "BAD_USER_INPUT"


async def test_a_grievance_becomes_a_complaint_once_keeping_its_history(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory
) -> None:
    frontline = await make_key(Role.FRONTLINE)
    said = "客户对拒赔理由不满，留了电话13812345678要求回电"
    grievance = (
        await _data(
            await gql(
                client,
                frontline,
                SUBMIT,
                {"kind": "GRIEVANCE", "text": said, "claimNos": ["L2"], "category": "CLAIMS"},
            )
        )
    )["submitFrontlineFeedback"]
    assert "13812345678" not in grievance["text"]
    assert "138****5678" in grievance["text"]
    assert grievance["reviewStatus"] is None
    stored = await book.read("MATCH (f:FrontlineFeedback) RETURN f.text AS text, f.at AS at")
    assert "13812345678" not in stored[0]["text"]

    converted = (await _data(await gql(client, frontline, CONVERT, {"id": grievance["id"]})))[
        "convertGrievance"
    ]
    assert converted["__typename"] == "ConvertedGrievance"
    complaint = converted["filed"]["complaint"]
    assert (complaint["channel"], complaint["category"]) == ("FRONTLINE", "CLAIMS")
    assert complaint["complainant"] == {"id": "customer:C1"}  # the claim's holder
    assert complaint["about"] == [{"id": "claim:L2"}]
    assert complaint["summary"] == grievance["text"]
    voiced = stored[0]["at"].to_native()
    assert datetime.fromisoformat(complaint["receivedAt"]) == voiced.astimezone(UTC)
    assert converted["filed"]["guide"]["key"] == "claims-denial-dispute"
    assert converted["grievance"]["complaintNo"] == complaint["complaintNo"]
    assert converted["grievance"]["convertedBy"] == "test-frontline"

    again = (await _data(await gql(client, frontline, CONVERT, {"id": grievance["id"]})))[
        "convertGrievance"
    ]
    assert again["__typename"] == "GrievanceAlreadyConvertedError"
    assert again["complaintNo"] == complaint["complaintNo"]
    assert [r["no"] for r in await book.read(COMPLAINTS)] == [complaint["complaintNo"]]
    trail = await book.read(
        "MATCH (a:AuditEvent {subject_id: $id}) RETURN a.action AS action", id=grievance["id"]
    )
    assert [r["action"] for r in trail] == ["feedback.convert"]


async def test_conversion_needs_a_grievance_of_ones_own(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory
) -> None:
    desk = await make_key(Role.COMPLAINTS)
    frontline = await make_key(Role.FRONTLINE)
    variables = {"kind": "GRIEVANCE", "text": "客户抱怨理赔太慢", "customerNos": ["C1"]}
    theirs = (await _data(await gql(client, desk, SUBMIT, variables)))["submitFrontlineFeedback"]
    assert _code(await gql(client, frontline, CONVERT, {"id": theirs["id"]})) == "FORBIDDEN"
    no_category = await gql(client, desk, CONVERT, {"id": theirs["id"]})
    assert "category" in no_category.json()["errors"][0]["message"]
    observation = {**variables, "kind": "OBSERVATION"}
    note = (await _data(await gql(client, desk, SUBMIT, observation)))["submitFrontlineFeedback"]
    assert _code(await gql(client, desk, CONVERT, {"id": note["id"]})) == "BAD_USER_INPUT"
    assert await book.read(COMPLAINTS) == []


async def test_general_suggestions_are_reviewed_and_read_by_management(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory
) -> None:
    frontline = await make_key(Role.FRONTLINE)
    management = await make_key(Role.MANAGEMENT)
    idea = "建议在柜台放置理赔材料清单，减少客户往返"
    suggestion = (
        await _data(await gql(client, frontline, SUBMIT, {"kind": "SUGGESTION", "text": idea}))
    )["submitFrontlineFeedback"]
    assert (suggestion["about"], suggestion["reviewStatus"]) == ([], "SUBMITTED")
    unnamed = await gql(client, frontline, SUBMIT, {"kind": "GRIEVANCE", "text": "不满"})
    assert "must name" in unnamed.json()["errors"][0]["message"]

    review = {"id": suggestion["id"]}
    refused = await gql(client, frontline, REVIEW, {**review, "status": "ADOPTED"})
    assert _code(refused) == "FORBIDDEN"
    adopted = await _data(
        await gql(client, management, REVIEW, {**review, "status": "ADOPTED", "rating": 4})
    )
    assert adopted["reviewSuggestion"]["reviewStatus"] == "ADOPTED"
    assert adopted["reviewSuggestion"]["reviewedBy"] == "test-management"
    backwards = await gql(client, management, REVIEW, {**review, "status": "UNDER_REVIEW"})
    assert "ADOPTED cannot become UNDER_REVIEW" in backwards.json()["errors"][0]["message"]
    rewarded = (
        await _data(
            await gql(
                client, management, REVIEW, {**review, "status": "REWARDED", "reward": "奖金500元"}
            )
        )
    )["reviewSuggestion"]
    assert (rewarded["reviewStatus"], rewarded["rating"], rewarded["reward"]) == (
        "REWARDED",
        4,
        "奖金500元",
    )
    assert [(d["previousStatus"], d["status"]) for d in rewarded["decisions"]] == [
        ("SUBMITTED", "ADOPTED"),
        ("ADOPTED", "REWARDED"),
    ]
    read = await _data(await gql(client, management, FEEDBACK, {"status": ["REWARDED"]}))
    assert [e["node"]["text"] for e in read["frontlineFeedback"]["edges"]] == [idea]


async def test_frontline_reads_its_own_feedback_and_no_complaint_records(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory
) -> None:
    desk = await make_key(Role.COMPLAINTS)
    frontline = await make_key(Role.FRONTLINE)
    await gql(client, desk, SUBMIT, {"kind": "OBSERVATION", "text": "桌面的", "claimNos": ["L1"]})
    await gql(client, frontline, SUBMIT, {"kind": "SUGGESTION", "text": "柜台的"})
    own = (await _data(await gql(client, frontline, FEEDBACK)))["frontlineFeedback"]["edges"]
    assert [e["node"]["text"] for e in own] == ["柜台的"]
    everything = (await _data(await gql(client, desk, FEEDBACK)))["frontlineFeedback"]["edges"]
    assert sorted(e["node"]["text"] for e in everything) == ["柜台的", "桌面的"]

    filed = await gql(
        client,
        frontline,
        'mutation { fileComplaint(input: {customerNo: "C1", channel: FRONTLINE, '
        'category: SERVICE, summary: "柜台排队太久"}) { __typename } }',
    )
    assert (await _data(filed))["fileComplaint"]["__typename"] == "FiledComplaint"
    for query in (
        "{ complaints(first: 5) { edges { node { id } } } }",
        '{ complaint(id: "x") { id } }',
        'mutation { resolveComplaint(id: "x", resolution: "y") { id } }',
    ):
        assert _code(await gql(client, frontline, query)) == "FORBIDDEN"


async def test_two_conversions_at_once_file_one_complaint(book: Graph) -> None:
    feedback = FrontlineFeedbackRepository(book)
    grievance = await feedback.submit(
        kind=FeedbackKind.GRIEVANCE,
        text="客户说理赔拖了两个月",
        customer_nos=["C1"],
        policy_nos=[],
        claim_nos=["L1"],
        actor="counter",
        actor_key="key-counter",
        role="frontline",
        now=datetime.now(UTC),
        category=ComplaintCategory.CLAIMS,
    )
    actor = Actor(name="counter", key="key-counter", role="frontline")

    async def convert() -> str:
        try:
            filing, _ = await feedback.convert_grievance(
                grievance.id,
                Conversion(),
                complaints=ComplaintRepository(book),
                actor=actor,
                now=datetime.now(UTC),
            )
        except GrievanceAlreadyConverted:
            return "refused"
        return filing.complaint.complaint_no

    outcomes = await asyncio.gather(convert(), convert(), convert())
    filed = [o for o in outcomes if o != "refused"]
    assert len(filed) == 1
    assert outcomes.count("refused") == 2
    assert [r["no"] for r in await book.read(COMPLAINTS)] == filed
    links = await book.read("MATCH (:FrontlineFeedback)-[r:BECAME]->() RETURN count(r) AS n")
    assert links[0]["n"] == 1
