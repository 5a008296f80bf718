"""Opening the graph for a command-line task, from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from api.settings import Settings
from graph.client import Graph, connected_graph
from graph.migrations import migrate


@asynccontextmanager
async def command_graph(settings: Settings, *, run_migrations: bool = True) -> AsyncIterator[Graph]:
    """A connected, migrated graph for one command; closed on exit."""
    async with connected_graph(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
        settings.neo4j_query_timeout_s,
    ) as graph:
        if run_migrations:
            await migrate(graph)
        yield graph
