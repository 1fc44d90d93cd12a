"""Queries over reviews."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from schema.context import Context
from schema.filters import sessions_of_cycle, state_code
from schema.node import register_node, uuid_key
from schema.pagination import Ordering, PageArgs, SortKey, paginate
from schema.relay import After, Before, Connection, First, Last
from schema.reviews.loaders import reviews_by_id
from schema.reviews.types import REVIEW_COLUMNS, Review
from schema.tables.reviews import Review as ReviewTable

_reviews = ReviewTable.__table__.c
NEWEST_FIRST = Ordering(
    "reviews:newest",
    (
        SortKey(_reviews.review_date, dt.date, descending=True),
        SortKey(_reviews.id, uuid.UUID, descending=True),
    ),
)

register_node("Review", reviews_by_id, uuid_key)


@strawberry.input(description="Narrows a list of reviews; every field given must match.")
class ReviewFilter:
    state: str | None = strawberry.field(default=None, description="ISO 3166-1 code of the state.")
    cycle: int | None = None


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="Reviews, newest first.")
    async def reviews(
        self,
        info: Info[Context, None],
        filter: ReviewFilter | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Review]:
        context = info.context
        query = select(*REVIEW_COLUMNS)
        if filter is not None and filter.state is not None:
            query = query.where(_reviews.state_code == state_code(context.reference, filter.state))
        if filter is not None and filter.cycle is not None:
            sessions = sessions_of_cycle(context.reference, filter.cycle)
            query = query.where(_reviews.session_number.in_(sessions))
        return await paginate(
            context,
            query,
            NEWEST_FIRST,
            PageArgs(first, after, last, before),
            lambda row: Review.from_row(row, context.reference),
        )
