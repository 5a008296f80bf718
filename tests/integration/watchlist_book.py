"""Shared set-up for the watchlist and renewal tests: the demo book, the rules' clock and a
customer whose raw identifiers the tests know."""

from __future__ import annotations

from datetime import UTC, date, datetime

from graph.bulk.demo import write_demo_book
from graph.bulk.ingest import GraphWriter
from graph.client import Graph
from graph.watchlist.entries import RunReport, WatchlistRepository
from graph.watchlist.rules import RuleThresholds
from models.identity import IdentifierKind, id_check_digit, make_identifier
from models.names import fold_name, pinyin_key
from models.records import IdentifierRow, PartyKind, PartyRow, party_id

# Demo complaints fall in 2026 (up to ~day 320): the rules run as of late November 2026.
RULES_NOW = datetime(2026, 11, 20, tzinfo=UTC)
DEMO_CUSTOMERS = 100
KNOWN_FIRST17 = "11010519491231002"
KNOWN_ID = KNOWN_FIRST17 + id_check_digit(KNOWN_FIRST17)
KNOWN_PHONE = "13812345678"
KNOWN_PLATE = "粤B12345"
KNOWN_NAME = "张伟"
KNOWN_REF = "C7000001"
KNOWN_PARTY = party_id(PartyKind.CUSTOMER, KNOWN_REF)


async def seed_demo(graph: Graph, secret: bytes) -> None:
    """The demo book with its planted patterns, plus the known customer."""
    await write_demo_book(graph, DEMO_CUSTOMERS, 7, secret)
    await add_customer(graph, secret, KNOWN_REF, KNOWN_NAME, KNOWN_ID, KNOWN_PHONE, KNOWN_PLATE)


def _ident(secret: bytes, kind: IdentifierKind, raw: str) -> IdentifierRow:
    ident = make_identifier(secret, kind, raw)
    return {"id": ident.node_id, "kind": kind.value, "key": ident.key, "masked": ident.masked}


async def add_customer(
    graph: Graph, secret: bytes, ref: str, name: str, id_number: str, phone: str, plate: str
) -> None:
    """Write one customer with these raw identifiers (stored hashed and masked)."""
    idents = [
        _ident(secret, IdentifierKind.ID_CARD, id_number),
        _ident(secret, IdentifierKind.PHONE, phone),
        _ident(secret, IdentifierKind.PLATE, plate),
    ]
    row: PartyRow = {
        "id": party_id(PartyKind.CUSTOMER, ref),
        "props": {
            "ref": ref,
            "name": name,
            "name_key": fold_name(name),
            "pinyin_key": pinyin_key(name),
            "customer_no": ref,
            "city": "北京",
            "id_masked": idents[0]["masked"],
            "phone_masked": idents[1]["masked"],
            "since": date(2020, 1, 1),
        },
        "identifiers": idents,
    }
    await GraphWriter(graph).parties(PartyKind.CUSTOMER, [row])


async def run_rules(graph: Graph, now: datetime = RULES_NOW) -> RunReport:
    """Run every rule with the default thresholds as of ``now``."""
    return await WatchlistRepository(graph).run_rules(RuleThresholds(), now, ttl_days=365)
