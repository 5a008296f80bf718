"""The GraphQL schema, assembled from one module per capability, grouped by domain as ``graph/``.

To add a capability, write ``api/schema/<domain>/<name>.py`` (or ``api/schema/<domain>.py`` for
a domain of one module) with its ``...Query`` / ``...Mutation`` / ``...Subscription`` classes
and list them below. Every field must declare its roles with
``permission_classes=allow(...)``; tests/unit/test_schema_roles.py fails otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.tools import merge_types

from api.errors import CodedParserCache, RiskwatchErrors, RiskwatchSchema
from api.query_cost import QueryCostLimiter
from api.query_limits import MAX_MERGE_WORK, BoundedValidation, bounded_validator, limit_rules
from api.schema.access import SystemMutation, SystemQuery
from api.schema.bulk import ImportMutation
from api.schema.complaints.feedback import FeedbackMutation, FeedbackQuery
from api.schema.complaints.insights import ComplaintInsightsMutation, ComplaintInsightsQuery
from api.schema.complaints.intake import ComplaintIntakeMutation, ComplaintIntakeQuery
from api.schema.complaints.lifecycle import ComplaintMutation, ComplaintQuery
from api.schema.complaints.pending_claims import PendingClaimsQuery
from api.schema.complaints.record import ComplaintRecordMutation, ComplaintRecordQuery
from api.schema.complaints.report import ComplaintReportQuery
from api.schema.crisis.operations import CrisisMutation, CrisisQuery, CrisisSubscription
from api.schema.media import MediaMutation, MediaQuery
from api.schema.network.relations import RelationsQuery
from api.schema.network.renewal import RenewalQuery
from api.schema.network.risk_figures import RiskFiguresQuery
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
    MediaQuery,
    FeedbackQuery,
    PendingClaimsQuery,
    # Issue 20, part A: the complete complaint record, intake and reports.
    ComplaintRecordQuery,
    ComplaintIntakeQuery,
    ComplaintReportQuery,
)
MUTATIONS: tuple[type, ...] = (
    SystemMutation,
    ComplaintMutation,
    ComplaintInsightsMutation,
    WatchlistMutation,
    CrisisMutation,
    ImportMutation,
    MediaMutation,
    FeedbackMutation,
    # Issue 20, part A.
    ComplaintRecordMutation,
    ComplaintIntakeMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (CrisisSubscription,)

# Distinct operation texts whose parse and validation are remembered (clients send a few).
OPERATION_CACHE_SIZE = 512


def build_schema(
    *,
    introspection: bool = True,
    max_depth: int = 10,
    max_aliases: int = 30,
    max_tokens: int = 2000,
    max_cost: int = 10_000,
) -> strawberry.Schema:
    """The schema with its protective extensions (depth, alias, token and cost limits,
    masking) and caches for parsing and validating repeated operation texts."""
    # The limit rules are built once: validation results are cached by (document, rules),
    # so rules made afresh per request would never hit the cache.
    # Depth and aliases measured with each fragment counted once (strawberry's limiters walk
    # every spread again: exponential in nested fragments, issue 19).
    rules = limit_rules(max_depth, max_aliases)
    if not introspection:
        rules += DisableIntrospection().validation_rules
    validator = bounded_validator(MAX_MERGE_WORK, OPERATION_CACHE_SIZE)
    # Factories, so each request gets fresh extension instances (they hold the request's
    # execution context). The caches are bounded LRUs shared across requests.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: CodedParserCache(maxsize=OPERATION_CACHE_SIZE),
        lambda: AddValidationRules(rules),
        lambda: BoundedValidation(validator),
        lambda: QueryCostLimiter(max_cost=max_cost),
        # Without introspection, no "Did you mean ...?" either: names stay unguessable.
        lambda: RiskwatchErrors(suggestions=introspection),
    ]
    query = merge_types("Query", QUERIES)
    mutation = merge_types("Mutation", MUTATIONS)
    subscription = merge_types("Subscription", SUBSCRIPTIONS) if SUBSCRIPTIONS else None
    return RiskwatchSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        extensions=extensions,
    )
