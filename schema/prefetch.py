"""Relations of a page of nodes, fetched once per relation.

A list resolver that knows (by lookahead) which relations its nodes will be asked for
fetches each for the whole page in one statement (`prefetch`); the fields then
resolve synchronously. A node met anywhere else (under `node`, say) has nothing
prefetched, and its fields fall back to the request's DataLoaders, which batch the
same loads. Either way: one statement per relation, whatever the page size.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

from strawberry.dataloader import DataLoader

from schema.context import Context

T = TypeVar("T")
# A value now, or (not prefetched) a coroutine GraphQL awaits.
Resolved: TypeAlias = T | Awaitable[T]
Load: TypeAlias = Callable[[Context, list[Any]], Awaitable[Sequence[Any]]]


class Prefetching(Protocol):
    """A node that keeps its prefetched relation values, by relation name."""

    prefetched: dict[str, Any]


N = TypeVar("N", bound=Prefetching)
N_contra = TypeVar("N_contra", contravariant=True)


class Batched(Protocol[N_contra]):
    """How to fetch a relation for many nodes, by the key `key` reads off each (None:
    the node has none)."""

    @property
    def load(self) -> Load: ...
    @property
    def key(self) -> Callable[[N_contra], Any]: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Relation(Generic[N]):
    """A `Batched` relation and nothing more."""

    load: Load
    key: Callable[[N], Any]


async def prefetch(
    context: Context, nodes: Sequence[N], relations: Mapping[str, Batched[N]], names: Iterable[str]
) -> None:
    """Fetch the relations `names` of a page of nodes, one statement each."""
    for name in names:
        relation = relations[name]
        owners = [node for node in nodes if relation.key(node) is not None]
        keys = list(dict.fromkeys(relation.key(node) for node in owners))
        if not keys:
            continue
        values = dict(zip(keys, await relation.load(context, keys), strict=True))
        for node in owners:
            node.prefetched[name] = values[relation.key(node)]


def related(
    node: N, context: Context, name: str, relation: Batched[N], then: Callable[[Any], T]
) -> Resolved[T]:
    """`then` of the relation's value: at once when prefetched, else through the
    request's DataLoader."""
    if name in node.prefetched:
        return then(node.prefetched[name])

    async def later() -> T:
        loader: DataLoader[Any, Any] = context.loader(relation.load)
        return then(await loader.load(relation.key(node)))

    return later()
