"""Keyset paging holds while rows are added: paging through 1,000 alerts, mentions and
watchlist entries, a few pages at a time, with new rows written between pages (newer, older
and tied with the rows already seen), shows every row that existed at the start exactly once,
in order, and no row twice. A malformed or foreign cursor is BAD_USER_INPUT, never a 500."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

import httpx
import pytest
from graphql import GraphQLNonNull, get_named_type

from api.schema import build_schema
from api.settings import Settings
from graph.client import Graph
from graph.crisis.alerts import ALERT_ORDER
from graph.watchlist.entries import ENTRY_ORDER
from models.cursors import encode_cursor
from models.roles import Role
from tests.integration.conftest import KeyFactory, gql
from tests.integration.risk_schema import data_of, run_as_risk

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROWS = 1000
PAGE = 37
ADDED_PER_PAGE = 6


@dataclass(frozen=True)
class PagedList:
    field: str
    seed: LiteralString
    # The list's order as a sort key of (instant, id); the list shows ascending keys first.
    order: Callable[[tuple[datetime, str]], Any]


LISTS = {
    "alerts": PagedList(
        "alerts",
        "UNWIND $rows AS r CREATE (:Alert {id: r.id, opened_at: r.at, subject_id: 'subject:x', "
        "severity: 'WATCH', severity_rank: 0, status: 'OPEN', kind: 'SPIKE'})",
        lambda row: (-row[0].timestamp(), row[1]),  # newest first, ties by id
    ),
    "mentions": PagedList(
        "mentions",
        "UNWIND $rows AS r CREATE (:Mention {id: r.id, published_at: r.at, first_seen_at: r.at, "
        "title: r.id})",
        lambda row: (-row[0].timestamp(), [-ord(c) for c in row[1]]),  # newest first, id desc
    ),
    "watchlist": PagedList(
        "watchlist",
        "MERGE (p:Party:Customer {id: 'customer:PAGING'}) SET p.name = '翻页', p.ref = 'PAGING' "
        "WITH p UNWIND $rows AS r "
        "CREATE (:WatchlistEntry {id: r.id, party_id: p.id, reason: 'REPEAT_COMPLAINANT', "
        "status: 'PROPOSED', created_at: r.at})-[:LISTS]->(p)",
        lambda row: row[1],  # by id
    ),
}


def _rows(rng: random.Random, prefix: str, count: int) -> list[dict[str, Any]]:
    # Four rows share each instant, so ties are broken by id; ids are random, so new rows land
    # before and after the cursor within a tie as well as across instants.
    return [
        {
            "id": f"{prefix}:{rng.getrandbits(48):012x}",
            "at": T0 + timedelta(minutes=rng.randrange(ROWS // 4 + 20)),
        }
        for _ in range(count)
    ]


def _page_query(field: str) -> str:
    return (
        f"query ($first: Int!, $after: String) {{ {field}(first: $first, after: $after) "
        "{ edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"
    )


async def test_alerts_page_while_alerts_are_raised(graph: Graph, settings: Settings) -> None:
    await _page_while_adding(graph, settings, "alerts")


async def test_mentions_page_while_mentions_arrive(graph: Graph, settings: Settings) -> None:
    await _page_while_adding(graph, settings, "mentions")


async def test_watchlist_pages_while_entries_are_proposed(graph: Graph, settings: Settings) -> None:
    await _page_while_adding(graph, settings, "watchlist")


async def _page_while_adding(graph: Graph, settings: Settings, name: str) -> None:
    paged = LISTS[name]
    rng = random.Random(f"keyset-{name}")
    prefix = name.rstrip("s")
    existing = _rows(rng, prefix, ROWS)
    await graph.write(paged.seed, rows=existing)  # one UNWIND, not a thousand round trips

    seen: list[str] = []
    after: str | None = None
    added = 0
    while True:
        result = await run_as_risk(
            settings, graph, _page_query(paged.field), {"first": PAGE, "after": after}
        )
        page = data_of(result)[paged.field]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["edges"]) == PAGE
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
        fresh = _rows(rng, f"{prefix}-new", ADDED_PER_PAGE)
        await graph.write(paged.seed, rows=fresh)
        added += len(fresh)

    assert added >= (ROWS // PAGE) * ADDED_PER_PAGE  # rows really were added between pages
    assert len(seen) == len(set(seen)), "a row was shown twice"
    original = {row["id"] for row in existing}
    assert original <= set(seen), f"{len(original - set(seen))} rows that existed were skipped"
    in_order = sorted(existing, key=lambda row: paged.order((row["at"], row["id"])))
    assert [i for i in seen if i in original] == [row["id"] for row in in_order]


def _paged_root_fields() -> list[str]:
    query = build_schema()._schema.query_type
    assert query is not None
    return sorted(name for name, f in query.fields.items() if {"first", "after"} <= set(f.args))


# Arguments a paged field cannot do without (the test fails on a new one, naming it).
REQUIRED_ARGUMENTS = {"network": 'partyId: "customer:C8000001", '}


async def test_a_malformed_or_foreign_cursor_is_bad_user_input(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    admin = await make_key(Role.ADMIN)
    alert_cursor = encode_cursor(ALERT_ORDER, T0, "alert:1")
    entry_cursor = encode_cursor(ENTRY_ORDER, "watchlist:1", "watchlist:1")
    fields = _paged_root_fields()
    assert len(fields) >= 10
    schema = build_schema()._schema
    assert schema.query_type is not None
    for field in fields:
        required = {
            arg
            for arg, definition in schema.query_type.fields[field].args.items()
            if isinstance(definition.type, GraphQLNonNull) and definition.default_value is None
        }
        assert required <= {"partyId"}, f"{field} needs {required}: add it to REQUIRED_ARGUMENTS"
        assert get_named_type(schema.query_type.fields[field].type) is not None
        foreign = entry_cursor if field == "alerts" else alert_cursor
        for cursor in ("not a cursor!", "eyJv", foreign):
            response = await gql(
                client,
                admin,
                f"query ($after: String) {{ {field}({REQUIRED_ARGUMENTS.get(field, '')}"
                "first: 5, after: $after) { pageInfo { hasNextPage } } }",
                {"after": cursor},
            )
            assert response.status_code == 200, (field, cursor)
            body = response.json()
            assert body["data"] is None, (field, cursor)
            [error] = body["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", (field, cursor, error)
            assert "cursor" in error["message"], (field, error)
