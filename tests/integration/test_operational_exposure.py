"""Operational exposure (issue 19, item 8): failed authentication is limited per client
address, /metrics needs its token, refused requests are logged quietly, and turning
introspection off also turns off field suggestions."""

from __future__ import annotations

import logging

import httpx
import pytest
from websockets.asyncio.client import connect

from api.settings import Settings
from models.roles import Role
from tests.integration.conftest import METRICS_AUTH, KeyFactory, gql, serve_in_thread
from tests.integration.ws_client import PROTOCOL, close_code_after

VIEWER = "{ viewer { role } }"


async def test_guessing_keys_is_limited_per_client_address(
    settings: Settings, make_key: KeyFactory
) -> None:
    key = await make_key(Role.RISK)
    strict = settings.model_copy(
        update={"auth_failure_limit_per_minute": 1, "auth_failure_burst": 5}
    )
    with serve_in_thread(strict) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            # A key that works keeps working while nobody guesses.
            assert (await gql(http, key, VIEWER)).status_code == 200
            codes = [
                (await gql(http, f"rw_guess{n:04d}_not-a-key", VIEWER)).status_code
                for n in range(8)
            ]
            assert codes[:5] == [401] * 5
            assert codes[5:] == [429] * 3
            throttled = await gql(http, "rw_guess9999_not-a-key", VIEWER)
            assert throttled.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            assert int(throttled.headers["Retry-After"]) >= 1
            # A key this server has just seen is still remembered (no lookup, no guess);
            # websockets from the address are throttled the same way.
            assert (await gql(http, key, VIEWER)).status_code == 200
            init = {"type": "connection_init", "payload": {"Authorization": "Bearer rw_x_y"}}
            async with connect(server.ws_url, subprotocols=[PROTOCOL]) as socket:
                assert await close_code_after(socket, [init]) == 4403


async def test_metrics_need_the_configured_token(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert "overdue" not in wrong.text
    answered = await client.get("/metrics", headers=METRICS_AUTH)
    assert answered.status_code == 200
    assert "riskwatch_http_requests_total" in answered.text
    # Without a configured token, /metrics is off.
    assert not settings.metrics_token.get_secret_value()
    with serve_in_thread(settings) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            off = await http.get("/metrics", headers=METRICS_AUTH)
            assert off.status_code == 404
            assert (await http.get("/healthz")).status_code == 200


MARKER = "13800009999"


async def test_refused_requests_are_logged_at_info_without_values(
    client: httpx.AsyncClient, make_key: KeyFactory, caplog: pytest.LogCaptureFixture
) -> None:
    renewal = await make_key(Role.RENEWAL)
    risk = await make_key(Role.RISK)
    refusals: list[tuple[str, str, dict[str, object]]] = [
        # FORBIDDEN, with the value in a variable
        (renewal, "query($q: String!) { searchParties(query: $q) { id } }", {"q": MARKER}),
        # validation: a variable of the wrong type, and a value inline in the query text
        (risk, "query($n: Int!) { rings(first: $n) { totalCount } }", {"n": MARKER}),
        (risk, f'{{ rings(first: "{MARKER}") {{ totalCount }} }}', {}),
        # bad input inside a resolver
        (risk, 'query($f: Int!) { searchParties(query: "x", first: $f) { id } }', {"f": -1}),
        # a field that does not exist
        (risk, f"{{ viewer {{ name }} a{MARKER}: nothing }}", {}),
    ]
    caplog.set_level(logging.INFO)
    for key, query, variables in refusals:
        body = (await gql(client, key, query, variables)).json()
        assert body.get("errors"), query
    refused = [r for r in caplog.records if r.getMessage().startswith("refused ")]
    assert len(refused) >= len(refusals)
    assert all(r.levelno == logging.INFO and r.exc_info is None for r in refused)
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert MARKER not in text, text
        assert record.levelno < logging.ERROR, text


async def test_no_suggestions_without_introspection(
    client: httpx.AsyncClient, settings: Settings, make_key: KeyFactory
) -> None:
    key = await make_key(Role.ADMIN)
    typo = "{ viewer { nam } }"
    enum_typo = 'query($r: Role!) { createApiKey(name: "x", role: $r) { id } }'
    open_body = (await gql(client, key, typo)).json()
    assert "Did you mean" in open_body["errors"][0]["message"]  # developers keep them
    closed = settings.model_copy(update={"graphql_introspection": False})
    with serve_in_thread(closed) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            for query, variables in ((typo, {}), (enum_typo, {"r": "ADMN"})):
                body = (await gql(http, key, query, variables)).json()
                message = body["errors"][0]["message"]
                assert "Did you mean" not in message, message
                assert "name" not in message.replace("'nam'", ""), message
                assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
            # Nor the GraphiQL page: a browser asking for it needs a key like any request.
            page = await http.get("/graphql", headers={"Accept": "text/html"})
            assert page.status_code == 401
            assert "graphiql" not in page.text.lower()
