"""The orders a list of recommendations can come in, each a keyset `Ordering`."""

from __future__ import annotations

import enum
import uuid
from typing import Any

import strawberry
from sqlalchemy import Select, func

from schema.pagination import Ordering, SortKey
from schema.tables.recommendations import Recommendation
from schema.tables.reviews import Review

_recommendations = Recommendation.__table__.c
# Other mechanisms have no session: they sort as session 0, before the UPR's.
SESSION_KEY = func.coalesce(Review.__table__.c.session_number, 0).label("sort_session")


@strawberry.enum(description="What a list of recommendations is sorted by.")
class RecommendationOrderField(enum.Enum):
    ADDED = "ADDED"  # ids are UUIDv7: the order they were added (for imports, the source's)
    STATE = "STATE"  # the state's ISO alpha-3 code, then as added
    SESSION = "SESSION"  # the Working Group session, then as added


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="A sort order; ties are broken by the order they were added.")
class RecommendationOrder:
    field: RecommendationOrderField = RecommendationOrderField.ADDED
    direction: SortDirection = SortDirection.ASC


def _ordering(field: RecommendationOrderField, descending: bool) -> Ordering:
    last = SortKey(_recommendations.id, uuid.UUID, descending)
    first = {
        RecommendationOrderField.ADDED: (),
        RecommendationOrderField.STATE: (SortKey(_recommendations.state_code, str, descending),),
        RecommendationOrderField.SESSION: (SortKey(SESSION_KEY, int, descending),),
    }[field]
    direction = "desc" if descending else "asc"
    return Ordering(f"recommendations:{field.value.lower()}:{direction}", (*first, last))


ORDERINGS = {
    (field, direction): _ordering(field, direction is SortDirection.DESC)
    for field in RecommendationOrderField
    for direction in SortDirection
}


def ordered(query: Select[Any], order: RecommendationOrder | None) -> tuple[Select[Any], Ordering]:
    """The query with what its ordering sorts by, and the ordering (cursors name it, so a
    cursor of one order is refused by another)."""
    order = order or RecommendationOrder()
    ordering = ORDERINGS[(order.field, order.direction)]
    if order.field is RecommendationOrderField.SESSION:
        query = query.add_columns(SESSION_KEY)
    return query, ordering
