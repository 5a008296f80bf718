"""Fragment fan-out (issue 19, item 1): documents whose fragments spread each other twice per
level are refused in milliseconds, at every size up to the request limit, and the process
keeps answering other requests meanwhile.

Before the fix the depth, alias and cost checks walked every spread again: 18 levels took
seconds of one CPU and 40 levels would have taken days, with ``/healthz`` waiting behind them.
"""

from __future__ import annotations

import time

import anyio
import httpx

from models.roles import Role
from tests.integration.conftest import KeyFactory, gql

# Far above what the checks need once each fragment is measured once (a few milliseconds), far
# below what walking every spread costs (seconds at 18 levels, days at 40).
DEADLINE_S = 2.0


def doubling_fragments(levels: int, leaf: str = "viewer { name }") -> str:
    """``fragment F0 on Query{<leaf>} fragment F1 on Query{...F0 ...F0} ... query{...Fn}``."""
    chain = " ".join(
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    )
    return f"fragment F0 on Query {{ {leaf} }} {chain} query {{ ...F{levels} }}"


async def _refused_while_healthz_answers(
    client: httpx.AsyncClient, key: str, document: str
) -> dict[str, object]:
    answer: dict[str, object] = {}

    async def attack() -> None:
        answer.update((await gql(client, key, document)).json())

    started = time.monotonic()
    with anyio.fail_after(DEADLINE_S):
        async with anyio.create_task_group() as group:
            group.start_soon(attack)
            # The health check is answered while the operation is being checked.
            assert (await client.get("/healthz")).status_code == 200
    assert time.monotonic() - started < DEADLINE_S
    return answer


async def test_doubling_fragments_are_refused_fast(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RENEWAL)
    for levels in (18, 24, 40):
        body = await _refused_while_healthz_answers(client, key, doubling_fragments(levels))
        assert body["data"] is None, levels
        errors = body["errors"]
        assert isinstance(errors, list)
        assert errors[0]["extensions"]["code"] == "QUERY_TOO_COSTLY", levels


async def test_fan_out_of_aliases_and_depth_is_counted_not_walked(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    # Aliases multiply with every level: refused for the aliases, at once.
    aliased = doubling_fragments(40, leaf="a: viewer { name } b: viewer { role }")
    body = await _refused_while_healthz_answers(client, key, aliased)
    assert "aliases" in str(body["errors"]).lower()
    # Inline fragments and nested fields around the spreads change nothing.
    nested = " ".join(
        f"fragment F{i} on Query {{ ... on Query {{ ...F{i - 1} }} viewer {{ name }} ...F{i - 1} }}"
        for i in range(1, 41)
    )
    document = f"fragment F0 on Query {{ viewer {{ role }} }} {nested} query {{ ...F40 }}"
    body = await _refused_while_healthz_answers(client, key, document)
    assert body["data"] is None


async def test_repeated_fields_are_refused_before_merge_validation(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RENEWAL)
    # Merge validation compares every pair of same-named fields: 320 copies (within the token
    # limit) held the process for seconds. Through fragments as well.
    copies = "{ " + " ".join("viewer { name }" for _ in range(320)) + " }"
    spread = " ".join(f"fragment G{i} on Query {{ viewer {{ name role }} }}" for i in range(120))
    spread += " query { " + " ".join(f"...G{i}" for i in range(120)) + " }"
    for document in (copies, spread):
        body = await _refused_while_healthz_answers(client, key, document)
        assert body["data"] is None
        assert "repeats the same fields" in str(body["errors"])
    # A few repeats, as clients write them, are fine.
    few = "{ viewer { name } viewer { name role } __typename __typename }"
    assert (await gql(client, key, few)).json()["data"]["viewer"]["role"] == "RENEWAL"


async def test_a_document_at_the_request_limit_is_refused_fast(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.ADMIN)
    # As many levels as the token limit lets through (each level is about 12 tokens).
    levels = 160
    body = await _refused_while_healthz_answers(client, key, doubling_fragments(levels))
    assert body["data"] is None


async def test_fragments_used_once_still_work(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.ADMIN)
    document = doubling_fragments(3)  # 8 copies of one field: merged, cheap
    body = (await gql(client, key, document)).json()
    assert body == {"data": {"viewer": {"name": "test-admin"}}}
