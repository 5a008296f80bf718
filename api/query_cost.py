"""A cost limit for GraphQL operations, checked before anything executes.

The cost of an operation estimates how many objects it can make the service read: each field
with a selection costs the number of times it can run, which is its parent's count times its
``first`` argument (times ``depth`` or ``maxHops`` where a field has one). A list field without
``first`` counts ``default_list_size`` items, except directly inside a field that had ``first``
(a page's ``nodes``), which its parent already capped. An operation over the limit is answered
with a ``QUERY_TOO_COSTLY`` error and never reaches a resolver, so never reaches Neo4j.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from api.query_limits import FragmentMemo

_MULTIPLIERS = ("first", "depth", "maxHops")


def _is_list(field_type: GraphQLType) -> bool:
    while isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


class _Estimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: VariableValues | None,
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.default_list_size = default_list_size
        # A fragment's cost is linear in how many times it runs: measured once per (type,
        # capped) for one run and multiplied at each spread, never walked again (issue 19).
        self.fragment_costs: FragmentMemo[int] = FragmentMemo(document, 0)

    def _arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(field, node, self.variables)
        except GraphQLError:
            return {}

    def _size(self, field: GraphQLField, node: FieldNode, capped: bool) -> tuple[int, bool]:
        args = self._arguments(field, node)
        sized = [args[name] for name in _MULTIPLIERS if isinstance(args.get(name), int)]
        if "first" in args:
            size = 1
            for value in sized:
                size *= max(value, 1)
            return size, True
        if _is_list(field.type) and not capped:
            return self.default_list_size, False
        return 1, False

    def cost(
        self, selections: SelectionSetNode, parent: GraphQLType, count: int, capped: bool
    ) -> int:
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or not isinstance(
                    parent, GraphQLObjectType | GraphQLInterfaceType
                ):
                    continue
                field = parent.fields.get(selection.name.value)
                if field is None:
                    continue
                size, has_first = self._size(field, selection, capped)
                runs = count * size
                total += runs + self.cost(
                    selection.selection_set, get_named_type(field.type), runs, has_first
                )
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(selection.selection_set, target or parent, count, capped)
            elif isinstance(selection, FragmentSpreadNode):
                total += count * self._fragment_cost(selection.name.value, parent, capped)
        return total

    def _fragment_cost(self, name: str, parent: GraphQLType, capped: bool) -> int:
        def once(fragment: FragmentDefinitionNode) -> int:
            target = self.schema.get_type(fragment.type_condition.name.value)
            return self.cost(fragment.selection_set, target or parent, 1, capped)

        return self.fragment_costs.figure(name, (str(parent), capped), once) or 0


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    default_list_size: int = 5,
) -> int:
    """The estimated cost of the operation ``operation_name`` of ``document``."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    definitions = operation.variable_definitions or ()
    coerced = get_variable_values(schema, definitions, dict(variables or {}))
    values = coerced if isinstance(coerced, VariableValues) else None
    estimator = _Estimator(schema, document, values, default_list_size)
    return estimator.cost(operation.selection_set, root, 1, False)


class QueryCostLimiter(SchemaExtension):
    """Rejects an operation whose estimated cost is over ``max_cost`` before it executes."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.result:
            cost = estimate_cost(
                context.schema._schema, document, context.variables, context.operation_name
            )
            if cost > self.max_cost:
                error = GraphQLError(
                    f"query too costly: estimated cost {cost} is over the limit of "
                    f"{self.max_cost}; ask for fewer items (lower 'first' or 'depth') "
                    "or fewer nested lists",
                    extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": self.max_cost},
                )
                context.result = ExecutionResult(data=None, errors=[error])
        yield
