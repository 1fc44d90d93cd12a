"""The lean execution of plain leaf fields answers exactly as the library does: the same
data, and the same errors at the same paths where a value is not what the schema says."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, NewType

import pytest
import strawberry
from graphql import GraphQLEnumType, GraphQLObjectType
from strawberry.schema.config import StrawberryConfig

from schema.execution import ExecutionContext

Strict = NewType("Strict", str)
CONFIG = StrawberryConfig(
    scalar_map={
        Strict: strawberry.scalar(
            name="Strict",
            serialize=lambda value: value if isinstance(value, str) else int("not a number"),
            parse_value=str,
        )
    }
)


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Leaf:
    name: str
    nickname: str | None
    count: int
    colour: Colour
    maybe_colour: Colour | None
    strict: Strict | None
    tags: list[str]

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return self.name.upper() + suffix


GOOD = Leaf(
    name="ok", nickname=None, count=3, colour=Colour.RED, maybe_colour=None, strict="s", tags=["a"]
)
# Values that break the schema's promises, one per leaf (an error in a non-null field
# ends its object): a null in a non-null field, a value that does not serialize as its
# scalar, an unknown enum value, a custom scalar that fails.
BAD: list[Any] = [
    dataclasses.replace(GOOD, name=None),
    dataclasses.replace(GOOD, count="three"),
    dataclasses.replace(GOOD, colour="purple"),
    dataclasses.replace(GOOD, strict=12, nickname="n", maybe_colour=Colour.GREEN),
]


@strawberry.type
class Query:
    @strawberry.field
    def leaves(self) -> list[Leaf | None]:
        return [GOOD, *BAD]


DOCUMENT = """
query {
  leaves {
    __typename name nickname count colour maybeColour strict tags shout
    again: name
    skipped: count @skip(if: true)
    ... on Leaf { colour }
  }
}
"""


def _run(execution_context_class: Any) -> dict[str, Any]:
    schema = strawberry.Schema(
        query=Query, config=CONFIG, execution_context_class=execution_context_class
    )
    result = schema.execute_sync(DOCUMENT)
    return {
        "data": result.data,
        "errors": sorted((error.message, tuple(error.path or ())) for error in result.errors or []),
    }


def test_plain_leaves_answer_as_the_library_does() -> None:
    lean, library = _run(ExecutionContext), _run(None)
    assert lean == library
    # The comparison covers both kinds of answer: values, and errors at their paths.
    assert lean["data"]["leaves"][0]["colour"] == "RED"
    assert lean["data"]["leaves"][1] is None  # a non-null field failed: its parent is null
    assert lean["data"]["leaves"][4]["strict"] is None  # a nullable one: only itself
    assert {path[-1] for _, path in lean["errors"]} >= {"name", "count", "colour", "strict"}


def test_only_plain_leaf_fields_are_shortened() -> None:
    schema = strawberry.Schema(query=Query, config=CONFIG, execution_context_class=ExecutionContext)
    schema.execute_sync(DOCUMENT)
    leaf = schema._schema.type_map["Leaf"]
    assert isinstance(leaf, GraphQLObjectType)
    plain = {name for name, field in leaf.fields.items() if field.extensions.get(_key())}
    # `tags` is a list, `shout` has a resolver and arguments: the library's way.
    assert plain == {"name", "nickname", "count", "colour", "maybeColour", "strict"}
    colour = leaf.fields["colour"].type.of_type  # type: ignore[attr-defined]
    assert isinstance(colour, GraphQLEnumType)


def _key() -> str:
    from schema import execution

    return execution._PLAIN


@pytest.mark.parametrize("execution_context_class", [ExecutionContext, None])
def test_a_list_of_nulls_is_kept(execution_context_class: Any) -> None:
    # A nullable list item that is null stays null, whichever way the fields go.
    schema = strawberry.Schema(
        query=Query, config=CONFIG, execution_context_class=execution_context_class
    )
    result = schema.execute_sync("{ leaves { nickname } }")
    assert result.data == {"leaves": [{"nickname": None}] * 4 + [{"nickname": "n"}]}
