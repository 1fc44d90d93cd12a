"""The data schema, both faces of it: tables (SQLAlchemy) and the GraphQL API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import strawberry
from graphql import ASTValidationRule, DirectiveNode, GraphQLError, ValidationContext
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.cost.extension import CostLimit
from schema.execution import ExecutionContext as LeanExecutionContext
from schema.inputs import fast_inputs
from schema.mutations import Mutation
from schema.root import Query
from schema.validation_cache import ValidatedDocuments, ValidationByIdentity

# Documents parsed and validated once, then reused: client apps send the same few
# operations over and over. Bounded, so unique documents cannot grow memory.
DOCUMENT_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one document (OWASP's GraphQL cheat sheet), checked before anything
    runs; the server takes them from settings. The cost analysis comes on top."""

    depth: int = 10
    aliases: int = 15
    tokens: int = 2000
    directives: int = 50


def directive_limit(maximum: int) -> type[ASTValidationRule]:
    """A rule refusing documents with more than `maximum` directives: repeated
    `@include`/`@skip` (or unknown ones) multiply the work of validation."""

    class DirectiveLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            self.count += 1
            if self.count == maximum + 1:
                self.report_error(
                    GraphQLError(f"The document has more than {maximum} directives.", node)
                )

    return DirectiveLimit


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


def build_schema(development: bool = False, limits: Limits = Limits()) -> Schema:
    """The API. Outside development it does not describe itself: no introspection,
    and no "did you mean" hints that would spell the schema out field by field."""
    # Factories: the library builds fresh extension instances for every request. The
    # limiting rules are built once, here: a rule class made per request would miss
    # the validation cache every time.
    rules: list[type[ASTValidationRule]] = [
        query_depth_limiter.create_validator(limits.depth, None, None),
        max_aliases.create_validator(limits.aliases),
        directive_limit(limits.directives),
    ]
    documents = ValidatedDocuments(maxsize=DOCUMENT_CACHE_SIZE)
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=limits.tokens),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ValidationByIdentity(documents),
        OperationNamed,
        CostLimit,
    ]
    if not development:
        extensions.append(DisableIntrospection)
    schema = Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not development),
        execution_context_class=LeanExecutionContext,
    )
    fast_inputs(schema)
    return schema
