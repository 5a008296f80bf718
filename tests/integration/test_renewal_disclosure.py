"""What a renewal answer reveals, and probing refused (issue 19, item 2).

The probe recovered a customer's full phone number with three batches of candidates that
differ only in the masked digits (``138NNNN5678``). Now: no batch of candidates is answered
once the key sends too many identifiers that match nobody, or candidates sharing one masked
form; the refusal is audited and announced as a domain event; matches show only what the
caller sent; a name alone reveals nobody."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.settings import Settings
from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory, gql
from tests.integration.watchlist_book import KNOWN_ID, KNOWN_PHONE, run_rules, seed_demo

BATCH = """
query Batch($identities: [IdentityInput!]!) {
  renewalCheckBatch(identities: $identities) {
    __typename
    ... on RenewalDecision {
      action
      reasons { code entryId entryStatus }
      matches { partyId maskedName maskedIdNumber maskedPhone matchedOn }
    }
  }
}
"""


@pytest.fixture
async def book(graph: Graph, settings: Settings) -> Graph:
    await seed_demo(graph, settings.identity_key)
    await run_rules(graph)
    return graph


def _candidates(numbers: range, **extra: str) -> list[dict[str, str]]:
    """Phones that differ from the known one only in its four masked digits."""
    return [{"phone": f"{KNOWN_PHONE[:3]}{n:04d}{KNOWN_PHONE[-4:]}", **extra} for n in numbers]


async def _batch(client: httpx.AsyncClient, key: str, identities: list[dict[str, str]]) -> Any:
    response = await gql(client, key, BATCH, {"identities": identities})
    assert response.status_code == 200, response.text
    return response.json()


def _recovered(body: Any) -> list[str]:
    """The candidates an answer shows to have matched somebody."""
    results = (body.get("data") or {}).get("renewalCheckBatch") or []
    return [json.dumps(r) for r in results if r.get("matches")]


async def test_the_three_request_attack_recovers_nothing(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RENEWAL)
    recovered: list[str] = []
    for start in (0, 1000, 1000 + 1000):  # the known number (1234) is in the second batch
        body = await _batch(client, key, _candidates(range(start, start + 1000)))
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        recovered += _recovered(body)
    assert recovered == []
    # Audited, and announced to webhook subscribers whatever the media say.
    audit = await book.read(
        "MATCH (a:AuditEvent {action: 'identifier.enumeration_suspected'}) RETURN a.after AS after"
    )
    assert len(audit) == 1
    detail = json.loads(audit[0]["after"])
    assert detail["masked_groups"][0]["masked"] == "138****5678"
    events = await book.read(
        "MATCH (e:DomainEvent {type: 'identifier.enumeration_suspected'}) RETURN e.payload AS p"
    )
    assert len(events) == 1
    assert KNOWN_PHONE not in audit[0]["after"] + events[0]["p"]
    # The key is refused for the rest of the hour, even for a person it knows.
    known = await _batch(client, key, [{"idNumber": KNOWN_ID}])
    assert known["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_small_batches_are_caught_across_requests(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory, settings: Settings
) -> None:
    key = await make_key(Role.RENEWAL)
    threshold = settings.enumeration_threshold
    answered = 0
    refused_at = None
    for request in range(10):
        # Five candidates per request, riding along with the customer number of the known
        # party (the probe's variation): the phone is what is being guessed.
        numbers = range(request * 5 + 2000, request * 5 + 2005)
        body = await _batch(client, key, _candidates(numbers, customerNo="C7000001"))
        if body["data"] is None:
            refused_at = request
            break
        answered += len(numbers)
        for result in body["data"]["renewalCheckBatch"]:
            # Nothing about the phone: it matched no one, and the match shows no phone.
            assert [m["maskedPhone"] for m in result["matches"]] == [None]
            assert [m["matchedOn"] for m in result["matches"]] == [["customerNo"]]
    assert refused_at is not None
    assert answered < threshold


async def test_failed_identifiers_are_limited_per_key_and_hour(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory, settings: Settings
) -> None:
    key = await make_key(Role.RENEWAL)
    limit = settings.failed_identifiers_per_hour
    # Unknown customer numbers, all different: no masked form to share, only the count.
    unknown = [{"customerNo": f"C9{n:06d}"} for n in range(limit + 1)]
    body = await _batch(client, key, unknown)
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "this hour" in body["errors"][0]["message"]
    audit = await book.read(
        "MATCH (a:AuditEvent {action: 'identifier.failed_limit_reached'}) RETURN a.actor AS actor"
    )
    assert [r["actor"] for r in audit] == ["test-renewal"]
    # Another key is not affected; repeating known identifiers never counts.
    other = await make_key(Role.RENEWAL)
    for _ in range(3):
        fine = await _batch(client, other, [{"idNumber": KNOWN_ID}] * 50)
        assert "errors" not in fine


async def test_matches_reveal_only_what_the_caller_sent(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RENEWAL)
    body = await _batch(
        client,
        key,
        [
            {"customerNo": "C7000001"},
            {"idNumber": KNOWN_ID},
            {"phone": KNOWN_PHONE, "name": "张伟"},
        ],
    )
    by_customer, by_id, by_phone = (r["matches"][0] for r in body["data"]["renewalCheckBatch"])
    assert (by_customer["maskedName"], by_customer["maskedIdNumber"]) == (None, None)
    assert by_customer["maskedPhone"] is None
    assert by_id["maskedIdNumber"] is not None
    assert (by_id["maskedPhone"], by_id["maskedName"]) == (None, None)
    assert (by_phone["maskedPhone"], by_phone["maskedName"]) == ("138****5678", "张*")
    assert by_phone["maskedIdNumber"] is None


async def test_a_name_alone_reveals_nobody(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RENEWAL)
    body = await _batch(client, key, [{"name": "钱多多"}, {"name": "无此人"}])
    watched, nobody = body["data"]["renewalCheckBatch"]
    assert watched["action"] == "REVIEW"
    assert watched["matches"] == []
    assert watched["reasons"] == [
        {"code": "UNCONFIRMED_NAME_MATCH", "entryId": None, "entryStatus": "UNCONFIRMED"}
    ]
    assert (nobody["action"], nobody["matches"], nobody["reasons"]) == ("RENEW", [], [])
    text = json.dumps(body, ensure_ascii=False)
    assert "*" not in text  # no masked ID, phone or name of the watchlisted party
    assert "C8000100" not in text


ATTENTION = "query($p: String) { attentionFlag(phone: $p) { customerId flagged } }"


async def test_attention_flags_by_phone_are_guarded_the_same_way(
    client: httpx.AsyncClient, book: Graph, make_key: KeyFactory, settings: Settings
) -> None:
    # The front desk looks people up by phone: one candidate per request is the same oracle.
    key = await make_key(Role.FRONTLINE)
    codes = []
    for candidate in _candidates(range(3000, 3000 + settings.enumeration_threshold + 2)):
        body = (await gql(client, key, ATTENTION, {"p": candidate["phone"]})).json()
        codes.append(body["errors"][0]["extensions"]["code"])
    threshold = settings.enumeration_threshold
    assert codes[: threshold - 1] == ["NOT_FOUND"] * (threshold - 1)
    assert codes[threshold:] == ["RATE_LIMITED"] * (len(codes) - threshold)
    known = (await gql(client, key, ATTENTION, {"p": KNOWN_PHONE})).json()
    assert known["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # Another desk key still finds the known customer.
    other = await make_key(Role.FRONTLINE)
    found = (await gql(client, other, ATTENTION, {"p": KNOWN_PHONE})).json()
    assert found["data"]["attentionFlag"]["customerId"] == "customer:C7000001"
