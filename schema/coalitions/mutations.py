"""Coalition membership: create, invite, accept or decline, leave.

An organisation joins only by accepting an invitation; each join (and each departure)
is written to the audit chain of every member, so no one is added behind anyone's back.
"""

from __future__ import annotations

import dataclasses
import uuid

import strawberry
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info

from schema.audit import organisation_chain, record
from schema.coalitions.queries import coalitions_by_id
from schema.coalitions.types import Coalition
from schema.context import Context
from schema.db import new_id
from schema.errors import NotFound
from schema.node import uuid_key
from schema.payloads import UserError, conflict, invalid, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.organisations import Coalition as CoalitionTable
from schema.tables.organisations import CoalitionMembership, MembershipStatus
from schema.tables.organisations import Organisation as OrganisationTable
from security.policy import Viewer, directory_visible, require_role
from security.roles import Role

_coalitions = CoalitionTable.__table__.c
_memberships = CoalitionMembership.__table__.c


@strawberry.type
class CoalitionPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    coalition: Coalition | None = None


async def _status(
    connection: AsyncConnection, coalition: uuid.UUID, organisation: uuid.UUID
) -> MembershipStatus | None:
    row = (
        await connection.execute(
            select(_memberships.status).where(
                _memberships.coalition_id == coalition,
                _memberships.organisation_id == organisation,
            )
        )
    ).first()
    return MembershipStatus(row.status) if row else None


async def _tell_members(
    context: Context,
    connection: AsyncConnection,
    coalition: uuid.UUID,
    action: str,
    subject: uuid.UUID,
) -> None:
    """Record the event in the audit chain of every active member (and the subject's)."""
    members = await connection.execute(
        select(_memberships.organisation_id).where(
            _memberships.coalition_id == coalition,
            _memberships.status == MembershipStatus.ACTIVE,
        )
    )
    chains = {row.organisation_id for row in members} | {subject}
    for organisation in sorted(chains):
        await record(
            connection,
            organisation_chain(organisation),
            action,
            context.now(),
            actor_user_id=context.principal.user_id,
            actor_organisation_id=context.principal.organisation_id,
            subject_type="Coalition",
            subject_id=coalition,
            details={"organisation": str(subject)},
        )


async def _payload(context: Context, key: uuid.UUID) -> CoalitionPayload:
    (found,) = await coalitions_by_id(context, [key])
    return CoalitionPayload(coalition=found)


@reports_user_errors(CoalitionPayload)
async def create_coalition(
    info: Info[Context, None], name: str, description: str | None = None
) -> CoalitionPayload:
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    name = name.strip()
    if not 2 <= len(name) <= 200:
        raise invalid("name", "Give a name of 2 to 200 characters.")
    if description is not None and len(description) > 2000:
        raise invalid("description", "A description has at most 2,000 characters.")
    key, now = new_id(), context.now()
    try:
        async with context.write() as connection:
            await connection.execute(
                insert(CoalitionTable).values(
                    id=key,
                    name=name,
                    description=description,
                    created_by_organisation_id=organisation_id,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            await connection.execute(
                insert(CoalitionMembership).values(
                    id=new_id(),
                    coalition_id=key,
                    organisation_id=organisation_id,
                    status=MembershipStatus.ACTIVE,
                    invited_by_organisation_id=organisation_id,
                    joined_at=now,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            await _tell_members(context, connection, key, "coalition.created", organisation_id)
    except IntegrityError:
        raise conflict("Your organisation has a coalition of that name.", field="name") from None
    context.signed_in_as(_with_coalition(context, key, organisation_id))
    return await _payload(context, key)


@reports_user_errors(CoalitionPayload)
async def invite_to_coalition(
    info: Info[Context, None], coalition_id: strawberry.ID, organisation_id: strawberry.ID
) -> CoalitionPayload:
    """An admin of an active member invites another organisation."""
    context = info.context
    inviter = require_role(context.principal, Role.ORG_ADMIN)
    coalition = uuid_key(expect_global_id(coalition_id, "Coalition"))
    invitee = uuid_key(expect_global_id(organisation_id, "Organisation"))
    now = context.now()
    async with context.write() as connection:
        if await _status(connection, coalition, inviter) != MembershipStatus.ACTIVE:
            raise NotFound("No such coalition.")
        organisations = OrganisationTable.__table__.c
        seen = await connection.execute(
            select(organisations.id).where(
                organisations.id == invitee, directory_visible(organisations, context.viewer)
            )
        )
        if seen.first() is None:  # hidden answers exactly like missing
            raise NotFound("No such organisation.")
        current = await _status(connection, coalition, invitee)
        if current in {MembershipStatus.ACTIVE, MembershipStatus.INVITED}:
            raise conflict(
                "That organisation is already a member or invited.", field="organisationId"
            )
        if current is None:
            await connection.execute(
                insert(CoalitionMembership).values(
                    id=new_id(),
                    coalition_id=coalition,
                    organisation_id=invitee,
                    status=MembershipStatus.INVITED,
                    invited_by_organisation_id=inviter,
                    joined_at=None,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
        else:
            await _set_status(connection, coalition, invitee, MembershipStatus.INVITED, context)
            await connection.execute(
                update(CoalitionMembership)
                .where(
                    _memberships.coalition_id == coalition, _memberships.organisation_id == invitee
                )
                .values(invited_by_organisation_id=inviter, joined_at=None)
            )
        await _tell_members(context, connection, coalition, "coalition.invited", invitee)
    return await _payload(context, coalition)


@reports_user_errors(CoalitionPayload)
async def answer_coalition_invitation(
    info: Info[Context, None], coalition_id: strawberry.ID, accept: bool
) -> CoalitionPayload:
    """Only the invited organisation's admin decides whether it joins."""
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    coalition = uuid_key(expect_global_id(coalition_id, "Coalition"))
    async with context.write() as connection:
        if await _status(connection, coalition, organisation_id) != MembershipStatus.INVITED:
            raise NotFound("No such invitation.")
        status = MembershipStatus.ACTIVE if accept else MembershipStatus.DECLINED
        await _set_status(connection, coalition, organisation_id, status, context)
        action = "coalition.joined" if accept else "coalition.declined"
        await _tell_members(context, connection, coalition, action, organisation_id)
    if accept:
        context.signed_in_as(_with_coalition(context, coalition, organisation_id))
    return await _payload(context, coalition)


@reports_user_errors(CoalitionPayload)
async def leave_coalition(
    info: Info[Context, None], coalition_id: strawberry.ID
) -> CoalitionPayload:
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    coalition = uuid_key(expect_global_id(coalition_id, "Coalition"))
    async with context.write() as connection:
        if await _status(connection, coalition, organisation_id) != MembershipStatus.ACTIVE:
            raise NotFound("No such coalition.")
        await _tell_members(context, connection, coalition, "coalition.left", organisation_id)
        await _set_status(connection, coalition, organisation_id, MembershipStatus.LEFT, context)
    return CoalitionPayload()


async def _set_status(
    connection: AsyncConnection,
    coalition: uuid.UUID,
    organisation: uuid.UUID,
    status: MembershipStatus,
    context: Context,
) -> None:
    now = context.now()
    await connection.execute(
        update(CoalitionMembership)
        .where(_memberships.coalition_id == coalition, _memberships.organisation_id == organisation)
        .values(
            status=status,
            joined_at=now if status is MembershipStatus.ACTIVE else None,
            updated_at=now,
            version=_memberships.version + 1,
        )
    )


def _with_coalition(context: Context, coalition: uuid.UUID, organisation: uuid.UUID) -> Viewer:
    """The principal, now also a member of `coalition` (for the rest of this request)."""
    principal = context.principal
    return dataclasses.replace(
        principal,
        coalition_ids=principal.coalition_ids | {coalition},
        coalition_member_ids=principal.coalition_member_ids | {organisation},
    )
