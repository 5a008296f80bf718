"""Renewal checks with a line of business: compulsory motor insurance (交强险) is never declined,
and the decision says why in English and Chinese; commercial lines keep the full decision."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.settings import Settings
from graph.client import Graph
from graph.watchlist.entries import WatchlistRepository
from models.roles import Role
from models.watchlist import WatchlistReason, entry_id
from tests.integration.conftest import KeyFactory, gql
from tests.integration.watchlist_book import run_rules, seed_demo

CHECK = """
query Check($identity: IdentityInput!, $product: String) {
  renewalCheck(identity: $identity, product: $product) {
    __typename
    ... on RenewalDecision {
      action product
      reasons { code action limitedFrom text zh: text(language: ZH) }
      legalLimit { product strongestAllowed wanted text zh: text(language: ZH) }
    }
  }
}
"""
BATCH = """
query Batch($identities: [IdentityInput!]!, $product: String) {
  renewalCheckBatch(identities: $identities, product: $product) {
    ... on RenewalDecision { action legalLimit { wanted } }
    ... on InvalidIdentity { field }
  }
}
"""
DECLINED = {"customerNo": "C8000001"}  # an ACTIVE FRAUD_LINKED entry once reviewed


@pytest.fixture
async def renewal_key(graph: Graph, settings: Settings, make_key: KeyFactory) -> str:
    await seed_demo(graph, settings.identity_key)
    await run_rules(graph)
    wid = entry_id("customer:C8000001", WatchlistReason.FRAUD_LINKED)
    await WatchlistRepository(graph).review(wid, True, "confirmed", "reviewer", "key-r")
    return await make_key(Role.RENEWAL)


async def _check(client: httpx.AsyncClient, key: str, product: str | None) -> dict[str, Any]:
    body = (await gql(client, key, CHECK, {"identity": DECLINED, "product": product})).json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["renewalCheck"]
    return result


async def test_compulsory_motor_is_renewed_with_conditions_and_says_why(
    client: httpx.AsyncClient, renewal_key: str
) -> None:
    assert (await _check(client, renewal_key, None))["action"] == "DECLINE"
    assert (await _check(client, renewal_key, "车损险"))["legalLimit"] is None

    result = await _check(client, renewal_key, " 交强险 ")
    assert result["action"] == "RENEW_WITH_CONDITIONS"
    assert result["product"] == "交强险"
    fraud = next(r for r in result["reasons"] if r["code"] == "FRAUD_LINKED")
    assert (fraud["action"], fraud["limitedFrom"]) == ("RENEW_WITH_CONDITIONS", "DECLINE")
    assert fraud["text"].startswith("Connected to a case under fraud investigation")
    assert fraud["zh"].startswith("与正在调查的涉嫌欺诈案件有关联")
    limit = result["legalLimit"]
    assert (limit["strongestAllowed"], limit["wanted"]) == ("RENEW_WITH_CONDITIONS", "DECLINE")
    assert "may not be refused" in limit["text"]
    assert "DECLINE became RENEW_WITH_CONDITIONS" in limit["text"]
    assert "交强险" in limit["zh"]
    assert "不得拒绝" in limit["zh"]
    assert "附条件续保" in limit["zh"]


async def test_a_batch_takes_the_line_and_an_unknown_line_is_refused(
    client: httpx.AsyncClient, renewal_key: str
) -> None:
    identities = [DECLINED, {"customerNo": "C0000042"}, {"phone": "12"}]
    body = (
        await gql(client, renewal_key, BATCH, {"identities": identities, "product": "交强险"})
    ).json()
    assert body["data"]["renewalCheckBatch"] == [
        {"action": "RENEW_WITH_CONDITIONS", "legalLimit": {"wanted": "DECLINE"}},
        {"action": "RENEW", "legalLimit": None},
        {"field": "phone"},
    ]
    unknown = (
        await gql(client, renewal_key, BATCH, {"identities": identities, "product": "宠物险"})
    ).json()
    assert unknown["data"] is None
    error = unknown["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'宠物险' is not a known line of business" in error["message"]
    assert "RISKWATCH_RENEWAL_LEGAL_LIMITS" in error["message"]
