"""Every error leaves with a code; unexpected ones leave masked.

Our own errors keep their message. GraphQL's document errors (syntax, validation,
variable coercion) keep theirs too: they describe the client's request. Anything
else is a server fault: the client sees a generic message, the log gets the trace.

Applied to every result on its way out (`classify_all`), not in a schema extension:
errors raised by other extensions (the parser cache, the limiters) never reach an
extension's post-processing, but every result reaches the response.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from graphql import GraphQLError, VariableDefinitionNode, print_ast
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from schema.errors import CostLimitExceeded, ErrorCode, RateLimited, UprightError
from security.keyring import UnknownKeyVersion
from security.policy import AccessDenied, NotAuthenticated

logger = logging.getLogger("upright.graphql")

# Connection failures: SQLAlchemy wraps most, but asyncpg lets socket errors through.
_UNAVAILABLE = (OperationalError, InterfaceError, OSError, TimeoutError)
# SQLSTATEs of a server that cannot take the request now, whatever the request: the
# connection classes (08…, but not 08P01, a protocol violation: a bug of ours), shutting
# down or starting up (57P01-57P03), too many connections (53300). The driver raises
# them as plain DBAPIErrors.
_UNAVAILABLE_STATES = ("57P01", "57P02", "57P03", "53300")


def connection_lost(error: BaseException | None) -> bool:
    """The connection or the server went away (a restart, a network cut): nothing the
    request did wrong."""
    if isinstance(error, OSError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None) or ""
    return (
        error.connection_invalidated
        or (state.startswith("08") and state != "08P01")
        or state in _UNAVAILABLE_STATES
    )


def database_unavailable(error: BaseException | None) -> bool:
    """The database is down, restarting or unreachable: the client may try again."""
    return isinstance(error, _UNAVAILABLE) or connection_lost(error)


def classify(error: GraphQLError) -> GraphQLError:
    """The error as the client may see it, with `extensions.code` set."""
    original = error.original_error
    known = _decision(error, original)
    if known is not None:
        return known
    variable = next((n for n in error.nodes or () if isinstance(n, VariableDefinitionNode)), None)
    if variable is not None:
        # graphql-core quotes the submitted value; a variable may hold a secret.
        message = (
            f"Variable '${variable.variable.name.value}' got an invalid value "
            f"for type {print_ast(variable.type)}."
        )
        return _with_code(error, ErrorCode.BAD_USER_INPUT, message)
    if original is None and error.path is None:
        return _document_error(error)
    if database_unavailable(original):
        logger.warning("database unavailable during a request: %s", type(original).__name__)
        return _with_code(
            error, ErrorCode.SERVICE_UNAVAILABLE, "The database is unavailable; try again later."
        )
    logger.error("unexpected error in %s", error.path, exc_info=original)
    return _with_code(error, ErrorCode.INTERNAL_SERVER_ERROR, "Unexpected error.")


def _decision(error: GraphQLError, original: BaseException | None) -> GraphQLError | None:
    """Our own errors and the policy's decisions keep their (safe) messages."""
    if isinstance(original, CostLimitExceeded):
        extra = {"cost": original.cost, "maximum": original.maximum}
        return _with_code(error, original.code, original.message, extra)
    if isinstance(original, RateLimited):
        retry = {"retryAfter": round(original.retry_after)}
        return _with_code(error, original.code, original.message, retry)
    if isinstance(original, UprightError):
        return _with_code(error, original.code, original.message)
    if isinstance(original, UnknownKeyVersion):  # an operator's problem, named for them
        logger.error("key unavailable: %s", original)
        return _with_code(error, ErrorCode.SERVICE_UNAVAILABLE, str(original))
    if isinstance(original, AccessDenied):
        unauthenticated = isinstance(original, NotAuthenticated)
        code = ErrorCode.UNAUTHENTICATED if unauthenticated else ErrorCode.FORBIDDEN
        return _with_code(error, code, str(original))
    return None


def _document_error(error: GraphQLError) -> GraphQLError:
    """An error in the client's document itself: its message is the help it needs."""
    if error.extensions and "code" in error.extensions:
        return error
    if error.message.startswith("Syntax Error"):
        return _with_code(error, ErrorCode.GRAPHQL_PARSE_FAILED, error.message)
    return _with_code(error, ErrorCode.GRAPHQL_VALIDATION_FAILED, error.message)


def _with_code(
    error: GraphQLError, code: ErrorCode, message: str, extra: Mapping[str, object] | None = None
) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), **(extra or {}), "code": code.value},
    )


def classify_all(errors: Sequence[GraphQLError]) -> list[GraphQLError]:
    return [classify(error) for error in errors]
