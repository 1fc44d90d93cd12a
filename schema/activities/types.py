"""GraphQL types of activities and funding pledges.

Plain attributes are filled from the row and resolve synchronously; relations
(organisers, recommendations, pledges, review) through `schema.prefetch`: one statement
per relation. The pledged sum and the funding gap are derived from the pledges the
viewer may see, never from all.
"""

import dataclasses
import datetime as dt
import enum
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy import Row, RowMapping
from strawberry.types import Info

from schema.activities import loaders
from schema.activities.money import Money
from schema.coalitions.queries import coalitions_by_id
from schema.coalitions.types import Coalition
from schema.context import Context
from schema.followup.common import VisibilityEnum
from schema.organisations.types import Organisation, owner_of
from schema.prefetch import Relation, Resolved, related
from schema.prefetch import prefetch as prefetch_relations
from schema.recommendations.types import Recommendation
from schema.reference.types import State
from schema.relay import Node, to_global_id
from schema.reviews.loaders import reviews_by_id
from schema.reviews.types import Review
from schema.tables.followup import ActivityKind, PledgeStatus
from security.policy import visible


class ActivityStage(enum.StrEnum):
    UPCOMING = "UPCOMING"
    ONGOING = "ONGOING"
    HELD = "HELD"
    CANCELLED = "CANCELLED"


def activity_stage(
    starts_on: dt.date, ends_on: dt.date | None, cancelled: bool, today: dt.date
) -> ActivityStage:
    """Where an activity stands on `today` (the request clock's date, UTC)."""
    if cancelled:
        return ActivityStage.CANCELLED
    if starts_on > today:
        return ActivityStage.UPCOMING
    return ActivityStage.ONGOING if (ends_on or starts_on) >= today else ActivityStage.HELD


ActivityKindEnum = strawberry.enum(ActivityKind, name="ActivityKind")
PledgeStatusEnum = strawberry.enum(PledgeStatus, name="PledgeStatus")
ActivityStageEnum = strawberry.enum(
    ActivityStage,
    name="ActivityStage",
    description="UPCOMING: starts after today; ONGOING: today is within its dates; HELD: "
    "its last day is past; CANCELLED whatever its dates.",
)


@strawberry.type
class Shared(Node):
    """What activities and pledges share (not a GraphQL type of its own)."""

    key: strawberry.Private[uuid.UUID]
    coalition_key: strawberry.Private[uuid.UUID | None]
    visibility: VisibilityEnum  # type: ignore[valid-type]
    version: int = strawberry.field(description="Give it back to change this row.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="COALITION rows: the coalition, if you are in it.")
    async def coalition(self, info: Info[Context, None]) -> Coalition | None:
        if self.coalition_key is None:
            return None
        found: Coalition | None = await info.context.loader(coalitions_by_id).load(
            self.coalition_key
        )
        return found

    @staticmethod
    def shared_fields(type_name: str, columns: RowMapping) -> dict[str, Any]:
        return {
            "id": to_global_id(type_name, columns["row_id"]),
            "key": columns["row_id"],
            "coalition_key": columns["coalition_id"],
            "visibility": columns["visibility"],
            "version": columns["version"],
            "created_at": columns["created_at"],
            "updated_at": columns["updated_at"],
        }


@strawberry.type(description="Money an organisation pledges to an activity, or gave.")
class FundingPledge(Shared):
    activity_key: strawberry.Private[uuid.UUID]
    amount_minor: strawberry.Private[int]
    organisation: Organisation | None = strawberry.field(
        description="The organisation pledging (the only one that may change the pledge); "
        "null where the directory hides it from you (it has no public profile)."
    )
    amount: Money
    status: PledgeStatusEnum  # type: ignore[valid-type]

    @strawberry.field(
        description="The activity funded (a pledge shows only with it; null only in a "
        "mutation's answer to an API token that may not read it)."
    )
    async def activity(self, info: Info[Context, None]) -> "Activity | None":
        found: Activity | None = await info.context.loader(activities_by_id).load(self.activity_key)
        return found

    @classmethod
    def from_row(cls, row: Row[Any], context: Context) -> "FundingPledge":
        columns = row._mapping
        return cls(
            **cls.shared_fields("FundingPledge", columns),
            activity_key=columns["activity_id"],
            amount_minor=columns["amount_minor"],
            organisation=owner_of(columns, context),
            amount=Money.of(columns["amount_minor"], columns["currency"]),
            status=columns["status"],
        )


@strawberry.type(
    description="A follow-up activity: a pre-session, a workshop, a dialogue, a report. "
    "Its place is a city and a country, never a venue."
)
class Activity(Shared):
    review_key: strawberry.Private[uuid.UUID | None]
    budget_minor: strawberry.Private[int | None]
    currency: strawberry.Private[str | None]
    organisation: Organisation | None = strawberry.field(
        description="The organisation that recorded it (the only one that may change it); "
        "null where the directory hides it from you (it has no public profile)."
    )
    kind: ActivityKindEnum  # type: ignore[valid-type]
    title: str
    description: str | None
    starts_on: dt.date
    ends_on: dt.date | None = strawberry.field(description="The last day; none for one day.")
    city: str | None
    country: State | None
    budget: Money | None
    stage: ActivityStageEnum  # type: ignore[valid-type]
    cancelled_at: dt.datetime | None
    prefetched: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @strawberry.field(description="The review it follows up, if any.", graphql_type=Review | None)
    def review(self, info: Info[Context, None]) -> Resolved[Review | None]:
        return None if self.review_key is None else self._related(info, "review")

    @strawberry.field(
        description="The organisations running it, by name (the owner among them).",
        graphql_type=list[Organisation],
    )
    def organisers(self, info: Info[Context, None]) -> Resolved[list[Organisation]]:
        return self._related(info, "organisers")

    @strawberry.field(
        description="The recommendations it works on.", graphql_type=list[Recommendation]
    )
    def recommendations(self, info: Info[Context, None]) -> Resolved[list[Recommendation]]:
        return self._related(info, "recommendations")

    @strawberry.field(
        description="The pledges you may see, in the order they were made.",
        graphql_type=list[FundingPledge],
    )
    def pledges(self, info: Info[Context, None]) -> Resolved[list[FundingPledge]]:
        return self._related(info, "pledges")

    @strawberry.field(
        description="What the pledges you may see give, pledged or received, in the "
        "budget's currency (pledges in another currency do not count). None without a "
        "budget.",
        graphql_type=Money | None,
    )
    def pledged(self, info: Info[Context, None]) -> Resolved[Money | None]:
        return self._funding(info, Money.of)

    @strawberry.field(
        description="The budget less `pledged`, never below zero. None without a budget.",
        graphql_type=Money | None,
    )
    def funding_gap(self, info: Info[Context, None]) -> Resolved[Money | None]:
        budget = self.budget_minor or 0
        return self._funding(
            info, lambda covered, currency: Money.of(max(budget - covered, 0), currency)
        )

    def _funding(
        self, info: Info[Context, None], money: Callable[[int, str], Money]
    ) -> Resolved[Money | None]:
        currency = self.currency
        if currency is None:
            return None

        def derive(pledges: list[FundingPledge]) -> Money:
            covered = sum(p.amount_minor for p in pledges if p.amount.currency == currency)
            return money(covered, currency)

        return self._related(info, "pledges", derive)

    def _related(
        self, info: Info[Context, None], field: str, then: Callable[[Any], Any] = lambda v: v
    ) -> Resolved[Any]:
        return related(self, info.context, field, RELATIONS[field], then)

    @classmethod
    def from_row(cls, row: Row[Any], context: Context) -> "Activity":
        columns = row._mapping
        reference = context.reference
        budget = None
        if columns["budget_minor"] is not None:
            budget = Money.of(columns["budget_minor"], columns["currency"])
        return cls(
            **cls.shared_fields("Activity", columns),
            review_key=columns["review_id"],
            budget_minor=columns["budget_minor"],
            currency=columns["currency"],
            organisation=owner_of(columns, context),
            kind=columns["activity_kind"],
            title=columns["title"],
            description=columns["description"],
            starts_on=columns["starts_on"],
            ends_on=columns["ends_on"],
            city=columns["city"],
            country=reference.states[columns["place_code"]] if columns["place_code"] else None,
            budget=budget,
            stage=activity_stage(
                columns["starts_on"],
                columns["ends_on"],
                columns["cancelled_at"] is not None,
                today(context),
            ),
            cancelled_at=columns["cancelled_at"],
        )


def today(context: Context) -> dt.date:
    """The request clock's date (UTC): what "upcoming", "held" and "due" are relative to."""
    return context.now().astimezone(dt.UTC).date()


async def organisers_by_activity(
    context: Context, keys: list[uuid.UUID]
) -> list[list[Organisation]]:
    grouped = await loaders.organiser_rows(context, keys)
    return [
        [Organisation.from_row(row, context.reference) for row in grouped.get(key, [])]
        for key in keys
    ]


async def recommendations_by_activity(
    context: Context, keys: list[uuid.UUID]
) -> list[list[Recommendation]]:
    grouped = await loaders.recommendation_rows(context, keys)
    return [
        [Recommendation.from_row(row, context.reference) for row in grouped.get(key, [])]
        for key in keys
    ]


async def pledges_by_activity(context: Context, keys: list[uuid.UUID]) -> list[list[FundingPledge]]:
    grouped = await loaders.pledge_rows(context, keys)
    return [[FundingPledge.from_row(row, context) for row in grouped.get(key, [])] for key in keys]


def _own_key(activity: Activity) -> uuid.UUID:
    return activity.key


RELATIONS: dict[str, Relation[Activity]] = {
    "review": Relation(reviews_by_id, lambda activity: activity.review_key),
    "organisers": Relation(organisers_by_activity, _own_key),
    "recommendations": Relation(recommendations_by_activity, _own_key),
    "pledges": Relation(pledges_by_activity, _own_key),
}
# The relation each field reads: the derived sums read the pledges.
_READS = {name: name for name in RELATIONS} | {"pledged": "pledges", "fundingGap": "pledges"}


async def prefetch(context: Context, found: list[Activity], fields: set[str]) -> None:
    """Fetch the selected relations of a page of activities, one statement each."""
    names = {_READS[field] for field in fields & _READS.keys()}
    await prefetch_relations(context, found, RELATIONS, names)


async def activities_by_id(context: Context, keys: list[uuid.UUID]) -> list[Activity | None]:
    rows = await context.fetch_all(
        loaders.activity_select().where(
            loaders.activities.c.id.in_(keys), visible(loaders.activities.c, context.viewer)
        )
    )
    found = {row.row_id: Activity.from_row(row, context) for row in rows}
    return [found.get(key) for key in keys]


async def pledges_by_id(context: Context, keys: list[uuid.UUID]) -> list[FundingPledge | None]:
    rows = await context.fetch_all(
        loaders.pledge_select().where(
            loaders.pledges.c.id.in_(keys), loaders.pledge_visible(context.viewer)
        )
    )
    found = {row.row_id: FundingPledge.from_row(row, context) for row in rows}
    return [found.get(key) for key in keys]


async def timeline_activities(context: Context, keys: list[uuid.UUID]) -> list[list[Activity]]:
    """What review timelines show, for many reviews in one statement: the activities on
    each that the viewer may see, not cancelled, of a milestone's kind; by date."""
    c = loaders.activities.c
    rows = await context.fetch_all(
        loaders.activity_select()
        .where(
            c.review_id.in_(keys),
            visible(c, context.viewer),
            c.cancelled_at.is_(None),
            c.kind != ActivityKind.OTHER,
        )
        .order_by(c.starts_on, c.id)
    )
    grouped: dict[uuid.UUID, list[Activity]] = defaultdict(list)
    for row in rows:
        grouped[row.review_id].append(Activity.from_row(row, context))
    return [grouped.get(key, []) for key in keys]
