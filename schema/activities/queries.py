"""Queries over activities: the ones the viewer may see, by date."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, Select, and_, or_, select
from strawberry.types import Info

from schema.activities import loaders
from schema.activities.types import (
    Activity,
    ActivityKindEnum,
    ActivityStage,
    ActivityStageEnum,
    activities_by_id,
    pledges_by_id,
    prefetch,
    today,
)
from schema.context import Context
from schema.errors import BadUserInput
from schema.filters import state_code
from schema.lookahead import connection_node_fields
from schema.node import register_node, uuid_key
from schema.pagination import Ordering, PageArgs, SortKey, paginate
from schema.relay import After, Before, Connection, First, Last, expect_global_id
from schema.tables.followup import ActivityKind
from schema.tables.reviews import Review
from security.policy import visible

_a = loaders.activities.c
BY_DATE = Ordering(
    "activities:dates",
    (SortKey(_a.starts_on, dt.date), SortKey(loaders.ACTIVITY_KEY, uuid.UUID)),
)

register_node("Activity", activities_by_id, uuid_key)
register_node("FundingPledge", pledges_by_id, uuid_key)


@strawberry.input(description="Narrows a list of activities; every field given must match.")
class ActivityFilter:
    state: str | None = strawberry.field(
        default=None,
        description="ISO 3166-1 code of the state it concerns: the state of its review, or "
        "(without one) where it takes place.",
    )
    stage: ActivityStageEnum | None = None  # type: ignore[valid-type]
    review: strawberry.ID | None = None
    kind: ActivityKindEnum | None = None  # type: ignore[valid-type]
    from_: dt.date | None = strawberry.field(
        default=None, name="from", description="Taking place on or after this day."
    )
    until: dt.date | None = strawberry.field(
        default=None, description="Taking place on or before this day."
    )
    not_yet_funded: bool | None = strawberry.field(
        default=None,
        description="True: a budget the pledges you may see do not cover yet; false: one "
        "they cover. Activities without a budget match neither.",
    )


def in_stage(state: ActivityStage, on: dt.date) -> ColumnElement[bool]:
    """The SQL of `types.activity_stage`."""
    if state is ActivityStage.CANCELLED:
        return _a.cancelled_at.is_not(None)
    live = _a.cancelled_at.is_(None)
    if state is ActivityStage.UPCOMING:
        return and_(live, _a.starts_on > on)
    if state is ActivityStage.ONGOING:
        return and_(live, _a.starts_on <= on, loaders.last_day() >= on)
    return and_(live, loaders.last_day() < on)


def concerns(state: str) -> ColumnElement[bool]:
    """Activities on a review of `state`, or without a review, taking place there."""
    reviews = Review.__table__.c
    of_state = select(reviews.id).where(reviews.state_code == state)
    return or_(_a.review_id.in_(of_state), and_(_a.review_id.is_(None), _a.country_code == state))


def apply_filter(query: Select[Any], context: Context, given: ActivityFilter) -> Select[Any]:
    if given.state is not None:
        query = query.where(concerns(state_code(context.reference, given.state)))
    if given.stage is not None:
        query = query.where(in_stage(ActivityStage(given.stage), today(context)))
    if given.review is not None:
        query = query.where(_a.review_id == uuid_key(expect_global_id(given.review, "Review")))
    if given.kind is not None:
        query = query.where(_a.kind == ActivityKind(given.kind))
    if given.from_ is not None and given.until is not None and given.from_ > given.until:
        raise BadUserInput("`from` must not be after `until`.")
    if given.from_ is not None:
        query = query.where(loaders.last_day() >= given.from_)
    if given.until is not None:
        query = query.where(_a.starts_on <= given.until)
    if given.not_yet_funded is not None:
        query = query.where(loaders.not_yet_funded(context.viewer, given.not_yet_funded))
    return query


@strawberry.type
class ActivityQuery:
    @strawberry.field(description="The activities you may see, by first day.")
    async def activities(
        self,
        info: Info[Context, None],
        filter: ActivityFilter | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Activity]:
        context = info.context
        query = loaders.activity_select().where(visible(_a, context.viewer))
        if filter is not None:
            query = apply_filter(query, context, filter)
        connection = await paginate(
            context,
            query,
            BY_DATE,
            PageArgs(first, after, last, before),
            lambda row: Activity.from_row(row, context),
        )
        await prefetch(
            context, [edge.node for edge in connection.edges], connection_node_fields(info)
        )
        return connection
