"""The data schema, both faces of it: tables (SQLAlchemy) and the GraphQL API."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from schema.extensions.error_codes import ErrorCodes
from schema.root import Query


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Nothing here: the library's default logs every error with its variables.
        `ErrorCodes` logs what is unexpected, without variables."""


# Documents parsed and validated once, then reused: client apps send the same few
# operations over and over. Bounded, so unique documents cannot grow memory.
DOCUMENT_CACHE_SIZE = 256


def build_schema() -> Schema:
    return Schema(
        query=Query,
        extensions=[
            ErrorCodes,
            lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        ],
    )
