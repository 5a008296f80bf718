"""How errors leave the service: RiskwatchErrors keep their safe message and a code; anything
else is logged with its stack and reaches the caller as "Internal error" (no Cypher, no trace)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql.error import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors, ParserCache

from models.errors import RiskwatchError

log = logging.getLogger(__name__)


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    # No original error: a syntax or validation error, about the caller's query; a GraphQLError
    # raised on purpose (a permission refusal) is expected too.
    return original is None or isinstance(original, RiskwatchError | GraphQLError)


def _should_mask(error: GraphQLError) -> bool:
    if _is_expected(error):
        return False
    log.error("unexpected error in %s", error.path, exc_info=error.original_error)
    return True


class RiskwatchErrors(MaskErrors):
    """Masks unexpected errors and tags every error with an ``extensions.code``."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask, error_message="Internal error")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            original = error.original_error
            code = original.code if isinstance(original, RiskwatchError) else None
            code = code or (error.extensions or {}).get("code")
            if code is None and isinstance(error, GraphQLSyntaxError):
                code = "GRAPHQL_PARSE_FAILED"
            if code is None:
                code = "INTERNAL" if error.message == self.error_message else "GRAPHQL_VALIDATION"
            error.extensions = {**(error.extensions or {}), "code": code}
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
