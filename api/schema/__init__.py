"""The GraphQL schema, assembled from one module per capability.

To add a capability, write ``api/schema/<name>.py`` with its ``...Query`` / ``...Mutation`` /
``...Subscription`` classes and list them below. Every field must declare its roles with
``permission_classes=allow(...)``; tests/integration/test_roles.py fails otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.tools import merge_types

from api.errors import RiskwatchErrors
from api.query_cost import QueryCostLimiter
from api.schema.complaint_insights import ComplaintInsightsMutation, ComplaintInsightsQuery
from api.schema.complaints import ComplaintMutation, ComplaintQuery
from api.schema.crisis import CrisisMutation, CrisisQuery, CrisisSubscription
from api.schema.imports import ImportMutation
from api.schema.relations import RelationsQuery
from api.schema.renewal import RenewalQuery
from api.schema.risk_figures import RiskFiguresQuery
from api.schema.system import SystemMutation, SystemQuery
from api.schema.watchlist import WatchlistMutation, WatchlistQuery

QUERIES: tuple[type, ...] = (
    SystemQuery,
    ComplaintQuery,
    ComplaintInsightsQuery,
    WatchlistQuery,
    RenewalQuery,
    CrisisQuery,
    RelationsQuery,
    RiskFiguresQuery,
)
MUTATIONS: tuple[type, ...] = (
    SystemMutation,
    ComplaintMutation,
    ComplaintInsightsMutation,
    WatchlistMutation,
    CrisisMutation,
    ImportMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (CrisisSubscription,)


def build_schema(
    *,
    introspection: bool = True,
    max_depth: int = 10,
    max_aliases: int = 30,
    max_tokens: int = 2000,
    max_cost: int = 10_000,
) -> strawberry.Schema:
    """The schema with its protective extensions (depth, alias, token and cost limits,
    masking)."""
    # Factories, so each request gets fresh extension instances.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: QueryCostLimiter(max_cost=max_cost),
        RiskwatchErrors,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    query = merge_types("Query", QUERIES)
    mutation = merge_types("Mutation", MUTATIONS)
    subscription = merge_types("Subscription", SUBSCRIPTIONS) if SUBSCRIPTIONS else None
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        extensions=extensions,
    )
