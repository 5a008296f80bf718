"""The web console: static files built from ``console/`` by scripts/setup, served at /console/.

The console is a plain static bundle that calls ``/graphql`` with the API key the person
typed in (kept in the browser's sessionStorage), so serving it needs no authentication; every
piece of data it shows comes through the API's role checks.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

NOT_BUILT = (
    "The riskwatch console is not built: run scripts/setup (it runs npm ci and the build "
    "in console/ into {directory}).\n"
)

# The bundle loads only its own files; /graphql is same-origin (HTTP and websocket).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class ConsoleFiles(StaticFiles):
    """StaticFiles with the console's security headers on every answer."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        return response


def console_routes(directory: Path) -> list[BaseRoute]:
    """Routes serving the built console, or a 503 that says how to build it."""

    async def to_console(request: Request) -> Response:
        return RedirectResponse("/console/")

    if (directory / "index.html").is_file():
        served: BaseRoute = Mount("/console", app=ConsoleFiles(directory=directory, html=True))
    else:

        async def not_built(request: Request) -> Response:
            return PlainTextResponse(NOT_BUILT.format(directory=directory), status_code=503)

        served = Mount("/console", routes=[Route("/{path:path}", not_built)])
    return [Route("/console", to_console), served]
