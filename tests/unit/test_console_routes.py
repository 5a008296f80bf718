"""/console/ serves the built bundle with its security headers, or says how to build it."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from api.console import console_routes


def test_missing_build_answers_how_to_build(tmp_path: Path) -> None:
    client = TestClient(Starlette(routes=console_routes(tmp_path / "absent")))
    response = client.get("/console/")
    assert response.status_code == 503
    assert "run scripts/setup" in response.text
    assert client.get("/console/assets/app.js").status_code == 503


def test_built_console_is_served_with_headers(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>riskwatch console</title>")
    client = TestClient(Starlette(routes=console_routes(tmp_path)))
    redirect = client.get("/console", follow_redirects=False)
    assert redirect.headers["location"] == "/console/"
    response = client.get("/console/")
    assert response.status_code == 200
    assert "riskwatch console" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/console/missing.js").status_code == 404
