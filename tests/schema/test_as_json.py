"""The pieces of answers built as JSON by PostgreSQL (schema/execution/as_json.py): ids
as `to_global_id` makes them, enums by their GraphQL names, and a frozen expression run
with each execution's own parameters."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Text, bindparam, cast, literal, literal_column, select, values
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import column

from schema.execution.as_json import Frozen, enum_leaf, global_id
from schema.relay import to_global_id


@pytest.fixture
def postgresql(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the JSON answers are PostgreSQL's only")


KEYS = [uuid.UUID(int=0), uuid.uuid4(), uuid.UUID(int=2**128 - 1)]


@pytest.mark.usefixtures("postgresql")
@pytest.mark.parametrize(
    "type_name", ["State", "Recommendation", "AVeryLongTypeNameWhoseBase64BreaksIntoLines"]
)
async def test_global_ids_are_those_of_to_global_id(engine: AsyncEngine, type_name: str) -> None:
    keys = values(column("key", Text), name="keys").data([(str(key),) for key in KEYS])
    async with engine.connect() as connection:
        found = (await connection.execute(select(global_id(type_name, keys.c.key)))).scalars()
        assert list(found) == [to_global_id(type_name, key) for key in KEYS]


@pytest.mark.usefixtures("postgresql")
async def test_enums_answer_their_graphql_names(engine: AsyncEngine) -> None:
    stored = values(column("stored", Text), name="stored").data([("a'1",), ("b",), ("c",)])
    same = enum_leaf(stored.c.stored, {"a'1": "a'1", "b": "b", "c": "c"})
    renamed = enum_leaf(stored.c.stored, {"FIRST": "a'1", "SECOND": "b", "THIRD": "c"})
    node = _leaf()
    async with engine.connect() as connection:
        rows = (await connection.execute(select(same(node), renamed(node)))).all()
    assert [tuple(row) for row in rows] == [("a'1", "FIRST"), ("b", "SECOND"), ("c", "THIRD")]


def _leaf() -> object:
    from graphql import FieldNode, NameNode

    return FieldNode(name=NameNode(value="leaf"), selection_set=None)


@pytest.mark.usefixtures("postgresql")
async def test_a_frozen_expression_takes_each_executions_parameters(engine: AsyncEngine) -> None:
    # Given one frozen expression with a named parameter and a constant of its own
    frozen = Frozen(cast(bindparam("who", type_=Text), Text) + literal("!", Text))
    async with engine.connect() as connection:
        # When two statements holding it run with other values (the second from the cache)
        for who in ("Amina", "Ben"):
            statement = select(frozen)
            # Then each answers its own
            assert (await connection.execute(statement, {"who": who})).scalar() == who + "!"
    # And its cache key is its serial number, not a walk of what it holds
    key = select(frozen)._generate_cache_key()
    assert key is not None
    assert frozen.serial in str(key.key)
    assert Frozen(literal_column("1")).serial != frozen.serial
