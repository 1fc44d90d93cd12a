"""Input objects built by `fast_inputs` are the ones Strawberry builds, field for field."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import pytest
import strawberry
from strawberry import relay

from schema import build_schema
from schema.inputs import fast_inputs


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.input
class Inner:
    code: str
    colours: list[Colour] | None = None


@strawberry.input
class Outer:
    name: str
    count: int | None
    on: dt.date | None = None
    colour: Colour = Colour.RED
    tags: list[str] = strawberry.field(default_factory=lambda: ["default"])
    inner: Inner | None = None
    inners: list[Inner] | None = None
    node: relay.GlobalID | None = None
    renamed: str | None = strawberry.field(default=None, name="otherName")


SEEN: list[Outer] = []


@strawberry.type
class Query:
    @strawberry.field
    def take(self, value: Outer) -> str:
        value.tags.append("changed by the resolver")
        SEEN.append(value)
        return "ok"


DOCUMENTS = [
    '{ take(value: {name: "a", count: null}) }',
    '{ take(value: {name: "b", count: 2, on: "2026-11-28", colour: GREEN, tags: ["x"],'
    ' inner: {code: "i", colours: [RED]}, inners: [{code: "j"}], node: "T2JqZWN0OjE=",'
    ' otherName: "n"}) }',
]


def _seen(fast: bool, document: str) -> list[Any]:
    schema = strawberry.Schema(query=Query)
    if fast:
        fast_inputs(schema)
    SEEN.clear()
    for _ in range(2):  # twice: a default list changed by one request is not the next's
        result = schema.execute_sync(document)
        assert result.errors is None
    return list(SEEN)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_inputs_are_built_as_strawberry_builds_them(document: str) -> None:
    fast, library = _seen(True, document), _seen(False, document)
    assert fast == library
    assert all(type(value) is Outer for value in fast)
    # Nested inputs are built too, and a global ID is decoded.
    if "inner" in document:
        assert fast[0].inner == Inner(code="i", colours=[Colour.RED])
        assert isinstance(fast[0].node, relay.GlobalID)
        assert fast[0].renamed == "n"
    else:
        assert fast[1].tags == ["default", "changed by the resolver"]


def test_every_plain_input_of_the_api_builds_its_own() -> None:
    schema = build_schema()
    inputs = [
        concrete.definition
        for concrete in schema.schema_converter.type_map.values()
        if getattr(concrete.definition, "is_input", False)
    ]
    assert inputs
    assert all(definition.from_input is not None for definition in inputs)
