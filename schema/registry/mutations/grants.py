"""Reveal grants: an org admin's explicit permission for one user to reveal, search and
share the organisation's contacts. Holders must use a second factor."""

from __future__ import annotations

import strawberry
from sqlalchemy import insert, select, update
from strawberry.types import Info

from schema.accounts.service import target_user
from schema.accounts.types import User
from schema.audit import organisation_chain, record
from schema.context import Context
from schema.db import new_id
from schema.node import uuid_key
from schema.payloads import UserError, conflict, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.accounts import RevealGrant
from schema.tables.organisations import User as UserTable
from security.policy import NotAllowed, require_fresh_second_factor, require_role
from security.roles import Role

_grants = RevealGrant.__table__.c


@strawberry.type
class RevealGrantPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    user: User | None = None
    holds_grant: bool = False


async def _change(
    info: Info[Context, None], user_id: strawberry.ID, grant: bool
) -> RevealGrantPayload:
    context = info.context
    principal = context.principal
    organisation = require_role(principal, Role.ORG_ADMIN)
    require_fresh_second_factor(principal, context.now())
    if principal.government:
        raise NotAllowed("A government organisation keeps no registry.")
    key = uuid_key(expect_global_id(user_id, "User"))
    now = context.now()
    async with context.write() as connection:
        target = await target_user(connection, key, organisation)
        live = (
            await connection.execute(
                select(_grants.id).where(_grants.user_id == target.id, _grants.revoked_at.is_(None))
            )
        ).first()
        if grant != (live is None):
            held = "holds a reveal grant already" if grant else "holds no reveal grant"
            raise conflict(f"This user {held}.", field="userId")
        if live is None:
            await connection.execute(
                insert(RevealGrant).values(
                    id=new_id(),
                    organisation_id=organisation,
                    user_id=target.id,
                    granted_by_user_id=principal.user_id,
                    created_at=now,
                    revoked_at=None,
                )
            )
        else:
            await connection.execute(
                update(RevealGrant).where(_grants.id == live.id).values(revoked_at=now)
            )
        await record(
            connection,
            organisation_chain(organisation),
            "reveal-grant.granted" if grant else "reveal-grant.revoked",
            now,
            actor_user_id=principal.user_id,
            actor_organisation_id=organisation,
            subject_type="User",
            subject_id=target.id,
        )
        row = (
            await connection.execute(select(UserTable.__table__).where(UserTable.id == target.id))
        ).one()
    return RevealGrantPayload(user=User.from_row(row, context.services.keys), holds_grant=grant)


@reports_user_errors(RevealGrantPayload)
async def grant_reveal(info: Info[Context, None], user_id: strawberry.ID) -> RevealGrantPayload:
    """Admins, with a fresh second factor; the holder must then enrol one too."""
    return await _change(info, user_id, grant=True)


@reports_user_errors(RevealGrantPayload)
async def revoke_reveal(info: Info[Context, None], user_id: strawberry.ID) -> RevealGrantPayload:
    """Effective on the holder's next request."""
    return await _change(info, user_id, grant=False)
