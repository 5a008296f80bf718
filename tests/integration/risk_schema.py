"""Running the schema in-process as a risk analyst, against the test graph (no HTTP), so a test
can count the Neo4j statements an operation costs or change a setting for one call."""

from __future__ import annotations

from typing import Any

from strawberry.types import ExecutionResult

from api.context import Context
from api.schema import build_schema
from api.services import Services
from api.settings import Settings
from graph.access.apikeys import Principal
from graph.client import Graph
from models.roles import Role

SCHEMA = build_schema(max_cost=10_000)


async def run_as_risk(
    settings: Settings,
    graph: Graph,
    query: str,
    variables: dict[str, Any] | None = None,
    **overrides: Any,
) -> ExecutionResult:
    """Execute ``query`` as a risk-role caller; ``overrides`` change settings for this call."""
    services = Services(
        settings=settings.model_copy(update=overrides), driver=graph.driver, graph=graph
    )
    context = Context(
        services=services,
        request=None,  # type: ignore[arg-type]  # no HTTP request in-process
        principal=Principal("test-key", "test-risk", Role.RISK),
    )
    return await SCHEMA.execute(query, variable_values=variables, context_value=context)


def data_of(result: ExecutionResult) -> dict[str, Any]:
    """The result's data, failing with the errors when there are any."""
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data
