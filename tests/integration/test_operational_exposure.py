"""Operational exposure (issue 19, item 8): failed authentication is limited per client
address, /metrics needs its token, refused requests are logged quietly, and turning
introspection off also turns off field suggestions."""

from __future__ import annotations

import httpx
from websockets.asyncio.client import connect

from api.settings import Settings
from models.roles import Role
from tests.integration.conftest import KeyFactory, gql, serve_in_thread
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
