"""Activity and pledge inputs, checked without echoing what was sent. The first
problem found is the payload's userError; ids the writer may not see are NOT_FOUND."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import strawberry
from sqlalchemy import ColumnElement, or_, select, true

from schema.activities.money import MoneyInput, to_minor
from schema.activities.types import ActivityKindEnum, PledgeStatusEnum
from schema.context import Context
from schema.errors import BadUserInput, NotFound
from schema.filters import state_code
from schema.followup.common import EARLIEST, VisibilityEnum, sharing, text
from schema.node import uuid_key
from schema.payloads import invalid
from schema.relay import expect_global_id
from schema.tables.followup import ActivityKind, PledgeStatus
from schema.tables.organisations import CoalitionMembership, MembershipStatus, Organisation
from schema.tables.recommendations import Recommendation
from schema.tables.reviews import Review
from security.policy import directory_visible
from security.sharing import Visibility

TITLE_LIMIT, DESCRIPTION_LIMIT, CITY_LIMIT = 300, 5000, 100
MAX_ORGANISERS, MAX_RECOMMENDATIONS = 20, 100
# Ten years ahead is past any plan (and any typo).
HORIZON = dt.timedelta(days=3653)


@strawberry.input(description="An activity; updates replace every field.")
class ActivityInput:
    kind: ActivityKindEnum  # type: ignore[valid-type]
    title: str
    starts_on: dt.date
    visibility: VisibilityEnum  # type: ignore[valid-type]
    ends_on: dt.date | None = strawberry.field(default=None, description="For several days.")
    description: str | None = None
    review_id: strawberry.ID | None = strawberry.field(
        default=None, description="The review it follows up."
    )
    city: str | None = strawberry.field(
        default=None, description="The city only: never a venue or an address."
    )
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 code.")
    budget: MoneyInput | None = None
    organisers: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Organisations running it with yours (yours is always one).",
    )
    recommendations: list[strawberry.ID] = strawberry.field(default_factory=list)
    coalition_id: strawberry.ID | None = strawberry.field(
        default=None, description="With COALITION visibility: one of your coalitions."
    )


@strawberry.input(description="A pledge; updates replace every field.")
class PledgeInput:
    amount: MoneyInput = strawberry.field(description="In the activity's budget currency.")
    visibility: VisibilityEnum  # type: ignore[valid-type]
    status: PledgeStatusEnum = PledgeStatus.PLEDGED  # type: ignore[valid-type]
    coalition_id: strawberry.ID | None = None


@dataclass(frozen=True, slots=True)
class CheckedActivity:
    values: dict[str, object]  # the activities columns
    organisers: list[uuid.UUID]  # the owner first
    recommendations: list[uuid.UUID]


async def check_activity(
    context: Context, owner: uuid.UUID, given: ActivityInput
) -> CheckedActivity:
    """Every field checked; ids last, so a bad field costs no statement."""
    title = text("title", given.title, TITLE_LIMIT, required=True)
    description = text("description", given.description, DESCRIPTION_LIMIT)
    starts_on, ends_on = _dates(context, given.starts_on, given.ends_on)
    budget, currency = (
        to_minor("budget", given.budget, positive=False) if given.budget else (None, None)
    )
    visibility = Visibility(given.visibility)
    values: dict[str, object] = {
        "kind": ActivityKind(given.kind),
        "title": title,
        "description": description,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "city": _city(given.city),
        "country_code": _country(context, given.country),
        "budget_minor": budget,
        "currency": currency,
        "visibility": visibility,
        "coalition_id": sharing(context, visibility, given.coalition_id),
        "review_id": await _review(context, given.review_id),
    }
    return CheckedActivity(
        values,
        await _organisers(context, owner, given.organisers, values),
        await _recommendations(context, given.recommendations),
    )


def check_pledge(
    context: Context, given: PledgeInput, activity_currency: str | None
) -> dict[str, object]:
    """The checked columns of a pledge: in the activity's currency, if it has a budget."""
    amount, currency = to_minor("amount", given.amount, positive=True)
    if activity_currency is not None and currency != activity_currency:
        raise invalid("amount.currency", "Pledge in the currency of the activity's budget.")
    visibility = Visibility(given.visibility)
    return {
        "amount_minor": amount,
        "currency": currency,
        "status": PledgeStatus(given.status),
        "visibility": visibility,
        "coalition_id": sharing(context, visibility, given.coalition_id),
    }


def _dates(
    context: Context, starts_on: dt.date, ends_on: dt.date | None
) -> tuple[dt.date, dt.date | None]:
    if starts_on < EARLIEST or starts_on > context.now().date() + HORIZON:
        raise invalid("startsOn", "Give a day from 2008 to ten years from now.")
    if ends_on is not None and ends_on < starts_on:
        raise invalid("endsOn", "An activity cannot end before it starts.")
    if ends_on is not None and ends_on > context.now().date() + HORIZON:
        raise invalid("endsOn", "Give a day up to ten years from now.")
    return starts_on, ends_on


def _city(value: str | None) -> str | None:
    city = text("city", value, CITY_LIMIT)
    # Street addresses and venues carry numbers or several parts; city names do not.
    if city is not None and (any(c.isdigit() for c in city) or "\n" in city or "," in city):
        raise invalid("city", "Give the city only, never a venue or an address.")
    return city


def _country(context: Context, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return state_code(context.reference, value.strip())
    except BadUserInput:
        raise invalid("country", "Unknown state code.") from None


def _keys(ids: Sequence[str], type_name: str, field: str, limit: int) -> list[uuid.UUID]:
    if len(ids) > limit:
        raise invalid(field, f"At most {limit} {field}.")
    try:
        return list(dict.fromkeys(uuid_key(expect_global_id(i, type_name)) for i in ids))
    except BadUserInput:
        raise invalid(field, f"Give {type_name} ids.") from None


async def _review(context: Context, review_id: strawberry.ID | None) -> uuid.UUID | None:
    """A review (public data), or NOT_FOUND."""
    if review_id is None:
        return None
    (key,) = _keys([review_id], "Review", "reviewId", 1)
    c = Review.__table__.c
    if await context.fetch_scalar(select(c.id).where(c.id == key)) is None:
        raise NotFound("No such review.")
    return key


async def _organisers(
    context: Context, owner: uuid.UUID, ids: Sequence[str], values: dict[str, object]
) -> list[uuid.UUID]:
    """The owner, then organisations the writer may see in the directory (one it may not
    see is NOT_FOUND, like one that does not exist) and that every reader of the row
    may see there too: naming an organisation never publishes more of the directory
    than it opted into (a public profile), nor shows a coalition an outsider."""
    keys = [key for key in _keys(ids, "Organisation", "organisers", MAX_ORGANISERS) if key != owner]
    if not keys:
        return [owner]
    c, m = Organisation.__table__.c, CoalitionMembership.__table__.c
    shown: ColumnElement[bool] = true()
    if values["visibility"] is Visibility.PUBLIC:
        shown = c.public_profile == true()
    elif values["visibility"] is Visibility.COALITION:
        members = select(m.organisation_id).where(
            m.coalition_id == values["coalition_id"], m.status == MembershipStatus.ACTIVE
        )
        shown = or_(c.public_profile == true(), c.id.in_(members))
    found = await context.fetch_all(
        select(c.id, shown.label("shown")).where(
            c.id.in_(keys), directory_visible(c, context.viewer)
        )
    )
    if len(found) != len(keys):
        raise NotFound("No such organisation.")
    if not all(row.shown for row in found):
        raise invalid(
            "organisers",
            "Name only organisations its readers may see: on a PUBLIC activity, those "
            "with a public profile; on a COALITION one, also the coalition's members.",
        )
    return [owner, *keys]


async def _recommendations(context: Context, ids: Sequence[str]) -> list[uuid.UUID]:
    keys = _keys(ids, "Recommendation", "recommendations", MAX_RECOMMENDATIONS)
    if keys:
        c = Recommendation.__table__.c
        found = await context.fetch_all(select(c.id).where(c.id.in_(keys)))
        if len(found) != len(keys):
            raise NotFound("No such recommendation.")
    return keys
