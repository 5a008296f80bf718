"""The one root of riskwatch's own exceptions, with an HTTP status and a safe message."""

from __future__ import annotations


class RiskwatchError(Exception):
    """Base of every expected failure; ``message`` is safe to show to a caller."""

    status = 500
    code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(RiskwatchError):
    """Settings are missing or invalid; raised at startup."""

    code = "CONFIGURATION"


class AuthenticationError(RiskwatchError):
    """No credentials, or credentials that match no active key."""

    status = 401
    code = "UNAUTHENTICATED"


class PermissionDenied(RiskwatchError):
    """The caller's role may not perform the operation."""

    status = 403
    code = "FORBIDDEN"


class NotFound(RiskwatchError):
    """The thing asked for does not exist."""

    status = 404
    code = "NOT_FOUND"


class InvalidInput(RiskwatchError):
    """The caller sent something that cannot be processed."""

    status = 400
    code = "BAD_USER_INPUT"


class RequestTooLarge(InvalidInput):
    """A request body or websocket message over the size limit."""

    status = 413


class RequestRefused(InvalidInput):
    """A request refused before GraphQL runs (a wrong method, an unreadable body), with the
    HTTP status the refusal calls for. The status is per instance, not per class, because
    strawberry decides it (405, 400, 415) and hands it over with the message."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(RiskwatchError):
    """The caller's key sent more requests than its limit allows."""

    status = 429
    code = "RATE_LIMITED"


class DatabaseUnavailable(RiskwatchError):
    """Neo4j cannot be reached right now; the caller may retry."""

    status = 503
    code = "SERVICE_UNAVAILABLE"


class QueryTimeout(RiskwatchError):
    """A read ran past the Neo4j query timeout; the caller should ask for less."""

    status = 504
    code = "QUERY_TIMEOUT"
