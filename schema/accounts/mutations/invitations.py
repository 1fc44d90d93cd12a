"""Inviting people into an organisation, and accepting an invitation.

An invitation is a one-time secret with an expiry, handed to the invitee out of band.
Whether an email already has an account is told only to the invitee (at acceptance),
never to the admin who invites.
"""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from strawberry.types import Info

from schema.accounts.authentication import authenticate
from schema.accounts.service import start_session
from schema.accounts.types import Invitation, RoleEnum, User
from schema.audit import organisation_chain, record
from schema.context import Context
from schema.db import new_id
from schema.errors import NotFound
from schema.node import uuid_key
from schema.payloads import UserError, conflict, invalid, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.accounts import Invitation as InvitationTable
from schema.tables.organisations import User as UserTable
from security import tokens
from security.passwords import password_problem
from security.policy import NotAllowed, may_assign, require_role
from security.roles import Role

_invitations = InvitationTable.__table__.c
_users = UserTable.__table__.c
INVALID_INVITATION = "This invitation is not valid (used, revoked or expired)."
TAKEN = "This email already has an account: sign in with it."
NAME_LENGTH = 200


@strawberry.type
class InvitePayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    invitation: Invitation | None = None
    token: str | None = strawberry.field(
        default=None,
        description="The invitation secret to hand to the invitee. Shown once.",
    )


@strawberry.type
class RevokeInvitationPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    ok: bool = False


@strawberry.type
class AcceptInvitationPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    token: str | None = strawberry.field(default=None, description="A session for the new user.")
    user: User | None = None


async def create_invitation(
    context: Context, organisation_id: uuid.UUID, email: str, role: Role
) -> InvitePayload:
    """The invitation row and its audit entry, in one transaction."""
    keys, now = context.services.keys, context.now()
    try:
        email_index = keys.email_index(email)
    except ValueError:
        raise invalid("email", "Not an email address.") from None
    secret = tokens.new_secret(tokens.INVITATION_PREFIX)
    key = new_id()
    async with context.write() as connection:
        await connection.execute(
            insert(InvitationTable).values(
                id=key,
                organisation_id=organisation_id,
                role=role,
                email_ciphertext=keys.seal(
                    email.strip(), "invitations", "email", key, organisation_id
                ),
                email_index=email_index,
                token_digest=tokens.digest(secret),
                invited_by_user_id=context.principal.user_id,
                created_at=now,
                expires_at=now + context.services.rules.invitation_lifetime,
                accepted_at=None,
                revoked_at=None,
            )
        )
        await record(
            connection,
            organisation_chain(organisation_id),
            "invitation.created",
            now,
            actor_user_id=context.principal.user_id,
            actor_organisation_id=context.principal.organisation_id,
            subject_type="Invitation",
            subject_id=key,
            details={"role": role.value},
        )
        row = (
            await connection.execute(
                select(InvitationTable.__table__).where(_invitations.id == key)
            )
        ).one()
    return InvitePayload(invitation=Invitation.from_row(row, keys), token=secret)


@reports_user_errors(InvitePayload)
async def invite_user(info: Info[Context, None], email: str, role: RoleEnum) -> InvitePayload:  # type: ignore[valid-type]
    """Organisation admins invite a person with a role no higher than their own."""
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    if not may_assign(context.principal, Role(role)):
        raise NotAllowed("You cannot hand out a role above your own.")
    return await create_invitation(context, organisation_id, email, Role(role))


async def revoke_invitation(
    info: Info[Context, None], invitation_id: strawberry.ID
) -> RevokeInvitationPayload:
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    key = uuid_key(expect_global_id(invitation_id, "Invitation"))
    async with context.write() as connection:
        result = await connection.execute(
            update(InvitationTable)
            .where(
                _invitations.id == key,
                _invitations.organisation_id == organisation_id,
                _invitations.accepted_at.is_(None),
                _invitations.revoked_at.is_(None),
            )
            .values(revoked_at=context.now())
        )
        if result.rowcount != 1:
            raise NotFound("No such open invitation.")
        await record(
            connection,
            organisation_chain(organisation_id),
            "invitation.revoked",
            context.now(),
            actor_user_id=context.principal.user_id,
            actor_organisation_id=organisation_id,
            subject_type="Invitation",
            subject_id=key,
        )
    return RevokeInvitationPayload(ok=True)


@reports_user_errors(AcceptInvitationPayload)
async def accept_invitation(
    info: Info[Context, None], token: str, name: str, password: str
) -> AcceptInvitationPayload:
    """The invitee names themselves and sets a password; the invitation is spent."""
    context = info.context
    keys, services, now = context.services.keys, context.services, context.now()
    if tokens.kind_of(token) != tokens.INVITATION_PREFIX:
        raise invalid("token", INVALID_INVITATION)
    rows = await context.fetch_all(
        select(
            InvitationTable.__table__,
            _users.active.label("inviter_active"),
            _users.role.label("inviter_role"),
        )
        .join(UserTable.__table__, _users.id == _invitations.invited_by_user_id)
        .where(_invitations.token_digest == tokens.digest(token))
    )
    invitation = rows[0] if rows else None
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or now >= invitation.expires_at
        # An invitation is only as good as its inviter is now: deactivated or demoted
        # since, they can no longer hand out that role.
        or not invitation.inviter_active
        or not Role(invitation.inviter_role).at_least(Role(invitation.role))
    ):
        raise invalid("token", INVALID_INVITATION)
    name = name.strip()
    if not 1 <= len(name) <= NAME_LENGTH:
        raise invalid("name", f"Give a name of 1 to {NAME_LENGTH} characters.")
    email = keys.open(
        invitation.email_ciphertext,
        "invitations",
        "email",
        invitation.id,
        invitation.organisation_id,
    )
    problem = password_problem(password, context=[email.partition("@")[0], name])
    if problem is not None:
        raise invalid("password", problem)
    user_id = new_id()
    organisation_id = invitation.organisation_id
    password_hash = services.passwords.hash(password)  # slow: outside the transaction
    try:
        async with context.write() as connection:
            taken = await connection.execute(
                select(_users.id).where(_users.email_index == invitation.email_index)
            )
            if taken.first() is not None:
                raise conflict(TAKEN, field="token")
            spent = await connection.execute(
                update(InvitationTable)
                .where(_invitations.id == invitation.id, _invitations.accepted_at.is_(None))
                .values(accepted_at=now)
            )
            if spent.rowcount != 1:
                raise invalid("token", INVALID_INVITATION)
            await connection.execute(
                insert(UserTable).values(
                    id=user_id,
                    organisation_id=organisation_id,
                    role=invitation.role,
                    name_ciphertext=keys.seal(name, "users", "name", user_id, organisation_id),
                    email_ciphertext=keys.seal(email, "users", "email", user_id, organisation_id),
                    email_index=invitation.email_index,
                    password_hash=password_hash,
                    active=True,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            await record(
                connection,
                organisation_chain(organisation_id),
                "user.joined",
                now,
                actor_user_id=user_id,
                actor_organisation_id=organisation_id,
                subject_type="User",
                subject_id=user_id,
                details={"role": invitation.role, "invitation": str(invitation.id)},
            )
            secret, _ = await start_session(connection, user_id, now, services.rules, False)
            user_row = (
                await connection.execute(select(UserTable.__table__).where(_users.id == user_id))
            ).one()
    except IntegrityError:  # the same email accepted at the same moment elsewhere
        raise conflict(TAKEN, field="token") from None
    context.signed_in_as(await authenticate(context, f"Bearer {secret}"))
    return AcceptInvitationPayload(token=secret, user=User.from_row(user_row, keys))
