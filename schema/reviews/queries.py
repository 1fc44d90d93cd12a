"""Queries over reviews."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from schema.context import Context
from schema.errors import BadUserInput
from schema.node import register_node, uuid_key
from schema.pagination import Ordering, PageArgs, SortKey, paginate
from schema.relay import Connection
from schema.reviews.loaders import reviews_by_id
from schema.reviews.types import REVIEW_COLUMNS, Review
from schema.tables.reference import Session as SessionTable
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
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Review]:
        context = info.context
        query = select(*REVIEW_COLUMNS)
        if filter is not None and filter.state is not None:
            state = context.reference.state(filter.state)
            if state is None:
                raise BadUserInput("Unknown state code.")
            query = query.where(_reviews.state_code == state.code)
        if filter is not None and filter.cycle is not None:
            if filter.cycle not in context.reference.cycles:
                raise BadUserInput("Unknown cycle.")
            query = query.where(
                _reviews.session_number.in_(
                    select(SessionTable.number).where(SessionTable.cycle_number == filter.cycle)
                )
            )
        return await paginate(
            context,
            query,
            NEWEST_FIRST,
            PageArgs(first, after, last, before),
            lambda row: Review.from_row(row, context.reference),
        )
