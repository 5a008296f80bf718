"""The renewal check over HTTP: exact matching on keys in any accepted format, names only as
support, masked results for the renewal role, invalid input in the schema, batches in order."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.settings import Settings
from graph.client import Graph
from graph.watchlist.entries import WatchlistRepository
from models.identity import id_check_digit
from models.roles import Role
from models.watchlist import WatchlistReason, entry_id
from tests.integration.conftest import KeyFactory, gql
from tests.integration.watchlist_book import (
    KNOWN_FIRST17,
    KNOWN_ID,
    KNOWN_PARTY,
    run_rules,
    seed_demo,
)

CHECK = """
query Check($identity: IdentityInput!) {
  renewalCheck(identity: $identity) {
    __typename
    ... on RenewalDecision {
      action checkedAt
      reasons { code text entryId entryStatus action }
      matches { partyId maskedName maskedIdNumber maskedPhone score matchedOn }
    }
    ... on InvalidIdentity { message field }
  }
}
"""

BATCH = """
query Batch($identities: [IdentityInput!]!) {
  renewalCheckBatch(identities: $identities) {
    __typename
    ... on RenewalDecision { action matches { partyId } }
    ... on InvalidIdentity { field }
  }
}
"""


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@pytest.fixture
async def renewal_key(graph: Graph, settings: Settings, make_key: KeyFactory) -> str:
    await seed_demo(graph, settings.identity_key)
    await run_rules(graph)
    return await make_key(Role.RENEWAL)


async def _check(client: httpx.AsyncClient, key: str, **identity: str) -> dict[str, Any]:
    response = await gql(client, key, CHECK, {"identity": identity})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["renewalCheck"]
    return result


ACCEPTED_FORMS: list[dict[str, str]] = [
    {"idNumber": KNOWN_ID},
    {"idNumber": f"{KNOWN_ID[:6]} {KNOWN_ID[6:14]} {KNOWN_ID[14:]}"},
    {"idNumber": _full_width(KNOWN_ID)},
    {"idNumber": KNOWN_FIRST17[:6] + KNOWN_FIRST17[8:]},  # the 15-digit form
    {"phone": "+86 138-1234-5678"},
    {"phone": "0086 13812345678"},
    {"phone": "138 1234 5678"},
    {"plate": "粤B·12345"},
    {"plate": "粤 b-12345"},
    {"customerNo": "c7000001"},
]


async def test_each_key_in_any_format_finds_the_party(
    client: httpx.AsyncClient, renewal_key: str
) -> None:
    for identity in ACCEPTED_FORMS:
        result = await _check(client, renewal_key, **identity)
        assert result["__typename"] == "RenewalDecision", identity
        assert result["action"] == "RENEW", identity
        assert [m["partyId"] for m in result["matches"]] == [KNOWN_PARTY], identity
        assert result["matches"][0]["maskedName"] is None  # no name sent: none shown
        assert result["matches"][0]["score"] >= 0.7


async def test_several_keys_and_the_name_raise_the_score(
    client: httpx.AsyncClient, renewal_key: str
) -> None:
    result = await _check(client, renewal_key, idNumber=KNOWN_ID, phone="13812345678", name="張偉")
    match = result["matches"][0]
    assert set(match["matchedOn"]) == {"idNumber", "phone"}
    assert match["score"] > 0.99


async def test_a_lookalike_name_with_another_id_is_not_a_match(
    client: httpx.AsyncClient, renewal_key: str
) -> None:
    other17 = "44030519800101123"
    result = await _check(
        client, renewal_key, name="張偉", idNumber=other17 + id_check_digit(other17)
    )
    assert result["matches"] == []
    assert result["action"] == "RENEW"


async def test_the_ring_phone_asks_for_review_then_declines_once_active(
    client: httpx.AsyncClient, renewal_key: str, graph: Graph
) -> None:
    result = await _check(client, renewal_key, phone="+86 139-2288-7766")
    assert len(result["matches"]) == 5
    assert result["action"] == "REVIEW"
    codes = {r["code"] for r in result["reasons"]}
    assert codes == {"FRAUD_LINKED", "SHARED_IDENTIFIER_RING"}
    assert all(r["entryStatus"] == "PROPOSED" for r in result["reasons"])
    wid = entry_id("customer:C8000001", WatchlistReason.FRAUD_LINKED)
    await WatchlistRepository(graph).review(wid, True, "confirmed", "reviewer", "key-r")
    declined = await _check(client, renewal_key, customerNo="C8000001")
    assert declined["action"] == "DECLINE"
    assert {"code": "FRAUD_LINKED", "entryId": wid, "action": "DECLINE"}.items() <= {
        **next(r for r in declined["reasons"] if r["code"] == "FRAUD_LINKED")
    }.items()


async def test_an_active_repeat_complainant_renews_with_conditions(
    client: httpx.AsyncClient, renewal_key: str, graph: Graph
) -> None:
    repo = WatchlistRepository(graph)
    for reason in (
        WatchlistReason.REPEAT_COMPLAINANT,
        WatchlistReason.REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL,
    ):
        await repo.review(entry_id("customer:C8000100", reason), True, "ok", "reviewer", "key-r")
    result = await _check(client, renewal_key, customerNo="C8000100", name="钱多多")
    assert result["action"] == "RENEW_WITH_CONDITIONS"
    assert result["matches"][0]["maskedName"] == "钱**"


async def test_an_ordinary_customer_renews(client: httpx.AsyncClient, renewal_key: str) -> None:
    result = await _check(client, renewal_key, customerNo="C0000042")
    assert [m["partyId"] for m in result["matches"]] == ["customer:C0000042"]
    assert result["action"] == "RENEW"
    assert result["reasons"] == []


async def test_a_name_alone_is_a_weak_candidate(
    client: httpx.AsyncClient, renewal_key: str
) -> None:
    result = await _check(client, renewal_key, name="钱多多")
    # A name alone reveals no party and no entry (issue 19): a generic reason to check.
    assert result["matches"] == []
    assert result["action"] == "REVIEW"  # proposed entries, identity unconfirmed
    assert [(r["code"], r["entryId"]) for r in result["reasons"]] == [
        ("UNCONFIRMED_NAME_MATCH", None)
    ]


async def test_invalid_identities_are_answered_in_the_schema(
    client: httpx.AsyncClient, renewal_key: str
) -> None:
    wrong = KNOWN_FIRST17 + ("0" if KNOWN_ID[-1] != "0" else "1")
    bad_id = await _check(client, renewal_key, idNumber=wrong)
    assert bad_id == {
        "__typename": "InvalidIdentity",
        "message": "idNumber: the ID number's check digit is wrong",
        "field": "idNumber",
    }
    empty = await _check(client, renewal_key)
    assert empty["__typename"] == "InvalidIdentity"
    assert "empty" in empty["message"]
    bad_phone = await _check(client, renewal_key, phone="12345")
    assert bad_phone["field"] == "phone"


async def test_renewal_sees_masked_identities_only_and_no_watchlist(
    client: httpx.AsyncClient, renewal_key: str
) -> None:
    response = await gql(client, renewal_key, CHECK, {"identity": {"idNumber": KNOWN_ID}})
    text = json.dumps(response.json(), ensure_ascii=False)
    for raw in (KNOWN_ID, "13812345678", "张伟", "粤B12345"):
        assert raw not in text
    match = response.json()["data"]["renewalCheck"]["matches"][0]
    assert match["maskedIdNumber"] == KNOWN_ID[:3] + "*" * 11 + KNOWN_ID[-4:]
    assert match["maskedPhone"] is None  # the phone was not sent: nothing about it
    by_phone = await _check(client, renewal_key, phone="13812345678")
    assert by_phone["matches"][0]["maskedPhone"] == "138****5678"
    assert by_phone["matches"][0]["maskedIdNumber"] is None
    for query in ("{ watchlist { edges { node { id } } } }", '{ watchlistEntry(id: "x") { id } }'):
        refused = (await gql(client, renewal_key, query)).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_batches_keep_order_and_are_capped(
    client: httpx.AsyncClient, renewal_key: str, make_key: KeyFactory
) -> None:
    identities = [
        {"customerNo": "C8000001"},
        {"idNumber": "123"},
        {"idNumber": KNOWN_ID},
        {"customerNo": "C9999999"},
        {"customerNo": "C0000042"},
    ]
    response = await gql(client, renewal_key, BATCH, {"identities": identities})
    results = response.json()["data"]["renewalCheckBatch"]
    assert [r["__typename"] for r in results] == [
        "RenewalDecision",
        "InvalidIdentity",
        "RenewalDecision",
        "RenewalDecision",
        "RenewalDecision",
    ]
    assert [
        r.get("matches", [{}])[0].get("partyId") if r.get("matches") else None for r in results
    ] == ["customer:C8000001", None, KNOWN_PARTY, None, "customer:C0000042"]
    assert results[0]["action"] == "REVIEW"
    assert results[3]["action"] == "RENEW"
    too_many = [{"customerNo": "C0000001"}] * 1001
    refused = (await gql(client, renewal_key, BATCH, {"identities": too_many})).json()
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "1,000" in refused["errors"][0]["message"]
    risk = await make_key(Role.RISK)
    forbidden = (await gql(client, risk, BATCH, {"identities": identities[:1]})).json()
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
