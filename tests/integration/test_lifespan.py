"""The lifespan: it opens everything, then hands requests complete services through the
lifespan state, and (for ``serve``) freezes the heap only once startup is complete."""

from __future__ import annotations

import gc

import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.runtime.crisis import CrisisRuntime
from api.services import Services
from api.settings import Settings
from graph.client import Graph
from tests.integration.conftest import quiet_settings

pytestmark = pytest.mark.integration


async def test_the_lifespan_state_holds_complete_services(graph: Graph, settings: Settings) -> None:
    app = create_app(quiet_settings(settings))
    async with app.router.lifespan_context(app) as state:
        assert state is not None, "the lifespan yields the state requests get"
        services = state["services"]
        assert isinstance(services, Services)
        assert isinstance(services.crisis, CrisisRuntime), "built after the crisis loops"
        assert callable(state["graphql"])
        assert gc.get_freeze_count() == 0, "an app a test builds leaves the heap alone"
        assert await services.graph.ping()
    assert not hasattr(app.state, "services"), "nothing is left on app.state"


async def test_serve_freezes_the_heap_once_started_and_thaws_it_at_shutdown(
    graph: Graph, settings: Settings
) -> None:
    app = create_app(quiet_settings(settings), freeze_heap=True)
    frozen_before_startup = gc.get_freeze_count()
    async with app.router.lifespan_context(app) as state:
        assert state is not None
        assert gc.get_freeze_count() > frozen_before_startup, "frozen once startup is complete"
    assert gc.get_freeze_count() == 0, "back to the collector after shutdown"


def test_create_app_opens_nothing(settings: Settings) -> None:
    app = create_app(settings, freeze_heap=True)
    assert isinstance(app, Starlette)
    assert gc.get_freeze_count() == 0, "the factory itself never freezes the heap"
