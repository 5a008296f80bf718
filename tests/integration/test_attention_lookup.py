"""The attention flag by phone, ID number, plate or customer number (keyed hashes, masked
answers, reasons in Chinese or English), and the ``watchlist.entry_activated`` event a
four-eyes review sends through the outbox to a real webhook receiver."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.settings import Settings
from graph.client import Graph
from graph.outbox import WebhookTargetRepository
from graph.watchlist.entries import WatchlistRepository
from models.roles import Role
from models.watchlist import WatchlistReason, entry_id
from monitors.delivery.worker import DeliveryWorker
from monitors.events_dispatch import DomainEventDispatcher
from tests.integration.conftest import KeyFactory, gql
from tests.integration.crisis_fixtures import EPOCH, MovableClock, make_detector
from tests.integration.watchlist_book import KNOWN_ID, KNOWN_PARTY, run_rules, seed_demo
from tests.integration.webhook_receiver import WebhookReceiver

FLAG = """
query Flag($customerId: String, $phone: String, $idNumber: String, $plate: String,
           $language: Language) {
  attentionFlag(customerId: $customerId, phone: $phone, idNumber: $idNumber, plate: $plate,
                language: $language) {
    customerId maskedName flagged reasons language
    matches { partyId kind maskedName maskedIdNumber maskedPhone matchedOn flagged
              reasons { code text } }
  }
}
"""
REVIEW = """
mutation Review($id: ID!, $decision: ReviewDecision!) {
  reviewWatchlistEntry(id: $id, decision: $decision, comment: "confirmed") { status }
}
"""
RING_PHONE = "+86 139-2288-7766"
RING_MEMBER = "customer:C8000001"


@pytest.fixture
async def keys(graph: Graph, settings: Settings, make_key: KeyFactory) -> dict[Role, str]:
    await seed_demo(graph, settings.identity_key)
    await run_rules(graph)
    return {role: await make_key(role) for role in (Role.FRONTLINE, Role.CLAIMS, Role.RISK)}


async def _flag(client: httpx.AsyncClient, key: str, **variables: str) -> dict[str, Any]:
    body = (await gql(client, key, FLAG, dict(variables))).json()
    assert "errors" not in body, body
    flag: dict[str, Any] = body["data"]["attentionFlag"]
    return flag


async def _error(client: httpx.AsyncClient, key: str, **variables: str) -> dict[str, Any]:
    body = (await gql(client, key, FLAG, dict(variables))).json()
    assert body["data"] is None
    error: dict[str, Any] = body["errors"][0]
    return error


async def test_a_shared_phone_finds_every_party_masked_in_both_languages(
    client: httpx.AsyncClient, keys: dict[Role, str], graph: Graph
) -> None:
    frontline = keys[Role.FRONTLINE]
    before = await _flag(client, frontline, phone=RING_PHONE)
    assert len(before["matches"]) == 5  # the ring's five customers share this phone
    assert not any(m["flagged"] for m in before["matches"])  # proposals are not shown

    wid = entry_id(RING_MEMBER, WatchlistReason.FRAUD_LINKED)
    await WatchlistRepository(graph).review(wid, True, "confirmed", "reviewer", "key-r")
    zh = await _flag(client, frontline, phone=RING_PHONE)
    assert zh["language"] == "ZH"  # the default: frontline staff read Chinese
    assert zh["customerId"] == RING_MEMBER  # the flagged party ranks first
    assert zh["flagged"] is True
    assert zh["reasons"] == [
        "与正在调查的涉嫌欺诈案件有关联：请严格按流程办理，不要对理赔作任何承诺。"
    ]
    best = zh["matches"][0]
    assert best["matchedOn"] == ["phone"]
    assert best["maskedPhone"] == "139****7766"
    assert best["reasons"][0]["code"] == "FRAUD_LINKED"
    assert [m["flagged"] for m in zh["matches"]] == [True, False, False, False, False]

    en = await _flag(client, keys[Role.CLAIMS], phone="13922887766", language="EN")
    assert en["reasons"] == [
        "Connected to a case under fraud investigation: follow procedures strictly and make "
        "no commitments on claims."
    ]
    text = json.dumps([zh, en], ensure_ascii=False)
    assert "13922887766" not in text
    assert "22887766" not in text


async def test_id_number_plate_and_customer_number_find_the_same_person(
    client: httpx.AsyncClient, keys: dict[Role, str]
) -> None:
    frontline = keys[Role.FRONTLINE]
    by_id = await _flag(client, frontline, idNumber=f"{KNOWN_ID[:6]} {KNOWN_ID[6:]}")
    by_plate = await _flag(client, frontline, plate="粤b·12345")
    by_number = await _flag(client, frontline, customerId="c7000001")
    both = await _flag(client, frontline, idNumber=KNOWN_ID, plate="粤B12345")
    for flag in (by_id, by_plate, by_number, both):
        assert flag["customerId"] == KNOWN_PARTY
        assert flag["maskedName"] == "张*"
        assert flag["flagged"] is False
        assert flag["reasons"] == []
    assert by_id["matches"][0]["maskedIdNumber"].count("*") >= 8
    assert both["matches"][0]["matchedOn"] == ["idNumber", "plate"]
    text = json.dumps([by_id, by_plate, both], ensure_ascii=False)
    for raw in (KNOWN_ID, "张伟", "粤B12345", "13812345678"):
        assert raw not in text


async def test_bad_and_unknown_identifiers_get_clear_errors(
    client: httpx.AsyncClient, keys: dict[Role, str]
) -> None:
    frontline = keys[Role.FRONTLINE]
    bad_phone = await _error(client, frontline, phone="12345")
    assert bad_phone["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad_phone["message"].startswith("phone:")
    bad_id = await _error(client, frontline, idNumber=KNOWN_ID[:-1] + "0")
    assert bad_id["message"].startswith("idNumber:")
    nothing = await _error(client, frontline)
    assert nothing["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await _error(client, frontline, phone="13700001111")
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    assert "phone" in unknown["message"]


async def test_activation_after_four_eyes_reaches_a_webhook(
    client: httpx.AsyncClient, keys: dict[Role, str], graph: Graph, make_key: KeyFactory
) -> None:
    clock = MovableClock(EPOCH)
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        await WebhookTargetRepository(graph).add(
            name="renewal-system",
            kind="GENERIC",
            url=receiver.url,
            secret="s",
            min_severity=None,
            event_types=["watchlist.entry_activated"],
            actor="tests",
            now=clock.now,
        )
        activated = entry_id(RING_MEMBER, WatchlistReason.FRAUD_LINKED)
        dismissed = entry_id("customer:C8000002", WatchlistReason.FRAUD_LINKED)
        risk = keys[Role.RISK]
        second = await make_key(Role.RISK)
        for wid, decision in ((activated, "ACTIVATE"), (dismissed, "DISMISS")):
            body = (await gql(client, second, REVIEW, {"id": wid, "decision": decision})).json()
            assert "errors" not in body, body
        # The proposer reviewing its own entry is refused, and sends nothing.
        own = (
            await gql(
                client,
                risk,
                'mutation { proposeWatchlistEntry(partyId: "C0000007", comment: "rude") { id } }',
            )
        ).json()
        refused = (
            await gql(
                client,
                risk,
                REVIEW,
                {"id": own["data"]["proposeWatchlistEntry"]["id"], "decision": "ACTIVATE"},
            )
        ).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

        events = await graph.read(
            "MATCH (e:DomainEvent {type: 'watchlist.entry_activated'}) "
            "RETURN e.subject_id AS subject, e.payload AS payload"
        )
        assert [e["subject"] for e in events] == [activated]
        await DomainEventDispatcher(graph, make_detector(graph, clock)).run_once()
        worker = DeliveryWorker(graph, clock=clock)
        try:
            await worker.run_once()
        finally:
            await worker.aclose()
        await receiver.wait_for(1)
    finally:
        await receiver.stop()
    [delivered] = receiver.received
    event = json.loads(delivered.body)["data"]["event"]
    assert event["type"] == "watchlist.entry_activated"
    payload = event["payload"]
    assert payload["entry_id"] == activated
    assert payload["party_id"] == RING_MEMBER
    assert payload["reason"] == "FRAUD_LINKED"
    assert payload["reviewed_by"] == "test-risk"
    assert payload["reason_text_zh"].startswith("与正在调查的涉嫌欺诈案件有关联")
    assert "*" in payload["masked_name"]
