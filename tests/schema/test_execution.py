"""The lean execution of plain leaf fields answers exactly as the library does: the same
data, and the same errors at the same paths where a value is not what the schema says."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from typing import Any, NewType

import orjson
import pytest
import strawberry
from graphql import GraphQLEnumType, GraphQLObjectType
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

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


class OnlyForInsiders(BasePermission):
    message = "Insiders only."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(info.context and info.context.get("insider"))


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Leaf:
    name: str
    nickname: str | None
    count: int
    ratio: float
    colour: Colour
    maybe_colour: Colour | None
    strict: Strict | None
    tags: list[str]
    # A plain attribute behind a permission, which reads the request from the info.
    secret: str | None = strawberry.field(default="s", permission_classes=[OnlyForInsiders])

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return self.name.upper() + suffix

    boom: str | None = None


GOOD = Leaf(
    name="ok",
    nickname=None,
    count=3,
    ratio=0.5,
    colour=Colour.RED,
    maybe_colour=None,
    strict="s",
    tags=["a"],
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


# Values at the edges of the built-in scalars and enums, which the lean execution
# coerces by exact type: out of 32 bits, not finite, a bool or a float for an Int, a
# str subclass, a raw value for an enum.
class Text(str):
    pass


EDGES: list[Any] = [
    dataclasses.replace(GOOD, count=2**31),
    dataclasses.replace(GOOD, ratio=float("nan")),
    dataclasses.replace(GOOD, ratio=float("inf")),
    dataclasses.replace(GOOD, count=-(2**31), name=Text("sub")),
    dataclasses.replace(GOOD, count=True),
    dataclasses.replace(GOOD, count=7.0, ratio=2),
    dataclasses.replace(GOOD, maybe_colour="green"),
    dataclasses.replace(GOOD, maybe_colour="RED"),
]


class Exploding:
    """A leaf whose `boom` attribute raises when read (a property, say)."""

    def __init__(self) -> None:
        self.__dict__.update(vars(GOOD))

    @property
    def boom(self) -> str | None:
        raise RuntimeError("reading the attribute failed")


@strawberry.type
class Query:
    @strawberry.field
    def leaves(self) -> list[Leaf | None]:
        return [GOOD, *BAD, Exploding(), *EDGES]


DOCUMENT = """
query {
  leaves {
    __typename name nickname count ratio colour maybeColour strict tags shout secret boom
    again: name
    skipped: count @skip(if: true)
    ... on Leaf { colour }
  }
}
"""


def _run(execution_context_class: Any, insider: bool = False) -> dict[str, Any]:
    schema = strawberry.Schema(
        query=Query, config=CONFIG, execution_context_class=execution_context_class
    )
    result = schema.execute_sync(DOCUMENT, context_value={"insider": insider})
    return {
        "data": result.data,
        "errors": sorted((error.message, tuple(error.path or ())) for error in result.errors or []),
    }


@pytest.mark.parametrize("insider", [False, True])
def test_plain_leaves_answer_as_the_library_does(insider: bool) -> None:
    lean, library = _run(ExecutionContext, insider), _run(None, insider)
    assert lean == library
    # As JSON too: in Python `True == 1` and `7 == 7.0`, in a response they differ.
    assert orjson.dumps(lean) == orjson.dumps(library)
    # The comparison covers both kinds of answer: values, and errors at their paths.
    assert lean["data"]["leaves"][0]["colour"] == "RED"
    assert lean["data"]["leaves"][1] is None  # a non-null field failed: its parent is null
    assert lean["data"]["leaves"][4]["strict"] is None  # a nullable one: only itself
    failed = {path[-1] for _, path in lean["errors"]}
    assert failed >= {"name", "count", "colour", "strict"}
    # An attribute that raises when read fails at itself, its object answered.
    assert lean["data"]["leaves"][5]["boom"] is None
    assert ("reading the attribute failed", ("leaves", 5, "boom")) in lean["errors"]
    # The permission saw the request: insiders read the field, others are refused.
    assert (lean["data"]["leaves"][0]["secret"] == "s") is insider
    assert ("secret" in failed) is not insider
    # At the edges of the scalars: what the library refuses is refused at the same
    # paths, and what it converts (a bool or a whole float for an Int) is converted.
    edges = lean["data"]["leaves"][6:]
    assert edges[:3] == [None, None, None]  # 2**31 is not an Int, nan and inf no Float
    assert (edges[3]["count"], edges[3]["name"]) == (-(2**31), "sub")
    assert orjson.dumps([edges[4]["count"], edges[5]["count"], edges[5]["ratio"]]) == b"[1,7,2.0]"
    assert edges[6]["maybeColour"] == "GREEN"


def test_only_plain_fields_are_shortened() -> None:
    schema = strawberry.Schema(query=Query, config=CONFIG, execution_context_class=ExecutionContext)
    schema.execute_sync(DOCUMENT)
    leaf = schema._schema.type_map["Leaf"]
    assert isinstance(leaf, GraphQLObjectType)
    steps = {name: field.extensions.get(_key()) for name, field in leaf.fields.items()}
    inline = {name for name, step in steps.items() if step is not None and step.leaf}
    assert inline == {
        "name",
        "nickname",
        "count",
        "ratio",
        "colour",
        "maybeColour",
        "strict",
        "boom",
    }
    # `tags` is a list in an attribute: read here, completed item by item. `shout` has
    # arguments and `secret` a permission: the library's way.
    assert steps["tags"] is not None
    assert not steps["tags"].leaf
    assert steps["shout"] is None
    assert steps["secret"] is None
    colour = leaf.fields["colour"].type.of_type  # type: ignore[attr-defined]
    assert isinstance(colour, GraphQLEnumType)


def _key() -> str:
    from schema.execution.steps import STEP

    return STEP


@pytest.mark.parametrize("execution_context_class", [ExecutionContext, None])
def test_a_list_of_nulls_is_kept(execution_context_class: Any) -> None:
    # A nullable list item that is null stays null, whichever way the fields go.
    schema = strawberry.Schema(
        query=Query, config=CONFIG, execution_context_class=execution_context_class
    )
    result = schema.execute_sync("{ leaves { nickname } }")
    assert result.data == {
        "leaves": [{"nickname": None}] * 4
        + [{"nickname": "n"}, {"nickname": None}]
        + [{"nickname": None}] * len(EDGES)
    }


# Object and list fields: plain attributes, and synchronous resolvers (with and without
# the info) whose values are objects, lists of them, awaitables, or not what the schema
# says. Errors inside items must land at the same paths, and nulls propagate the same.


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Child(Named):  # an interface: the library checks its values' class (`is_type_of`)
    @strawberry.field
    def strict_name(self) -> str:
        if self.name == "broken":
            raise ValueError("this child cannot say its name")
        return self.name


@strawberry.type
class Toy:  # no interface: the library takes any value for it
    name: str


async def _toy(name: str) -> Toy:
    return Toy(name=name)


CALLS: list[str] = []


class Refused(Exception):
    """An error returned as a value, which the library raises at its place."""


def _done(value: Any) -> asyncio.Future[Any]:
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


class NotAChild:
    name = "impostor"

    def strict_name(self) -> str:
        return self.name


async def _later(child: Child) -> Child:
    return child


@strawberry.type
class Parent:
    label: str
    child: Child
    maybe_child: Child | None
    children: list[Child]
    maybe_children: list[Child | None] | None
    # Awaitables kept in an attribute: the library awaits them.
    kept_toys: list[Toy]

    @strawberry.field
    def kids(self) -> list[Child]:
        return self.children

    @strawberry.field
    def kid_for(self, info: Info) -> Child:
        return Child(name=f"{self.label} for {info.context['viewer']}")

    @strawberry.field
    def later(self) -> Child:
        return _later(self.child)  # type: ignore[return-value]

    @strawberry.field
    def later_kids(self) -> list[Child]:
        return [_later(child) for child in self.children]  # type: ignore[misc]

    @strawberry.field
    def later_toys(self) -> list[Toy]:
        return [_toy(child.name) for child in self.children]  # type: ignore[misc]

    @strawberry.field
    def awaited_names(self) -> list[str]:
        CALLS.append(self.label)  # awaitable items go the library's way: resolved once
        return [_done(child.name) for child in self.children]  # type: ignore[misc]

    @strawberry.field
    def refusals(self) -> list[str | None]:
        return ["fine", Refused("this one is refused")]  # type: ignore[list-item]

    @strawberry.field
    def refused_child(self) -> Child | None:
        return Refused("no child here")  # type: ignore[return-value]

    @strawberry.field
    def failing(self) -> Child | None:
        raise RuntimeError("the resolver failed")

    @strawberry.field
    def wrong(self) -> Child | None:
        return NotAChild()  # type: ignore[return-value]

    @strawberry.field
    def nothing(self) -> Child:
        return None  # type: ignore[return-value]

    @strawberry.field
    def codes(self) -> list[str]:
        return ["a", "b"] if self.label != "odd" else ["a", None]  # type: ignore[list-item]


def _parent(label: str, *names: str) -> Parent:
    children = [Child(name=name) for name in names]
    return Parent(
        label=label,
        child=children[0],
        maybe_child=None,
        children=children,
        maybe_children=[*children, None],
        kept_toys=[_done(Toy(name=name)) for name in names],  # type: ignore[misc]
    )


@strawberry.type
class FamilyQuery:
    @strawberry.field
    def parents(self) -> list[Parent | None]:
        return [_parent("one", "a", "b"), _parent("odd", "c", "broken"), _parent("two", "d")]


FAMILY = """
query {
  parents {
    label
    child { name strictName }
    maybeChild { name }
    children { name }
    maybeChildren { name strictName }
    kids { strictName }
    kidFor { name }
    later { name }
    laterKids { name strictName }
    laterToys { name }
    keptToys { name }
    awaitedNames
    refusals
    refusedChild { name }
    failing { name }
    wrong { name }
    codes
    ... on Parent { kids { name } }
  }
  again: parents { nothing { name } }
}
"""


async def _family(execution_context_class: Any) -> dict[str, Any]:
    schema = strawberry.Schema(query=FamilyQuery, execution_context_class=execution_context_class)
    CALLS.clear()
    result = await schema.execute(FAMILY, context_value={"viewer": "me"})
    assert len(CALLS) == len(set(CALLS)) >= 2  # once per parent (the failed one may stop first)
    return {
        "data": result.data,
        "errors": sorted((error.message, tuple(error.path or ())) for error in result.errors or []),
    }


async def test_object_and_list_fields_answer_as_the_library_does() -> None:
    lean, library = await _family(ExecutionContext), await _family(None)
    assert lean == library
    parents = lean["data"]["parents"]
    # Values: plain attributes, resolvers with the info, awaitables from a resolver.
    assert parents[0]["kidFor"] == {"name": "one for me"}
    assert parents[0]["laterKids"] == [
        {"name": "a", "strictName": "a"},
        {"name": "b", "strictName": "b"},
    ]
    assert parents[0]["laterToys"] == [{"name": "a"}, {"name": "b"}]
    assert parents[0]["keptToys"] == [{"name": "a"}, {"name": "b"}]
    assert parents[0]["awaitedNames"] == ["a", "b"]
    assert parents[0]["refusals"] == ["fine", None]
    assert parents[0]["refusedChild"] is None
    assert parents[0]["maybeChildren"][2] is None
    # A child that fails a non-null field: its nullable list item is null, its parent
    # (all of whose lists hold non-null children) is null too.
    assert parents[1] is None
    paths = {path for _, path in lean["errors"]}
    assert ("parents", 1, "maybeChildren", 1, "strictName") in paths
    assert ("parents", 0, "failing") in paths  # a resolver that raises
    assert ("parents", 0, "refusals", 1) in paths  # an error returned as an item
    assert ("parents", 0, "refusedChild") in paths  # an error returned as the value
    assert ("parents", 0, "wrong") in paths  # an object of another class
    assert lean["data"]["again"] == [None, None, None]  # null in a non-null object field


# Enums of other kinds, and enum members where a scalar is expected: the lean
# execution coerces by exact type, so each either gets the library's own name or
# goes the library's way.
@strawberry.enum
class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2
    ALSO_LOW = 1  # an alias: the same member as LOW


@strawberry.enum
class Mood(enum.StrEnum):
    HAPPY = "happy"
    SAD = "sad"


@strawberry.type
class Mixed:
    level: Level | None
    mood: Mood | None
    number: int | None
    word: str | None


@strawberry.type
class MixedQuery:
    @strawberry.field
    def mixed(self) -> list[Mixed]:
        return [
            Mixed(level=Level.LOW, mood=Mood.HAPPY, number=1, word="w"),
            Mixed(level=Level.ALSO_LOW, mood="sad", number=Level.HIGH, word=Mood.SAD),
            Mixed(level=2, mood="happy", number=True, word=Text("t")),
            Mixed(level=3, mood="HAPPY", number=2.5, word=None),
        ]


def test_other_enums_and_members_as_scalars_answer_as_the_library_does() -> None:
    def run(context_class: Any) -> bytes:
        schema = strawberry.Schema(query=MixedQuery, execution_context_class=context_class)
        result = schema.execute_sync("{ mixed { level mood number word } }")
        errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
        return orjson.dumps({"data": result.data, "errors": errors})

    answer = run(ExecutionContext)
    assert answer == run(None)
    data = orjson.loads(answer)["data"]["mixed"]
    assert data[0] == {"level": "LOW", "mood": "HAPPY", "number": 1, "word": "w"}
    assert data[1]["level"] == "LOW"  # the alias is LOW itself
    assert data[3]["level"] is None  # 3 is no level: an error at the field
