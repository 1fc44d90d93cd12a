"""The data schema, both faces of it: tables (SQLAlchemy) and the GraphQL API."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.mutations import Mutation
from schema.root import Query

# Documents parsed and validated once, then reused: client apps send the same few
# operations over and over. Bounded, so unique documents cannot grow memory.
DOCUMENT_CACHE_SIZE = 256
# Bounds on one document (OWASP's GraphQL cheat sheet); the cost analysis comes on top.
MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


class OperationNamed(SchemaExtension):
    """Tells the context which operation ran (name and type), for the request log."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if hasattr(context, "operation"):
            kind = self.execution_context.operation_type
            context.operation = (self.execution_context.operation_name, kind.value)
        yield


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Nothing here: the library's default logs every error with its variables.
        Errors are classified, masked and logged (without variables) on the way out."""


def build_schema(development: bool = False) -> Schema:
    """The API. Outside development it does not describe itself: no introspection,
    and no "did you mean" hints that would spell the schema out field by field."""
    # Factories: the library builds fresh extension instances for every request. The
    # limiting rules are built once, here: a rule class made per request would miss
    # the validation cache every time.
    limits: list[type[ASTValidationRule]] = [
        query_depth_limiter.create_validator(MAX_DEPTH, None, None),
        max_aliases.create_validator(MAX_ALIASES),
    ]
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        OperationNamed,
    ]
    if not development:
        extensions.append(DisableIntrospection)
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not development),
    )
