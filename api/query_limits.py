"""Depth and alias limits for GraphQL documents, measuring each fragment once.

strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` walk a fragment again at every
spread (they only remember the fragments on the current path, against cycles). A document
whose fragments spread the previous one twice per level (``fragment F1 on Query {...F0
...F0}``) then costs 2^levels steps: 18 levels held the event loop for seconds, 40 for days.
Here each fragment's figures are computed once per document and reused at every spread, so
the work is linear in the document's size, which the token limit bounds. The same memo
(:class:`FragmentMemo`) serves the cost estimate in ``api.query_cost``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.unicode_input import has_lone_surrogate, surrogate_error

T = TypeVar("T")


class FragmentMemo(Generic[T]):
    """Each fragment's figure computed once per key; a fragment met again while it is being
    computed (a cycle, which validation refuses anyway) counts as ``on_cycle``."""

    def __init__(self, document: DocumentNode, on_cycle: T) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.on_cycle = on_cycle
        self._done: dict[tuple[str, Hashable], T] = {}
        self._open: set[tuple[str, Hashable]] = set()

    def figure(
        self,
        name: str,
        key: Hashable,
        compute: Callable[[FragmentDefinitionNode], T],
    ) -> T | None:
        """The figure of fragment ``name`` under ``key``; None for an unknown fragment."""
        fragment = self.fragments.get(name)
        if fragment is None:
            return None
        slot = (name, key)
        if slot in self._done:
            return self._done[slot]
        if slot in self._open:
            return self.on_cycle
        self._open.add(slot)
        try:
            value = compute(fragment)
        finally:
            self._open.discard(slot)
        self._done[slot] = value
        return value


class _Measure:
    """Depth (levels of nested fields below the root) and alias count of selection sets."""

    def __init__(self, document: DocumentNode) -> None:
        self.depths: FragmentMemo[int] = FragmentMemo(document, 0)
        self.aliases: FragmentMemo[int] = FragmentMemo(document, 0)

    def depth(self, selections: SelectionSetNode) -> int:
        deepest = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                # Introspection fields are not counted, as in strawberry's limiter.
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self.depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                found = self.depths.figure(
                    selection.name.value, None, lambda f: self.depth(f.selection_set)
                )
                deepest = max(deepest, found or 0)
        return deepest

    def alias_count(self, selections: SelectionSetNode) -> int:
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += 1 if selection.alias else 0
                if selection.selection_set is not None:
                    total += self.alias_count(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self.alias_count(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                found = self.aliases.figure(
                    selection.name.value, None, lambda f: self.alias_count(f.selection_set)
                )
                total += found or 0
        return total


def limit_rules(max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    """Validation rules refusing documents deeper than ``max_depth`` levels of nested fields
    or with more than ``max_aliases`` aliased fields (counted at every spread, as executed)."""

    class OperationLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measure = _Measure(context.document)
            operations = [
                d for d in context.document.definitions if isinstance(d, OperationDefinitionNode)
            ]
            for operation in operations:
                if measure.depth(operation.selection_set) > max_depth:
                    name = operation.name.value if operation.name else ""
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}",
                            operation,
                        )
                    )
            aliases = sum(measure.alias_count(op.selection_set) for op in operations)
            if aliases > max_aliases:
                context.report_error(
                    GraphQLError(f"{aliases} aliases found. Allowed: {max_aliases}")
                )

    return [OperationLimits]


# -- field merging ------------------------------------------------------------------------------
# graphql-core's OverlappingFieldsCanBeMerged compares every pair of fields that share a
# response name in a selection set (fragments' fields included) and then their sub-selections:
# quadratic, so 320 copies of ``viewer { name }`` (within the token limit) cost two seconds.
# Its work is estimated here, linearly, and a document over the budget is refused before it.


class _MergeWork:
    """An upper estimate of the field comparisons that merge validation will make."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._direct_of: dict[int, tuple[list[FieldNode], frozenset[str]]] = {}
        self._flat: dict[int, list[FieldNode]] = {}

    def _direct(self, selections: SelectionSetNode) -> tuple[list[FieldNode], frozenset[str]]:
        """Fields and (known) spread names of a selection set, inline fragments flattened."""
        found = self._direct_of.get(id(selections))
        if found is None:
            fields: list[FieldNode] = []
            spreads: set[str] = set()
            pending = [selections]
            while pending:
                for selection in pending.pop().selections:
                    if isinstance(selection, FieldNode):
                        fields.append(selection)
                    elif isinstance(selection, InlineFragmentNode):
                        pending.append(selection.selection_set)
                    elif isinstance(selection, FragmentSpreadNode):
                        spreads.add(selection.name.value)
            found = fields, frozenset(spreads & self.fragments.keys())
            self._direct_of[id(selections)] = found
        return found

    def _closure(self, names: frozenset[str]) -> set[str]:
        """The fragments reachable through spreads from ``names`` (each once)."""
        reached: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name not in reached:
                reached.add(name)
                pending.extend(self._direct(self.fragments[name].selection_set)[1] - reached)
        return reached

    def flat(self, selections: SelectionSetNode) -> list[FieldNode]:
        """Every field merge validation collects for this selection set."""
        found = self._flat.get(id(selections))
        if found is None:
            fields, spreads = self._direct(selections)
            found = list(fields)
            for name in self._closure(spreads):
                found.extend(self._direct(self.fragments[name].selection_set)[0])
            self._flat[id(selections)] = found
        return found

    def comparisons(self, selections: SelectionSetNode) -> int:
        """Pairs of same-named fields, plus the pairs of same-named sub-fields they bring."""
        groups: dict[str, list[FieldNode]] = {}
        for field in self.flat(selections):
            groups.setdefault((field.alias or field.name).value, []).append(field)
        total = 0
        for fields in groups.values():
            total += _pairs([1] * len(fields))
            if len(fields) > 1:
                per_name: dict[str, list[int]] = {}
                for i, field in enumerate(fields):
                    subs = self.flat(field.selection_set) if field.selection_set else []
                    for sub in subs:
                        counts = per_name.setdefault((sub.alias or sub.name).value, [])
                        counts.extend([0] * (i + 1 - len(counts)))
                        counts[i] += 1
                total += sum(_pairs(counts) for counts in per_name.values())
        return total


def _pairs(counts: list[int]) -> int:
    """Pairs of items taken from two different groups of these sizes."""
    return (sum(counts) ** 2 - sum(c * c for c in counts)) // 2


def merge_work(document: DocumentNode) -> int:
    """The estimated field comparisons of merge validation over the whole document."""
    work = _MergeWork(document)
    seen: set[int] = set()
    pending = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    total = 0
    while pending:
        selections = pending.pop()
        if id(selections) in seen:
            continue
        seen.add(id(selections))
        total += work.comparisons(selections)
        pending.extend(
            s.selection_set
            for s in work.flat(selections)
            if s.selection_set is not None and id(s.selection_set) not in seen
        )
    return total


# Far above any real client's operation (the console's largest scores 0: fields are asked for
# once per selection), far below a stall: about 50 ms of merge validation on a slow core.
MAX_MERGE_WORK = 2000

Validator = Callable[[GraphQLSchema, DocumentNode, tuple[type[ASTValidationRule], ...]], Any]


def bounded_validator(max_merge_work: int, cache_size: int) -> Validator:
    """strawberry's document validation behind a linear check of the quadratic part, with an
    LRU of results per (schema, document, rules), as strawberry's ValidationCache keeps."""

    @functools.lru_cache(maxsize=cache_size)
    def validate(
        schema: GraphQLSchema,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        work = merge_work(document)
        if work > max_merge_work:
            return [
                GraphQLError(
                    f"the operation repeats the same fields too often ({work} comparisons to "
                    f"check, limit {max_merge_work}): ask for each field once"
                )
            ]
        return validate_document(schema, document, rules)

    return validate


class BoundedValidation(SchemaExtension):
    """Validates the operation with ``validator`` (from :func:`bounded_validator`) and its
    variables' strings (over HTTP and websockets alike)."""

    def __init__(self, validator: Validator) -> None:
        self.validator = validator

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None  # parsed before validation
        if has_lone_surrogate(context.variables or {}):
            context.pre_execution_errors = [surrogate_error()]
            yield
            return
        context.pre_execution_errors = self.validator(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield
