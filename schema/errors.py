"""Errors clients can act on: each carries a code in `extensions.code`.

Resolvers raise these; anything else is a bug and reaches the client masked.
"""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    RATE_LIMITED = "RATE_LIMITED"
    COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    OPERATION_NOT_REGISTERED = "OPERATION_NOT_REGISTERED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class UprightError(Exception):
    """An error whose message is safe to show: it never echoes protected input."""

    code: ErrorCode = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadUserInput(UprightError):
    code = ErrorCode.BAD_USER_INPUT


class NotFound(UprightError):
    """Also the answer for what exists but the viewer may not see."""

    code = ErrorCode.NOT_FOUND


class RateLimited(UprightError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CostLimitExceeded(UprightError):
    """A document asks for more than one request may: refused before it runs."""

    code = ErrorCode.COST_LIMIT_EXCEEDED

    def __init__(self, cost: int, maximum: int) -> None:
        super().__init__(
            f"This operation costs {cost:,} points; a request may cost at most {maximum:,}. "
            "Ask for smaller pages (first/last) or fewer nested connections."
        )
        self.cost = cost
        self.maximum = maximum
