"""Queries over recommendations."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy import Select, select
from strawberry.types import Info

from schema.context import Context
from schema.errors import BadUserInput
from schema.lookahead import connection_node_fields
from schema.node import register_node, uuid_key
from schema.pagination import Ordering, PageArgs, SortKey, paginate
from schema.recommendations.loaders import recommendation_select
from schema.recommendations.types import (
    MechanismEnum,
    Recommendation,
    prefetch,
    recommendations_by_id,
)
from schema.relay import Connection, expect_global_id
from schema.tables.recommendations import Mechanism
from schema.tables.recommendations import Recommendation as RecommendationTable
from schema.tables.reference import Session as SessionTable
from schema.tables.reviews import Review as ReviewTable

_recommendations = RecommendationTable.__table__.c
_reviews = ReviewTable.__table__.c

# Ids are UUIDv7, so this is the order recommendations were added (for imports, the
# order of the source: report paragraphs in sequence).
AS_ADDED = Ordering("recommendations:added", (SortKey(_recommendations.id, uuid.UUID),))

register_node("Recommendation", recommendations_by_id, uuid_key)


@strawberry.input(description="Narrows a list of recommendations; every field given must match.")
class RecommendationFilter:
    state: str | None = strawberry.field(
        default=None, description="ISO 3166-1 code of the state under review or concerned."
    )
    review: strawberry.ID | None = None
    cycle: int | None = None
    session: int | None = None
    mechanism: MechanismEnum | None = None  # type: ignore[valid-type]


def apply_filter(query: Select[Any], context: Context, filter: RecommendationFilter) -> Select[Any]:
    if filter.state is not None:
        state = context.reference.state(filter.state)
        if state is None:
            raise BadUserInput("Unknown state code.")
        query = query.where(_recommendations.state_code == state.code)
    if filter.review is not None:
        query = query.where(
            _recommendations.review_id == uuid_key(expect_global_id(filter.review, "Review"))
        )
    if filter.cycle is not None:
        if filter.cycle not in context.reference.cycles:
            raise BadUserInput("Unknown cycle.")
        sessions = select(SessionTable.number).where(SessionTable.cycle_number == filter.cycle)
        query = query.where(_reviews.session_number.in_(sessions))
    if filter.session is not None:
        if filter.session not in context.reference.sessions:
            raise BadUserInput("Unknown session.")
        query = query.where(_reviews.session_number == filter.session)
    if filter.mechanism is not None:
        query = query.where(_recommendations.mechanism == Mechanism(filter.mechanism))
    return query


@strawberry.type
class RecommendationQuery:
    @strawberry.field(description="Recommendations in the order they were added.")
    async def recommendations(
        self,
        info: Info[Context, None],
        filter: RecommendationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Recommendation]:
        context = info.context
        query = recommendation_select()
        if filter is not None:
            query = apply_filter(query, context, filter)
        connection = await paginate(
            context,
            query,
            AS_ADDED,
            PageArgs(first, after, last, before),
            lambda row: Recommendation.from_row(row, context.reference),
        )
        nodes = [edge.node for edge in connection.edges]
        await prefetch(context, nodes, connection_node_fields(info))
        return connection
