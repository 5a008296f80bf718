"""Strings that cannot be stored: lone UTF-16 surrogates.

A JSON escape (``"\\ud800"``) in a request's variables can produce a string holding half a
surrogate pair (GraphQL's own parser refuses them in the document). Python keeps it, but it
has no UTF-8 form, so Neo4j's driver, the logs and every JSON encoder downstream would fail
on it: such variables are refused up front as BAD_USER_INPUT.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from graphql import GraphQLError

_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(value: object) -> bool:
    """Whether ``value`` (a string, or lists and objects of them) holds a lone surrogate."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, Mapping):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_lone_surrogate(item) for item in value)
    return False


def surrogate_error() -> GraphQLError:
    """The error a request whose variables hold a lone surrogate gets."""
    return GraphQLError(
        "a variable holds a lone UTF-16 surrogate (\\ud800-\\udfff): send valid Unicode text",
        extensions={"code": "BAD_USER_INPUT"},
    )
