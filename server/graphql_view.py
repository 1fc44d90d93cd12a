"""The GraphQL endpoint: Strawberry's ASGI view, with our context and orjson."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from schema import Schema
from schema.accounts.authentication import authenticate
from schema.context import Context, Services
from schema.error_codes import classify_all
from schema.errors import ErrorCode
from schema.reference.cache import ReferenceData
from security.policy import ANONYMOUS, NotAuthenticated
from server.database import UNAVAILABLE

UNAVAILABLE_MESSAGE = "The database is unavailable; try again later."


def error_response(
    status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code.value}}]})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class GraphQLView(GraphQL[Context, None]):
    """One context per request: the principal from the `Authorization` header, one
    database connection released when the response is ready, whatever happened."""

    def __init__(
        self,
        schema: Schema,
        engine: Callable[[], AsyncEngine],
        ready: Callable[[], Awaitable[tuple[ReferenceData, Services]]],
        development: bool,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if development else None,
            allow_queries_via_get=False,
            multipart_uploads_enabled=False,
        )
        self._engine = engine
        self._ready = ready

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = classify_all(result.errors)
        return await super().process_result(request, result)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._respond(scope, receive)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        if scope["type"] != "http":  # no subscriptions: nothing to serve over websockets
            return Response(status_code=404)
        request = Request(scope, receive=receive)
        try:
            reference, services = await self._ready()
        except UNAVAILABLE:
            return error_response(503, ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE)
        client = request.client.host if request.client else None
        context = Context(self._engine(), ANONYMOUS, reference, services, client)
        try:
            context.signed_in_as(await authenticate(context, request.headers.get("authorization")))
            return await self.run(request, context=context)
        except NotAuthenticated as error:
            challenge = {"WWW-Authenticate": "Bearer"}
            return error_response(401, ErrorCode.UNAUTHENTICATED, str(error), challenge)
        except UNAVAILABLE:
            return error_response(503, ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE)
        except HTTPException as error:
            code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.BAD_USER_INPUT
            return error_response(error.status_code, code, error.reason)
        finally:
            await context.close()
