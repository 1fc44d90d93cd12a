"""The GraphQL endpoint: Strawberry's ASGI view, with our context and orjson."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.types import ExecutionResult

from schema import Schema
from schema.accounts.authentication import authenticate
from schema.context import Context, Services
from schema.error_codes import classify_all
from schema.errors import ErrorCode
from schema.reference.cache import ReferenceData
from security.policy import ANONYMOUS, NotAuthenticated
from server.database import UNAVAILABLE
from server.metrics import Metrics
from server.persisted import PersistedOperations, Refusal, resolve

request_log = logging.getLogger("upright.request")
UNAVAILABLE_MESSAGE = "The database is unavailable; try again later."
TOO_LONG = "The request took too long and was stopped."


def error_response(
    status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code.value}}]})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


@dataclass(frozen=True, slots=True)
class RequestBounds:
    """What one HTTP request may be: its document, its body, its time."""

    document_chars: int = 15_000
    body_bytes: int = 2_000_000
    timeout: float = 30.0


class BodyTooLarge(Exception):
    pass


def _bounded(receive: Receive, limit: int) -> Receive:
    """`receive`, refusing a body past `limit` bytes as it streams in (a missing or
    false Content-Length does not get a larger body through)."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return bounded


class GraphQLView(GraphQL[Context, None]):
    """One context per request: the principal from the `Authorization` header, one
    database connection released when the response is ready, whatever happened."""

    def __init__(
        self,
        schema: Schema,
        engine: Callable[[], AsyncEngine],
        ready: Callable[[], Awaitable[tuple[ReferenceData, Services]]],
        development: bool,
        metrics: Metrics | None = None,
        bounds: RequestBounds = RequestBounds(),
        persisted: PersistedOperations | None = None,
        persisted_only: bool = False,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if development else None,
            # Queries only (Strawberry refuses mutations over GET), and of those only
            # persisted ones: see `server.persisted.resolve`.
            allow_queries_via_get=persisted is not None,
            multipart_uploads_enabled=False,
        )
        self._persisted = persisted
        self._graphql_schema = schema._schema
        self._persisted_only = persisted_only
        self._engine = engine
        self._ready = ready
        self._metrics = metrics
        self._bounds = bounds

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """A browser's page load, not a client's GET of a persisted query (whose Accept
        is often */*)."""
        return (
            request.method == "GET"
            and request.query_params.get("query") is None
            and request.query_params.get("extensions") is None
            and "text/html" in request.headers.get("accept", "")
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if isinstance(data, list):  # Strawberry refuses batches already; never let one by
            raise HTTPException(400, "Batched requests are not accepted.")
        if self._persisted is not None:
            get = request.method == "GET"
            data = await resolve(
                self._persisted, self._graphql_schema, self._persisted_only, data, get
            )
        limit = self._bounds.document_chars
        if len(data.query or "") > limit:
            raise HTTPException(413, f"The document is longer than {limit:,} characters.")
        return data

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = classify_all(result.errors)
            if len(result.errors) > MAX_ERRORS:
                result.errors = _first_errors(result.errors)
            request.state.codes = sorted(
                {str((error.extensions or {}).get("code")) for error in result.errors}
            )
        return await super().process_result(request, result)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = _request_id(scope)
        state: dict[str, Any] = {}
        scope.setdefault("state", {})
        response = await self._respond(scope, receive, state)
        response.headers["x-request-id"] = request_id
        try:
            await response(scope, receive, send)
        finally:
            _record_request(scope, request_id, response.status_code, started, state, self._metrics)

    async def _respond(self, scope: Scope, receive: Receive, state: dict[str, Any]) -> Response:
        if scope["type"] != "http":  # no subscriptions: nothing to serve over websockets
            return Response(status_code=404)
        length = dict(scope.get("headers", ())).get(b"content-length", b"0")
        if length.isdigit() and int(length) > self._bounds.body_bytes:
            return _too_large(state, self._bounds.body_bytes)
        try:
            reference, services = await self._ready()
        except UNAVAILABLE:
            return _refused(state, 503, ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE)
        request = Request(scope, receive=_bounded(receive, self._bounds.body_bytes))
        client = request.client.host if request.client else None
        context = Context(self._engine(), ANONYMOUS, reference, services, client)
        context.json_answers = context.engine.dialect.name == "postgresql"
        state["context"] = context
        try:
            return await self._execute(request, context, state)
        finally:
            await context.close()

    async def _execute(self, request: Request, context: Context, state: dict[str, Any]) -> Response:
        try:
            context.signed_in_as(await authenticate(context, request.headers.get("authorization")))
            async with asyncio.timeout(self._bounds.timeout):
                return await self.run(request, context=context)
        except BodyTooLarge:
            return _too_large(state, self._bounds.body_bytes)
        except Refusal as refusal:
            return _refused(state, refusal.status, refusal.code, refusal.message)
        except NotAuthenticated as error:
            challenge = {"WWW-Authenticate": "Bearer"}
            return _refused(state, 401, ErrorCode.UNAUTHENTICATED, str(error), challenge)
        except UNAVAILABLE as error:  # TimeoutError among them: the request's own time too
            message = TOO_LONG if isinstance(error, TimeoutError) else UNAVAILABLE_MESSAGE
            return _refused(state, 503, ErrorCode.SERVICE_UNAVAILABLE, message)
        except HTTPException as error:
            code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.BAD_USER_INPUT
            return _refused(state, error.status_code, code, error.reason)


def _refused(
    state: dict[str, Any],
    status: int,
    code: ErrorCode,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error answered before or around execution, noted for the request log."""
    state["codes"] = [code.value]
    return error_response(status, code, message, headers)


# A response lists at most this many errors: a document of a thousand mistakes must not
# make a response a thousand times its size (graphql-cop's "directive overloading").
MAX_ERRORS = 5


def _first_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    more = len(errors) - MAX_ERRORS + 1
    code = (errors[0].extensions or {}).get("code", ErrorCode.GRAPHQL_VALIDATION_FAILED.value)
    note = GraphQLError(f"... and {more} more errors.", extensions={"code": code})
    return [*errors[: MAX_ERRORS - 1], note]


def _too_large(state: dict[str, Any], limit: int) -> Response:
    message = f"The request body is larger than {limit:,} bytes."
    return _refused(state, 413, ErrorCode.BAD_USER_INPUT, message)


_REQUEST_ID = re.compile(r"[A-Za-z0-9._\-]{8,64}")


def _request_id(scope: Scope) -> str:
    """The proxy's `X-Request-ID` when it looks like one (so lines join across hops),
    else a new one; echoed in the response for support requests."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = str(value.decode("latin-1"))
            if _REQUEST_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex


def _record_request(
    scope: Scope,
    request_id: str,
    status: int,
    started: float,
    state: dict[str, Any],
    metrics: Metrics | None,
) -> None:
    """The request in the metrics, and one log line: who (organisation and kind of
    principal, never a user's name), which operation, how long, how it ended. No
    variables, no body."""
    context: Context | None = state.get("context")
    principal = context.principal if context is not None else ANONYMOUS
    name, kind = context.operation if context and context.operation else (None, None)
    codes = state.get("codes") or scope.get("state", {}).get("codes")
    seconds = time.perf_counter() - started
    if metrics is not None:
        metrics.observe(kind, status, seconds, list(codes or []))
    kind_of_principal = (
        "token" if principal.is_token else "user" if principal.is_user else "anonymous"
    )
    request_log.info(
        "%s %s %s",
        scope.get("method"),
        scope.get("path"),
        status,
        extra={
            "request_id": request_id,
            "organisation": str(principal.organisation_id) if principal.organisation_id else None,
            "principal": kind_of_principal,
            "operation": name,
            "operation_type": kind,
            "status": status,
            "outcome": "ok" if status < 400 and not codes else "error",
            "codes": codes,
            "duration_ms": round(seconds * 1000, 2),
            "method": scope.get("method"),
            "path": scope.get("path"),
        },
    )
