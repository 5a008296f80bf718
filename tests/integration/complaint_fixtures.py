"""A small book for complaint tests: two customers, policies, claims and a repair shop."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from graph.bulk.ingest import GraphWriter
from graph.client import Graph
from models.records import PartyKind, PartyRow, claim_id, party_id, policy_id

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _customer(ref: str, name: str) -> PartyRow:
    return {
        "id": party_id(PartyKind.CUSTOMER, ref),
        "props": {
            "ref": ref,
            "customer_no": ref,
            "name": name,
            "id_masked": "440***********1234",
            "phone_masked": "138****5678",
        },
        "identifiers": [],
    }


async def write_small_book(graph: Graph) -> None:
    """C1 holds P1 with claims L1 (pending) and L2 (denied); C2 holds P2; shop S1."""
    writer = GraphWriter(graph)
    await writer.parties(PartyKind.CUSTOMER, [_customer("C1", "张三"), _customer("C2", "李四")])
    await writer.parties(
        PartyKind.REPAIR_SHOP,
        [{"id": party_id(PartyKind.REPAIR_SHOP, "S1"), "props": {"ref": "S1"}, "identifiers": []}],
    )
    policy_props: dict[str, Any] = {"product": "车损险", "start_date": date(2025, 6, 1)}
    await writer.policies(
        [
            {
                "id": policy_id(no),
                "props": {"policy_no": no, **policy_props},
                "holder_id": party_id(PartyKind.CUSTOMER, holder),
                "seller_id": None,
                "dealer_id": None,
            }
            for no, holder in (("P1", "C1"), ("P2", "C2"))
        ]
    )
    await writer.claims(
        [
            {
                "id": claim_id("L1"),
                "props": {
                    "claim_no": "L1",
                    "status": "PENDING",
                    "reported_at": datetime(2026, 1, 5, tzinfo=UTC),
                },
                "policy_id": policy_id("P1"),
                "shop_id": party_id(PartyKind.REPAIR_SHOP, "S1"),
                "adjuster_id": None,
            },
            {
                "id": claim_id("L2"),
                "props": {
                    "claim_no": "L2",
                    "status": "DENIED",
                    "reported_at": datetime(2026, 1, 10, tzinfo=UTC),
                    "settled_at": datetime(2026, 2, 1, tzinfo=UTC),
                },
                "policy_id": policy_id("P1"),
                "shop_id": None,
                "adjuster_id": None,
            },
        ]
    )
