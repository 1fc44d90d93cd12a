"""Documents validated once per parsed document, found by identity.

Strawberry's `ValidationCache` keys its cache on the document, and a graphql-core
document hashes by walking its whole syntax tree: about 1% of a small page's time,
on every request, for a document the parser cache has already handed out before.
The parser cache returns the same document object for the same text, so the object
itself is the key here; each entry keeps its document alive, so that no other
document can take its `id` while the entry stands.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Key = tuple[int, int, tuple[type[ASTValidationRule], ...]]
Entry = tuple[DocumentNode, list[GraphQLError]]


class ValidatedDocuments:
    """A bounded LRU of validation results (`build_schema` makes one per schema; the
    schema is in the key all the same)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Key, Entry] = OrderedDict()

    def validate(
        self, schema: Any, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
    ) -> list[GraphQLError]:
        key = (id(schema), id(document), rules)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is document:
            self._entries.move_to_end(key)
            return entry[1]
        errors = validate_document(schema, document, rules)
        self._entries[key] = (document, errors)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return errors

    def __len__(self) -> int:
        return len(self._entries)


class ValidationByIdentity(SchemaExtension):
    """Strawberry's `ValidationCache`, keyed on the parsed document's identity."""

    def __init__(self, documents: ValidatedDocuments) -> None:
        super().__init__()
        self.documents = documents

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:  # None only after a parse error, answered before this
            context.pre_execution_errors = self.documents.validate(
                context.schema._schema, document, tuple(context.validation_rules)
            )
        yield
