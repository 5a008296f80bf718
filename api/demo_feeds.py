"""The demo feeds, served only with ``RISKWATCH_DEMO=true``: the demo's media corpus as RSS.

``/demo/feeds/<slug>.xml`` answers the documents ``riskwatch seed-demo`` seeded from, dated
as they were then, plus the live tail published since, so ``riskwatch monitor`` (or the
monitor inside ``serve``) polls something real in the demo. Feed readers send no key, so the
route needs none; it serves only the corpus and the demo book's names that seed-demo stored
on the demo feeds, and it does not exist at all unless the demo is on.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from api.services import AppState
from api.settings import Settings
from monitors.clock import utc_now
from monitors.demo_media import demo_feed_document

RSS = "application/rss+xml; charset=utf-8"


async def demo_feed(request: Request[AppState]) -> Response:
    """One demo feed's RSS document as of now."""
    services = request.state["services"]
    body = await demo_feed_document(services.graph, request.path_params["slug"], utc_now())
    if body is None:
        return PlainTextResponse("no such demo feed: riskwatch seed-demo registers them\n", 404)
    return Response(body, media_type=RSS, headers={"Cache-Control": "no-store"})


def demo_routes(settings: Settings) -> list[BaseRoute]:
    """The demo feed route when the demo is on; nothing otherwise."""
    if not settings.demo:
        return []
    return [Route("/demo/feeds/{slug}.xml", demo_feed, methods=["GET"])]
