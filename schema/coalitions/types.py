"""GraphQL types of coalitions."""

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

import strawberry
from sqlalchemy import Row, select
from strawberry.types import Info

from schema.context import Context
from schema.organisations.types import ORGANISATION_COLUMNS, Organisation
from schema.relay import Node, to_global_id
from schema.tables.organisations import CoalitionMembership, MembershipStatus, OrganisationKind
from schema.tables.organisations import Organisation as OrganisationTable

MembershipStatusEnum = strawberry.enum(MembershipStatus, name="MembershipStatus")
_memberships = CoalitionMembership.__table__.c
_organisations = OrganisationTable.__table__.c


@strawberry.type(description="An organisation in a coalition, as its members see it.")
class CoalitionMember:
    organisation: Organisation
    status: MembershipStatusEnum  # type: ignore[valid-type]
    joined_at: dt.datetime | None
    government: bool = strawberry.field(
        description="A government organisation: flagged to every member."
    )


@strawberry.type(description="Organisations that share work among themselves.")
class Coalition(Node):
    key: strawberry.Private[uuid.UUID]
    name: str
    description: str | None
    my_status: MembershipStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="Your organisation's membership."
    )

    @strawberry.field(
        description="The active members, shown to active members only (an invited "
        "organisation appears once it accepts)."
    )
    async def members(self, info: Info[Context, None]) -> list[CoalitionMember]:
        if self.my_status != MembershipStatus.ACTIVE:
            return []
        found: list[CoalitionMember] = await info.context.loader(members_of).load(self.key)
        return found

    @strawberry.field(
        description="Whether a government organisation is an active member: told to "
        "invited organisations too, before they decide."
    )
    async def government_member(self, info: Info[Context, None]) -> bool:
        found: bool = await info.context.loader(government_members).load(self.key)
        return found

    @classmethod
    def from_row(cls, row: Row[Any]) -> "Coalition":
        return cls(
            id=to_global_id("Coalition", row.id),
            key=row.id,
            name=row.name,
            description=row.description,
            my_status=MembershipStatus(row.status),
        )


async def members_of(context: Context, keys: list[uuid.UUID]) -> list[list[CoalitionMember]]:
    """The members of several coalitions in one statement."""
    rows = await context.fetch_all(
        select(
            *ORGANISATION_COLUMNS,
            _memberships.coalition_id,
            _memberships.status,
            _memberships.joined_at,
        )
        .join(CoalitionMembership.__table__, _memberships.organisation_id == _organisations.id)
        .where(
            _memberships.coalition_id.in_(keys),
            _memberships.status == MembershipStatus.ACTIVE,
        )
        .order_by(_organisations.name)
    )
    grouped: dict[uuid.UUID, list[CoalitionMember]] = defaultdict(list)
    for row in rows:
        grouped[row.coalition_id].append(
            CoalitionMember(
                organisation=Organisation.from_row(row, context.reference),
                status=MembershipStatus(row.status),
                joined_at=row.joined_at,
                government=row.kind == OrganisationKind.GOVERNMENT,
            )
        )
    return [grouped.get(key, []) for key in keys]


async def government_members(context: Context, keys: list[uuid.UUID]) -> list[bool]:
    """Which of these coalitions have a government among their active members."""
    rows = await context.fetch_all(
        select(_memberships.coalition_id)
        .join(OrganisationTable.__table__, _organisations.id == _memberships.organisation_id)
        .where(
            _memberships.coalition_id.in_(keys),
            _memberships.status == MembershipStatus.ACTIVE,
            _organisations.kind == OrganisationKind.GOVERNMENT,
        )
    )
    with_government = {row.coalition_id for row in rows}
    return [key in with_government for key in keys]
