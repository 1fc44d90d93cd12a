"""Commands that act as an organisation's API token (exports, reports).

The token comes from `UPRIGHT_TOKEN` or standard input, never from an argument (an
argument lands in shell history and in every process listing). The command then runs
in-process against the configured database with the same authentication, policy and
GraphQL schema as the server, so what it writes is exactly what the token may read
through the API.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

from schema import Schema, build_schema
from schema.accounts.authentication import authenticate
from schema.context import Context
from schema.error_codes import classify_all
from schema.errors import ErrorCode
from security.policy import ANONYMOUS, NotAuthenticated
from server.keys import load_keys
from server.settings import Settings

TOKEN_VARIABLE = "UPRIGHT_TOKEN"  # noqa: S105 (the variable's name)


class TokenRefused(Exception):
    """No token, or one the platform does not accept; the message is safe to print."""


class Refused(Exception):
    """The API answered with an error; `code` is its GraphQL error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def read_token() -> str:
    """`UPRIGHT_TOKEN`, else the first line of standard input (a prompt when it is a
    terminal, not echoed)."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        if sys.stdin.isatty():
            token = getpass.getpass("API token: ").strip()
        else:
            token = sys.stdin.readline().strip()
    if not token:
        raise TokenRefused(f"no API token: set {TOKEN_VARIABLE} or pipe it on standard input")
    return token


@contextlib.asynccontextmanager
async def token_context(settings: Settings, token: str) -> AsyncIterator[Context]:
    """A request context signed in as `token`, as the server would build it."""
    from schema.db import utcnow
    from server.app import Runtime

    runtime = Runtime(settings, load_keys(settings), utcnow)
    try:
        reference, services = await runtime.ready()
        context = Context(runtime.engine, ANONYMOUS, reference, services, "cli")
        try:
            try:
                context.signed_in_as(await authenticate(context, f"Bearer {token}"))
            except NotAuthenticated as error:
                raise TokenRefused(str(error)) from None
            yield context
        finally:
            await context.close()
    finally:
        await runtime.close()


@functools.cache
def _schema() -> Schema:
    return build_schema(development=False)


async def run(context: Context, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The `data` of `query` run in-process for the context's principal; Refused with the
    first error's code and message otherwise (masked like the server masks them)."""
    result = await _schema().execute(query, variable_values=variables, context_value=context)
    if result.errors:
        error = classify_all(result.errors)[0]
        code = (error.extensions or {}).get("code", ErrorCode.INTERNAL_SERVER_ERROR.value)
        raise Refused(str(code), error.message)
    return dict(result.data or {})
