"""``riskwatch serve`` stopped by SIGTERM: the request in flight completes with its whole
answer, new connections are refused, the media monitor finishes its current poll, and every
lease the process held in Neo4j (feeds, outbox deliveries) is handed back before it exits.

The real process and the real signal: the server runs as a subprocess. The in-flight request
is a real renewal batch whose body the client is still uploading when the signal arrives (an
honest slow request, with no delay in product code); the feed and the webhook answer only
when the test lets them, so both leases are surely held at the moment of the signal.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from graph.client import Graph
from graph.outbox import WebhookTargetRepository
from models.crisis import Severity
from models.renewal import RenewalAction
from models.roles import Role
from tests.feed_server import FeedServer, Route
from tests.integration.conftest import KeyFactory
from tests.integration.media_support import add_feeds, fixture
from tests.integration.watchlist_book import seed_demo
from tests.integration.webhook_receiver import free_port
from tests.unit.sentiment_tiny_model import write_tiny_model

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent.parent
BATCH = """
query Batch($identities: [IdentityInput!]!) {
  renewalCheckBatch(identities: $identities) { __typename ... on RenewalDecision { action } }
}
"""
IDENTITIES = 300
LEASES = """
CALL () { MATCH (f:Feed) RETURN 'feed' AS kind, f.lease_owner AS owner
          UNION ALL
          MATCH (d:Delivery) RETURN 'delivery' AS kind, d.lease_owner AS owner }
RETURN kind, owner ORDER BY kind
"""


async def _until(check: Any, what: str, deadline_s: float = 60.0) -> Any:
    """Poll ``check()`` (async) until it returns something truthy, or fail after the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    while loop.time() < end:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.05)
    pytest.fail(what)


def _serve(port: int, model: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "RISKWATCH_MONITOR_IN_SERVE": "true",
            "RISKWATCH_SENTIMENT_MODEL": str(model),
            "RISKWATCH_FEED_ALLOW_PRIVATE": "true",
            "RISKWATCH_FEED_IDLE_S": "0.2",
            "RISKWATCH_FEED_REQUEST_TIMEOUT_S": "120",
            "RISKWATCH_DELIVERY_INTERVAL_S": "0.2",
            "RISKWATCH_DELIVERY_TIMEOUT_S": "120",
            "RISKWATCH_COMPLAINT_SWEEP_INTERVAL_S": "0",
            "RISKWATCH_EVENT_DISPATCH_INTERVAL_S": "0",
            "RISKWATCH_CRISIS_ESCALATION_INTERVAL_S": "0",
            "RISKWATCH_CRISIS_DETECT_INTERVAL_S": "0",
            "RISKWATCH_LOG_LEVEL": "WARNING",
            # The slow request is a batch of customer numbers the book does not hold: not
            # probing here (the guard would refuse more than 200 an hour).
            "RISKWATCH_FAILED_IDENTIFIERS_PER_HOUR": "100000",
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


async def _refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    return False


async def _pending_work(graph: Graph, held: FeedServer) -> asyncio.Event:
    """A feed due now and an outbox delivery due now, both answered only when released
    (the webhook never is: its delivery is cut off); return the feed's release."""
    feed_go = asyncio.Event()
    held.routes["/feed"] = Route(body=fixture("atom.xml"), hold=feed_go)
    held.routes["/hook"] = Route(body=b"{}", content_type="application/json", hold=asyncio.Event())
    await add_feeds(graph, {"held": held.url("/feed")})
    await graph.write("MATCH (f:Feed) SET f.next_poll_at = datetime() - duration('PT1M')")
    target = await WebhookTargetRepository(graph).add(
        name="held-hook",
        kind="GENERIC",
        url=held.url("/hook"),
        secret=None,
        min_severity=Severity.WATCH,
        event_types=[],
        actor="tests",
        now=datetime.now(UTC),
    )
    await graph.write(
        "CREATE (:Alert {id: 'alert-held', severity: 'WATCH', kind: 'SPIKE'})"
        "<-[:FOR]-(:Delivery {id: 'delivery-held', idempotency_key: 'held', target_id: $target,"
        " status: 'PENDING', attempts: 0, next_attempt_at: $due})",
        target=target.id,
        due=datetime.now(UTC) - timedelta(minutes=1),
    )
    return feed_go


async def test_sigterm_finishes_the_request_in_flight_and_releases_every_lease(
    graph: Graph, settings: Settings, make_key: KeyFactory, tmp_path: Path
) -> None:
    await seed_demo(graph, settings.identity_key)
    key = await make_key(Role.RENEWAL)
    model = write_tiny_model(tmp_path / "tiny-model")
    port = free_port()
    async with FeedServer() as held:
        feed_go = await _pending_work(graph, held)
        server = _serve(port, model)
        try:
            await _until(lambda: _ready(port), "the server did not start")
            # Both leases are held: the feed poll and the delivery wait for the test.
            await _until(
                lambda: _as_true(held.hits["/feed"] and held.hits["/hook"]),
                "the monitor and the outbox did not start their work",
            )
            owners = {r["kind"]: r["owner"] for r in await graph.read(LEASES)}
            assert owners["feed"], owners
            assert owners["delivery"], owners

            body = json.dumps(
                {
                    "query": BATCH,
                    "variables": {
                        "identities": [{"customerNo": f"C{n:07d}"} for n in range(IDENTITIES)]
                    },
                }
            ).encode()
            # The request is in flight once the app reads its body: with "Expect:
            # 100-continue" the server says so ("100 Continue") before the body is sent.
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                b"POST /graphql HTTP/1.1\r\nHost: riskwatch\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n"
                % (key.encode(), len(body))
            )
            await writer.drain()
            go_on = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=60)
            assert go_on.startswith(b"HTTP/1.1 100"), go_on

            server.send_signal(signal.SIGTERM)
            await _until(lambda: _refused(port), "new connections were still accepted")

            writer.write(body)  # the request in flight, sent after the signal
            await writer.drain()
            response = await asyncio.wait_for(reader.read(), timeout=60)
            writer.close()
            head, _, payload = response.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head
            answer = json.loads(payload)
            assert "errors" not in answer, answer
            decisions = answer["data"]["renewalCheckBatch"]
            assert len(decisions) == IDENTITIES
            assert {d["action"] for d in decisions} <= {a.value for a in RenewalAction}

            # The monitor stops after its current poll: let that poll finish. The webhook
            # stays silent: that delivery is cut off and must be handed back.
            feed_go.set()
            code = await asyncio.to_thread(server.wait, 60)
        finally:
            if server.poll() is None:
                server.kill()
            output = ""
            if server.stdout is not None:
                output = server.stdout.read().decode(errors="replace")
                server.stdout.close()
    # uvicorn re-raises the signal once its graceful shutdown is done: "terminated by SIGTERM".
    assert code in (0, -signal.SIGTERM), output
    assert "riskwatch stopped" in output
    assert [(r["kind"], r["owner"]) for r in await graph.read(LEASES)] == [
        ("delivery", None),
        ("feed", None),
    ], output
    [feed] = await graph.read("MATCH (f:Feed) RETURN f.lease_until AS until")
    assert feed["until"] is None
    assert await graph.read("MATCH (m:Mention) RETURN m.id LIMIT 1"), "the last poll was kept"
    [delivery] = await graph.read(
        "MATCH (d:Delivery) RETURN d.status AS status, d.lease_until AS until"
    )
    assert delivery["status"] == "PENDING"
    assert delivery["until"] is None


async def _as_true(value: Any) -> bool:
    return bool(value)


async def _ready(port: int) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            return (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200
    except httpx.TransportError:
        return False
