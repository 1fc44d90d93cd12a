"""Queries over recommendations."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy import Select
from strawberry.types import Info

from schema.context import Context
from schema.filters import session_number, sessions_of_cycle, state_code
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
from schema.relay import After, Before, Connection, First, Last, expect_global_id
from schema.tables.recommendations import Mechanism
from schema.tables.recommendations import Recommendation as RecommendationTable
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
    reference = context.reference
    if filter.state is not None:
        query = query.where(_recommendations.state_code == state_code(reference, filter.state))
    if filter.review is not None:
        query = query.where(
            _recommendations.review_id == uuid_key(expect_global_id(filter.review, "Review"))
        )
    if filter.cycle is not None:
        query = query.where(_reviews.session_number.in_(sessions_of_cycle(reference, filter.cycle)))
    if filter.session is not None:
        query = query.where(_reviews.session_number == session_number(reference, filter.session))
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
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
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
