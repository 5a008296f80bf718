"""Malformed requests get a clear 400 or 413, or a BAD_USER_INPUT, never a 500 (issue 19,
item 7): JSON bodies that are not objects, bytes that are not UTF-8, chunked bodies over the
limit, lone surrogates in strings, the legacy ``graphql-ws`` websocket protocol."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from api.settings import Settings
from models.roles import Role
from tests.integration.conftest import KeyFactory, LiveServer, gql
from tests.integration.ws_client import close_code_after, open_socket


def _code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def _post(client: httpx.AsyncClient, key: str, content: bytes) -> httpx.Response:
    return await client.post(
        "/graphql",
        content=content,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )


async def test_json_bodies_that_are_not_objects_are_400(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    for body in (b"null", b'"x"', b"5", b"true", b"[]", b"[1]", b'{"query": 5}', b"{"):
        response = await _post(client, key, body)
        assert response.status_code == 400, (body, response.status_code, response.text)
        assert _code(response) == "BAD_USER_INPUT", body


async def test_bytes_that_are_not_utf8_are_400(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    for body in (b'{"query": "{ viewer { name } }\xff"}', b"\xc3\x28", b"\xed\xa0\x80"):
        response = await _post(client, key, body)
        assert response.status_code == 400, (body, response.text)
        assert _code(response) == "BAD_USER_INPUT"


async def test_a_chunked_body_over_the_limit_is_413(
    client: httpx.AsyncClient, make_key: KeyFactory, settings: Settings
) -> None:
    key = await make_key(Role.RISK)
    chunk = b" " * 65_536

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ viewer { name } }"'
        for _ in range(settings.max_request_bytes // len(chunk) + 2):
            yield chunk
        yield b"}"

    response = await client.post(
        "/graphql",
        content=chunks(),  # no Content-Length: sent chunked
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert _code(response) == "BAD_USER_INPUT"
    # Under the limit, chunked is fine.

    async def small() -> AsyncIterator[bytes]:
        yield b'{"query": "{ viewer '
        yield b'{ role } }"}'

    fine = await client.post(
        "/graphql",
        content=small(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert fine.json() == {"data": {"viewer": {"role": "RISK"}}}


async def test_lone_surrogates_are_bad_user_input(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    search = "query($q: String!) { searchParties(query: $q) { id } }"
    # In a variable (JSON's \\ud800 escape) and in the query text (GraphQL's \\uD800 escape).
    in_variable = json.dumps({"query": search, "variables": {"q": "张\ud800"}}).encode()
    assert b"\\ud800" in in_variable
    in_literal = json.dumps({"query": '{ searchParties(query: "\\uD800x") { id } }'}).encode()
    nested = json.dumps(
        {
            "query": "query($i: IdentityInput!) { renewalCheck(identity: $i) { __typename } }",
            "variables": {"i": {"name": "\udfff"}},
        }
    ).encode()
    for body in (in_variable, nested):
        response = await _post(client, key, body)
        assert response.status_code in (200, 400), response.text
        assert _code(response) == "BAD_USER_INPUT", response.text
    # GraphQL's parser refuses them in the document itself: a syntax error, with its code.
    refused = await _post(client, key, in_literal)
    assert _code(refused) == "GRAPHQL_PARSE_FAILED", refused.text
    assert (await gql(client, key, search, {"q": "张伟"})).json()["data"] == {"searchParties": []}


async def test_the_legacy_graphql_ws_protocol_is_refused_cleanly(
    live_server: LiveServer, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    messages = [
        {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}},
        {"type": "start", "id": "1", "payload": {"query": "{ viewer { name } }"}},
    ]
    async with connect(live_server.ws_url, subprotocols=[Subprotocol("graphql-ws")]) as socket:
        assert socket.subprotocol is None  # not agreed to: the server closes the socket
        assert await close_code_after(socket, messages) == 4406
    # The current protocol still works.
    current = await open_socket(live_server.ws_url, key)
    await current.close()
