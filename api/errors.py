"""How errors leave the service: RiskwatchErrors keep their safe message and a code; anything
else is logged with its stack and reaches the caller as "Internal error" (no Cypher, no trace).

Refusals (FORBIDDEN, validation, limits, bad input) are the caller's business, not the
service's: they are logged at INFO on one line, with the operation's name and the error's
code, never a traceback, the query text or the values the caller sent (which may be ID
numbers or phones). With introspection off, "Did you mean ...?" suggestions are removed from
messages too, so field names cannot be guessed through them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import strawberry
from graphql.error import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors, ParserCache
from strawberry.types import ExecutionContext

from models.errors import RiskwatchError

log = logging.getLogger(__name__)


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    # No original error: a syntax or validation error, about the caller's query; a GraphQLError
    # raised on purpose (a permission refusal) is expected too.
    return original is None or isinstance(original, RiskwatchError | GraphQLError)


def _should_mask(error: GraphQLError) -> bool:
    return not _is_expected(error)  # logged once, by RiskwatchSchema.process_errors


def error_code(error: GraphQLError) -> str:
    """The ``extensions.code`` an error leaves with."""
    original = error.original_error
    code = original.code if isinstance(original, RiskwatchError) else None
    code = code or (error.extensions or {}).get("code")
    if code is None and isinstance(error, GraphQLSyntaxError):
        code = "GRAPHQL_PARSE_FAILED"
    if code is None:
        code = "GRAPHQL_VALIDATION" if _is_expected(error) else "INTERNAL"
    return str(code)


_SUGGESTION = re.compile(r"\s*Did you mean .*?\?", re.DOTALL)
# Where graphql-core's messages quote what the caller sent: the rest of the clause goes.
_VALUE = re.compile(r"(got invalid value|value:|found) .*?(?=; |\Z)", re.DOTALL)
_ENUM_VALUE = re.compile(r"\bValue .*? does not exist")
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')


def loggable(message: str) -> str:
    """An error message as the log may keep it: first line, no values the caller sent."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    first = _SUGGESTION.sub("", first)
    first = _ENUM_VALUE.sub("Value … does not exist", _VALUE.sub(r"\1 …", first))
    return _LITERAL.sub('"…"', first)[:300]


class RiskwatchSchema(strawberry.Schema):
    """The schema, logging its errors as the module docstring says."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        operation = (execution_context.operation_name if execution_context else None) or "-"
        for error in errors:
            if _is_expected(error):
                log.info(
                    "refused %s: %s [%s]", operation, loggable(error.message), error_code(error)
                )
            else:
                log.error(
                    "unexpected error in %s at %s",
                    operation,
                    error.path,
                    exc_info=error.original_error,
                )


class RiskwatchErrors(MaskErrors):
    """Masks unexpected errors and tags every error with an ``extensions.code``; without
    ``suggestions``, strips "Did you mean ...?" from messages."""

    def __init__(self, suggestions: bool = True) -> None:
        super().__init__(should_mask_error=_should_mask, error_message="Internal error")
        self.suggestions = suggestions

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = []
        for error in super()._process_errors(errors):
            code = error_code(error)
            if not self.suggestions and _SUGGESTION.search(error.message):
                error = GraphQLError(
                    _SUGGESTION.sub("", error.message),
                    nodes=error.nodes,
                    path=error.path,
                    original_error=error.original_error,
                )
            error.extensions = {**(error.extensions or {}), "code": code}
            processed.append(error)
        return processed


class CodedParserCache(ParserCache):
    """strawberry's ParserCache, except that a document that does not parse is left to
    strawberry's own parse step. ParserCache raises the syntax error from its hook, which
    skips every extension's exit (the error left without a code); strawberry's step turns
    it into a result that :class:`RiskwatchErrors` sees."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        except GraphQLError:
            context.graphql_document = None  # parsed again, failing where errors get codes
        yield
