"""Queries over coalitions: those your organisation is in or invited to."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import strawberry
from sqlalchemy import Select, select
from strawberry.types import Info

from schema.batch import fetch_by_keys
from schema.coalitions.types import Coalition
from schema.context import Context
from schema.node import register_node, uuid_key
from schema.pagination import Ordering, PageArgs, SortKey, paginate
from schema.relay import After, Before, Connection, First, Last
from schema.tables.organisations import Coalition as CoalitionTable
from schema.tables.organisations import CoalitionMembership
from security.policy import Viewer, memberships_visible

_coalitions = CoalitionTable.__table__.c
_memberships = CoalitionMembership.__table__.c
BY_NAME = Ordering(
    "coalitions:name", (SortKey(_coalitions.name, str), SortKey(_coalitions.id, uuid.UUID))
)


def my_coalitions(viewer: Viewer) -> Select[Any]:
    """Coalitions the viewer's organisation is active in or invited to, with its status.
    Nobody else learns that a coalition exists."""
    return (
        select(_coalitions.id, _coalitions.name, _coalitions.description, _memberships.status)
        .join(CoalitionMembership.__table__, _memberships.coalition_id == _coalitions.id)
        .where(memberships_visible(_memberships, viewer))
    )


async def coalitions_by_id(context: Context, keys: list[uuid.UUID]) -> Sequence[Coalition | None]:
    return await fetch_by_keys(
        context, my_coalitions(context.viewer), _coalitions.id, keys, Coalition.from_row
    )


register_node("Coalition", coalitions_by_id, uuid_key)


@strawberry.type
class CoalitionQuery:
    @strawberry.field(description="Coalitions your organisation is in or invited to.")
    async def coalitions(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Coalition]:
        context = info.context
        query = my_coalitions(context.viewer)
        return await paginate(
            context, query, BY_NAME, PageArgs(first, after, last, before), Coalition.from_row
        )
