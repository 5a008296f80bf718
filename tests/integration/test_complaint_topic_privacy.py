"""Complaint wording stays with the complaint desk (issue 19, item 4): summaries and
resolutions are stored with identifiers masked (filed or imported, and those stored before),
hot-topic terms are never numbers or identifiers, and roles that may not read complaints (PR)
see a term only when at least RISKWATCH_COMPLAINT_TOPIC_MIN_COMPLAINTS complaints share it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from graph.client import Graph
from graph.migrations import migrate
from models.identity import id_check_digit
from models.roles import Role
from tests.integration.complaint_fixtures import write_small_book
from tests.integration.conftest import KeyFactory, gql

FIRST17 = "11010119900307123"
ID_NUMBER = FIRST17 + id_check_digit(FIRST17)
PHONE = "13812345678"
PLATE = "粤B12345"

FILE = """
mutation File($input: FileComplaintInput!) {
  fileComplaint(input: $input) { ... on FiledComplaint { complaint { id summary } } }
}
"""

TOPICS = """
query($from: DateTime!, $to: DateTime!) {
  complaintHotTopics(from: $from, to: $to, topTerms: 50) {
    category count terms { term count }
  }
}
"""

RECEIVED = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


def _complaint(no: str, summary: str, minutes: int) -> dict[str, object]:
    return {
        "customerNo": "C1",
        "channel": "HOTLINE",
        "category": "CLAIMS",
        "summary": summary,
        "receivedAt": (RECEIVED + timedelta(minutes=minutes)).isoformat(),
        "complaintNo": no,
    }


async def _topics(
    client: httpx.AsyncClient, key: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    body = (
        await gql(client, key, TOPICS, {"from": start.isoformat(), "to": end.isoformat()})
    ).json()
    assert "errors" not in body, body
    topics: list[dict[str, Any]] = body["data"]["complaintHotTopics"]
    return topics


def _terms(topics: list[dict[str, Any]]) -> dict[str, int]:
    return {t["term"]: t["count"] for c in topics for t in c["terms"]}


async def test_summaries_are_stored_with_identifiers_masked(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    summary = f"客户电话{PHONE}，身份证{ID_NUMBER}，车牌{PLATE}，要求退保"
    filed = (await gql(client, desk, FILE, {"input": _complaint("QS1", summary, 0)})).json()
    stored = filed["data"]["fileComplaint"]["complaint"]["summary"]
    assert "138****5678" in stored
    assert "要求退保" in stored
    records = await graph.read("MATCH (n) RETURN properties(n) AS p")
    everything = json.dumps([r["p"] for r in records], ensure_ascii=False, default=str)
    for raw in (PHONE, ID_NUMBER, PLATE):
        assert raw not in everything, raw


async def test_summaries_stored_before_are_masked_by_the_migration(graph: Graph) -> None:
    await write_small_book(graph)
    await graph.write(
        "CREATE (:Complaint {id: 'complaint:OLD1', complaint_no: 'OLD1', summary: $s, "
        "resolution: $r, topic_terms: ['电话', $phone, '理赔慢']})",
        s=f"旧投诉：电话{PHONE}",
        r=f"已回电{PHONE}",
        phone=PHONE,
    )
    await graph.write("MATCH (m:DataMigration) DETACH DELETE m")  # as on a database from before
    for _ in range(2):  # idempotent
        await migrate(graph)
        [record] = await graph.read(
            "MATCH (c:Complaint {id: 'complaint:OLD1'}) "
            "RETURN c.summary AS s, c.resolution AS r, c.topic_terms AS t"
        )
        assert record["s"] == "旧投诉：电话138****5678"
        assert record["r"] == "已回电138****5678"
        assert record["t"] == ["电话", "理赔慢"]


async def test_resolutions_are_stored_with_identifiers_masked(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    await gql(client, desk, FILE, {"input": _complaint("QR1", "理赔太慢", 0)})
    resolve = 'mutation($r: String!) { resolveComplaint(id: "QR1", resolution: $r) { id } }'
    answer = (await gql(client, desk, resolve, {"r": f"已赔付至卡号{ID_NUMBER}本人"})).json()
    assert "errors" not in answer, answer
    [record] = await graph.read(
        "MATCH (c:Complaint {complaint_no: 'QR1'}) RETURN c.resolution AS r"
    )
    assert ID_NUMBER not in record["r"]
    assert record["r"].startswith("已赔付至卡号")
    assert record["r"].endswith("本人")
    assert "*" in record["r"]


async def test_topic_terms_are_never_numbers_or_identifiers(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    await write_small_book(graph)
    # A summary stored raw (by an older version), as the probe found it.
    await graph.write(
        "MATCH (c:Customer {customer_no: 'C1'}) "
        "CREATE (c)-[:FILED]->(:Complaint {id: 'complaint:RAW1', complaint_no: 'RAW1', "
        "category: 'CLAIMS', status: 'OPEN', summary: $s, received_at: $at, due_at: $at})",
        s=f"客户电话{PHONE}身份证{ID_NUMBER}车牌{PLATE}卡号6222021234567890123理赔慢",
        at=RECEIVED,
    )
    desk = await make_key(Role.COMPLAINTS)
    terms = _terms(await _topics(client, desk, RECEIVED, RECEIVED + timedelta(minutes=1)))
    assert "理赔" in terms  # the desk still sees the words of its complaints
    assert [t for t in terms if any(ch.isdigit() for ch in t)] == []
    assert [t for t in terms if "*" in t or "@" in t] == []


async def test_pr_sees_only_terms_shared_by_enough_complaints(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    pr = await make_key(Role.PR)
    # One complaint with its own words, then five that share "退保".
    lone = "王老五在营业厅被辱骂投诉经理"
    await gql(client, desk, FILE, {"input": _complaint("QK0", lone, 0)})
    for n in range(1, 6):
        await gql(client, desk, FILE, {"input": _complaint(f"QK{n}", f"要求退保第{n}次", n)})
    # A narrow window around the lone complaint: its category and count, no words.
    narrow = await _topics(client, pr, RECEIVED, RECEIVED + timedelta(seconds=30))
    assert [(c["category"], c["count"]) for c in narrow] == [("CLAIMS", 1)]
    assert narrow[0]["terms"] == []
    # The whole window: only the terms the five complaints share.
    wide = _terms(await _topics(client, pr, RECEIVED, RECEIVED + timedelta(hours=1)))
    assert wide["退保"] == 5
    assert min(wide.values()) >= 5
    assert not [t for t in wide if t in lone]
    # The complaint desk, which reads the complaints themselves, sees every term.
    desk_terms = _terms(await _topics(client, desk, RECEIVED, RECEIVED + timedelta(hours=1)))
    assert desk_terms["退保"] == 5
    assert "辱骂" in desk_terms
