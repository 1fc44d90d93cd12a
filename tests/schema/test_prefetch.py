"""`schema.prefetch`: one load per relation for a page, DataLoaders elsewhere."""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass, field
from typing import Any, cast

from strawberry.dataloader import DataLoader

from schema.context import Context
from schema.prefetch import Relation, prefetch, related


@dataclass
class Node:
    key: int
    parent: int | None
    prefetched: dict[str, Any] = field(default_factory=dict)


class Loads:
    """A stand-in for the request context: records each batch load."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.loaders: dict[Any, DataLoader[Any, Any]] = {}

    async def parents(self, _context: Any, keys: list[int]) -> list[str]:
        self.batches.append(keys)
        return [f"parent {key}" for key in keys]

    def loader(self, load: Any) -> DataLoader[Any, Any]:
        if load not in self.loaders:
            self.loaders[load] = DataLoader(load_fn=lambda keys: load(self, keys))
        return self.loaders[load]


def test_a_page_loads_each_relation_once_with_distinct_keys() -> None:
    # Given a page whose nodes share a parent, and one without any
    loads = Loads()
    relation: Relation[Node] = Relation(loads.parents, lambda node: node.parent)
    page = [Node(1, 10), Node(2, 10), Node(3, None), Node(4, 20)]
    # When the relation is prefetched
    asyncio.run(prefetch(cast(Context, loads), page, {"parent": relation}, ["parent"]))
    # Then one load, each key once; nodes without a key get nothing
    assert loads.batches == [[10, 20]]
    assert [node.prefetched.get("parent") for node in page] == [
        "parent 10",
        "parent 10",
        None,
        "parent 20",
    ]


def test_related_answers_at_once_when_prefetched_and_through_a_loader_otherwise() -> None:
    loads = Loads()
    relation: Relation[Node] = Relation(loads.parents, lambda node: node.parent)
    ready = Node(1, 10, {"parent": "already here"})
    # A prefetched value is returned as it is, with nothing loaded
    assert related(ready, cast(Context, loads), "parent", relation, str.upper) == "ALREADY HERE"
    assert loads.batches == []

    # Otherwise a coroutine, and nodes resolved together share one batch
    async def both() -> list[str]:
        first = related(Node(2, 30), cast(Context, loads), "parent", relation, str.upper)
        second = related(Node(3, 40), cast(Context, loads), "parent", relation, str.upper)
        assert inspect.isawaitable(first)
        assert inspect.isawaitable(second)
        return list(await asyncio.gather(first, second))

    assert asyncio.run(both()) == ["PARENT 30", "PARENT 40"]
    assert loads.batches == [[30, 40]]
