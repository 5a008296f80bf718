"""``riskwatch serve --workers N``: N API processes on one port, each with its own app.

The real command as a subprocess against the test Neo4j: both workers build their app and
answer over real HTTP, and SIGTERM stops every one of them gracefully. Loading the sentiment
model into several API processes is refused before anything starts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from graph.client import Graph
from models.roles import Role
from tests.integration.conftest import KeyFactory
from tests.integration.webhook_receiver import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent.parent
RENEWAL = """query($i: IdentityInput!) { renewalCheck(identity: $i) {
  __typename ... on RenewalDecision { action } } }"""


def _serve(port: int, log: Path, **extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RISKWATCH_LOG_LEVEL": "INFO",
        "RISKWATCH_COMPLAINT_SWEEP_INTERVAL_S": "0",
        "RISKWATCH_CRISIS_DETECT_INTERVAL_S": "0",
        **extra,
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers too can be killed
        )


def _listening_sockets(port: int) -> int:
    """How many sockets listen on ``port`` (IPv4), from the kernel's own table."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1
        for row in rows
        if row.split()[3] == "0A" and int(row.split()[1].rsplit(":", 1)[1], 16) == port
    )


def _text(log: Path) -> str:
    return log.read_text(errors="replace")


async def _until_logged(log: Path, line: str, times: int, deadline_s: float = 90.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while _text(log).count(line) < times:
        if loop.time() > deadline:
            pytest.fail(f"{line!r} was not logged {times} times:\n{_text(log)[-3000:]}")
        await asyncio.sleep(0.1)


async def test_two_workers_each_build_the_app_answer_and_stop_on_sigterm(
    graph: Graph, make_key: KeyFactory, tmp_path: Path
) -> None:
    key = await make_key(Role.RENEWAL)
    port, log = free_port(), tmp_path / "serve.log"
    server = _serve(port, log)
    try:
        await _until_logged(log, "riskwatch ready", 2)
        # One listening socket per worker (SO_REUSEPORT): the kernel spreads connections.
        assert _listening_sockets(port) == 2
        # A fresh connection per request: the kernel spreads connections over the workers.
        for n in range(20):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                response = await client.post(
                    "/graphql",
                    json={"query": RENEWAL, "variables": {"i": {"customerNo": f"C{n:07d}"}}},
                    headers={"Authorization": f"Bearer {key}"},
                )
            assert response.status_code == 200, response.text
            assert response.json()["data"]["renewalCheck"]["__typename"] == "RenewalDecision"
        server.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(server.wait, 60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    output = _text(log)
    assert code in (0, -signal.SIGTERM), output
    assert output.count("riskwatch stopped") == 2, output


async def test_the_media_monitor_is_refused_in_several_workers(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    server = _serve(free_port(), log, RISKWATCH_MONITOR_IN_SERVE="true")
    code = await asyncio.to_thread(server.wait, 60)
    assert code == 2
    assert "run `riskwatch monitor` beside the API instead" in _text(log)
