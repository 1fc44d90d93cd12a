"""The GraphQL endpoint: Strawberry's ASGI view, with our context and orjson."""

from __future__ import annotations

from collections.abc import Callable

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
from schema.context import Context
from schema.error_codes import classify_all
from schema.errors import ErrorCode
from schema.reference.cache import ReferenceCache
from security.policy import ANONYMOUS
from server.database import UNAVAILABLE


def error_response(status: int, code: ErrorCode, message: str) -> Response:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code.value}}]})
    return Response(body, status_code=status, media_type="application/json")


class GraphQLView(GraphQL[Context, None]):
    """One context per request; its database connection is released when the
    response is ready, whatever happened while executing."""

    def __init__(
        self,
        schema: Schema,
        engine: Callable[[], AsyncEngine],
        reference: Callable[[], ReferenceCache],
        development: bool,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if development else None,
            allow_queries_via_get=False,
            multipart_uploads_enabled=False,
        )
        self._engine = engine
        self._reference = reference

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = classify_all(result.errors)
        return await super().process_result(request, result)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no subscriptions: nothing to serve over websockets
            response: Response = Response(status_code=404)
            await response(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        try:
            reference = await self._reference().get()
        except UNAVAILABLE:
            response = error_response(
                503, ErrorCode.SERVICE_UNAVAILABLE, "The database is unavailable; try again later."
            )
            await response(scope, receive, send)
            return
        context = Context(self._engine(), ANONYMOUS, reference)
        try:
            response = await self.run(request, context=context)
        except HTTPException as error:
            code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.BAD_USER_INPUT
            response = error_response(error.status_code, code, error.reason)
        finally:
            await context.close()
        await response(scope, receive, send)
