"""Validation results cached per parsed document, by identity."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, specified_rules

from schema import build_schema, validation_cache
from schema.validation_cache import ValidatedDocuments

RULES = tuple(specified_rules)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = validation_cache.validate_document

    def counting(schema: Any, document: Any, rules: Any) -> Any:
        seen.append(document)
        return real(schema, document, rules)

    monkeypatch.setattr(validation_cache, "validate_document", counting)
    return seen


def test_a_document_is_validated_once(calls: list[Any]) -> None:
    graphql_schema = build_schema()._schema
    documents = ValidatedDocuments(maxsize=4)
    document = parse("{ __typename }")
    assert documents.validate(graphql_schema, document, ()) == []
    assert documents.validate(graphql_schema, document, ()) == []
    assert calls == [document]


def test_an_equal_document_parsed_again_is_validated_again(calls: list[Any]) -> None:
    graphql_schema = build_schema()._schema
    documents = ValidatedDocuments(maxsize=4)
    first, second = parse("{ zzqq }"), parse("{ zzqq }")
    errors = documents.validate(graphql_schema, first, RULES)
    assert [error.message for error in errors] == ["Cannot query field 'zzqq' on type 'Query'."]
    assert documents.validate(graphql_schema, second, RULES) == errors
    assert calls == [first, second]


def test_the_cache_is_bounded_and_forgets_the_least_recently_used(calls: list[Any]) -> None:
    graphql_schema = build_schema()._schema
    documents = ValidatedDocuments(maxsize=2)
    a, b, c = parse("{ __typename }"), parse("{ t: __typename }"), parse("{ u: __typename }")
    for document in (a, b, a, c):
        documents.validate(graphql_schema, document, ())
    assert len(documents) == 2
    documents.validate(graphql_schema, a, ())  # kept: used after b
    documents.validate(graphql_schema, b, ())  # forgotten for c
    assert calls == [a, b, c, b]


def test_other_rules_are_another_entry(calls: list[Any]) -> None:
    from graphql import NoUnusedFragmentsRule

    graphql_schema = build_schema()._schema
    documents = ValidatedDocuments(maxsize=4)
    document = parse("{ __typename } fragment F on Query { __typename }")
    assert documents.validate(graphql_schema, document, ()) == []
    errors = documents.validate(graphql_schema, document, (NoUnusedFragmentsRule,))
    assert calls == [document, document]
    assert [error.message for error in errors] == ["Fragment 'F' is never used."]


async def test_the_schema_refuses_an_invalid_document_every_time() -> None:
    schema = build_schema()
    for _ in range(2):
        result = await schema.execute("{ zzqq }")
        assert result.errors is not None
        assert [error.message for error in result.errors] == [
            "Cannot query field 'zzqq' on type 'Query'."
        ]
