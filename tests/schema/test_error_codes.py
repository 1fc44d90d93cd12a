"""Every error carries a code; only our own errors and document errors keep their text."""

from __future__ import annotations

import logging

import pytest
import strawberry
from sqlalchemy.exc import DBAPIError, OperationalError

from schema import Schema
from schema.error_codes import classify_all, database_unavailable
from schema.errors import BadUserInput


@strawberry.type
class Query:
    @strawberry.field
    def ours(self) -> int:
        raise BadUserInput("Give a positive number.")

    @strawberry.field
    def bug(self) -> int:
        raise RuntimeError("secret detail: /srv/upright/keys.json")

    @strawberry.field
    def database_down(self) -> int:
        raise OperationalError("SELECT 1", {}, OSError("connection refused"))

    @strawberry.field
    def echo(self, value: int) -> int:
        return value


schema = Schema(query=Query)


async def _error(query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
    result = await schema.execute(query, variable_values=variables)
    assert result.errors is not None
    assert len(result.errors) == 1
    formatted: dict[str, object] = classify_all(result.errors)[0].formatted  # type: ignore[assignment]
    return formatted


async def test_our_errors_keep_message_and_code() -> None:
    error = await _error("{ ours }")
    assert (error["message"], error["extensions"]) == (
        "Give a positive number.",
        {"code": "BAD_USER_INPUT"},
    )


async def test_unexpected_errors_are_masked_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="upright.graphql"):
        error = await _error("{ bug }")
    assert (error["message"], error["extensions"]) == (
        "Unexpected error.",
        {"code": "INTERNAL_SERVER_ERROR"},
    )
    assert "secret detail" in caplog.text  # the operator sees it; the client never does


async def test_database_failures_are_service_unavailable() -> None:
    error = await _error("{ databaseDown }")
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
    assert "SELECT" not in str(error["message"])


@pytest.mark.parametrize(
    ("query", "code"),
    [("{ ours ", "GRAPHQL_PARSE_FAILED"), ("{ nothing }", "GRAPHQL_VALIDATION_FAILED")],
)
async def test_document_errors_are_classified(query: str, code: str) -> None:
    assert (await _error(query))["extensions"] == {"code": code}


async def test_invalid_variables_are_bad_input_without_echo() -> None:
    error = await _error("query($v: Int!) { echo(value: $v) }", {"v": "hunter2-secret"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"] == "Variable '$v' got an invalid value for type Int!."
    assert "hunter2" not in str(error)


class _DriverError(Exception):
    """What the asyncpg dialect wraps: the server's SQLSTATE on `sqlstate`."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"server said {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "unavailable"),
    [
        ("57P03", True),  # the database system is starting up / shutting down
        ("57P01", True),  # terminating connection due to administrator command
        ("53300", True),  # too many connections
        ("08006", True),  # connection failure
        ("23505", False),  # a unique violation is a bug or a race, not an outage
        ("42P01", False),  # an undefined table is a bug
    ],
)
def test_a_database_refusing_connections_is_unavailable(sqlstate: str, unavailable: bool) -> None:
    # A restarting PostgreSQL refuses connections with a plain DBAPIError (no
    # invalidated connection): still the client's "try again later", not a bug.
    error = DBAPIError("SELECT 1", {}, _DriverError(sqlstate))
    assert database_unavailable(error) is unavailable
