"""Queries about accounts: the signed-in user, the organisation's users, sessions,
API tokens and invitations. Users see their own organisation only; API tokens see
none of it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import strawberry
from sqlalchemy import ColumnElement, or_, select
from strawberry.types import Info

from schema.accounts.types import ApiToken, Invitation, LoginSession, Me, SecondFactorStatus, User
from schema.batch import fetch_by_keys
from schema.context import Context
from schema.node import register_node, uuid_key
from schema.pagination import Ordering, PageArgs, SortKey, paginate
from schema.relay import After, Before, Connection, First, Last
from schema.tables import accounts
from schema.tables.organisations import User as UserTable
from security.policy import (
    STEP_UP_WINDOW,
    Viewer,
    manageable_roles,
    require_role,
    require_user,
    users_visible,
)
from security.roles import SECOND_FACTOR_ROLES, Role

_users = UserTable.__table__.c
_sessions = accounts.UserSession.__table__.c
_tokens = accounts.ApiToken.__table__.c
_invitations = accounts.Invitation.__table__.c

USERS_AS_ADDED = Ordering("users:added", (SortKey(_users.id, uuid.UUID),))
NEWEST_SESSIONS = Ordering("sessions:newest", (SortKey(_sessions.id, uuid.UUID, descending=True),))
NEWEST_TOKENS = Ordering("tokens:newest", (SortKey(_tokens.id, uuid.UUID, descending=True),))
NEWEST_INVITATIONS = Ordering(
    "invitations:newest", (SortKey(_invitations.id, uuid.UUID, descending=True),)
)


async def users_by_id(context: Context, keys: list[uuid.UUID]) -> Sequence[User | None]:
    return await fetch_by_keys(
        context,
        select(UserTable.__table__).where(users_visible(_users, context.principal)),
        _users.id,
        keys,
        lambda row: User.from_row(row, context.services.keys),
    )


register_node("User", users_by_id, uuid_key)


async def sessions_by_id(context: Context, keys: list[uuid.UUID]) -> Sequence[LoginSession | None]:
    """Your own sessions; for organisation admins, those of the users they manage."""
    principal = context.principal
    if principal.user_id is None:
        return [None] * len(keys)
    managed = select(_users.id).where(
        _users.organisation_id == principal.organisation_id,
        _users.role.in_(manageable_roles(principal)),
    )
    admin = principal.role is not None and principal.role.at_least(Role.ORG_ADMIN)
    mine = _sessions.user_id == principal.user_id
    query = select(accounts.UserSession.__table__).where(
        or_(mine, _sessions.user_id.in_(managed))
        if admin and not principal.enrolment_pending
        else mine
    )
    current = principal.session_id
    return await fetch_by_keys(
        context, query, _sessions.id, keys, lambda row: LoginSession.from_row(row, current)
    )


def _administered(principal: Viewer) -> uuid.UUID | None:
    """The organisation a signed-in admin administers, if any (no error: node answers null)."""
    if (
        principal.user_id is None
        or principal.enrolment_pending
        or principal.role is None
        or not principal.role.at_least(Role.ORG_ADMIN)
    ):
        return None
    return principal.organisation_id


async def api_tokens_by_id(context: Context, keys: list[uuid.UUID]) -> Sequence[ApiToken | None]:
    organisation = _administered(context.principal)
    query = select(accounts.ApiToken.__table__).where(_tokens.organisation_id == organisation)
    return await fetch_by_keys(context, query, _tokens.id, keys, ApiToken.from_row)


async def invitations_by_id(context: Context, keys: list[uuid.UUID]) -> Sequence[Invitation | None]:
    organisation = _administered(context.principal)
    query = select(accounts.Invitation.__table__).where(
        _invitations.organisation_id == organisation
    )
    return await fetch_by_keys(
        context,
        query,
        _invitations.id,
        keys,
        lambda row: Invitation.from_row(row, context.services.keys),
    )


register_node("LoginSession", sessions_by_id, uuid_key)
register_node("ApiToken", api_tokens_by_id, uuid_key)
register_node("Invitation", invitations_by_id, uuid_key)


def live_sessions(now: dt.datetime, idle: dt.timedelta) -> list[ColumnElement[bool]]:
    return [
        _sessions.revoked_at.is_(None),
        _sessions.expires_at > now,
        _sessions.last_seen_at > now - idle,
    ]


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in user; null for anonymous clients and tokens.")
    async def me(self, info: Info[Context, None]) -> Me | None:
        context, principal = info.context, info.context.principal
        if principal.user_id is None:
            return None
        rows = await context.fetch_all(
            select(UserTable.__table__).where(_users.id == principal.user_id)
        )
        user = User.from_row(rows[0], context.services.keys)
        fresh = principal.second_factor_at
        return Me(
            user=user,
            organisation_key=user.organisation_key,
            second_factor=SecondFactorStatus(
                enrolled=user.second_factor_enrolled,
                required=context.services.rules.require_second_factor
                and user.role in SECOND_FACTOR_ROLES,
                fresh_until=fresh + STEP_UP_WINDOW if fresh else None,
            ),
        )

    @strawberry.field(description="The users of your organisation.")
    async def users(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[User]:
        context = info.context
        require_user(context.principal)
        query = select(UserTable.__table__).where(users_visible(_users, context.principal))
        return await paginate(
            context,
            query,
            USERS_AS_ADDED,
            PageArgs(first, after, last, before),
            lambda row: User.from_row(row, context.services.keys),
        )

    @strawberry.field(description="Your own live sessions, newest first.")
    async def my_sessions(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LoginSession]:
        context = info.context
        user_id = require_user(context.principal, allow_pending_enrolment=True)
        query = select(accounts.UserSession.__table__).where(
            _sessions.user_id == user_id,
            *live_sessions(context.now(), context.services.rules.session_idle),
        )
        current = context.principal.session_id
        return await paginate(
            context,
            query,
            NEWEST_SESSIONS,
            PageArgs(first, after, last, before),
            lambda row: LoginSession.from_row(row, current),
        )

    @strawberry.field(description="Organisation admins: every live session of your users.")
    async def organisation_sessions(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LoginSession]:
        context = info.context
        organisation_id = require_role(context.principal, Role.ORG_ADMIN)
        members = select(_users.id).where(
            _users.organisation_id == organisation_id,
            _users.role.in_(manageable_roles(context.principal)),
        )
        query = select(accounts.UserSession.__table__).where(
            _sessions.user_id.in_(members),
            *live_sessions(context.now(), context.services.rules.session_idle),
        )
        current = context.principal.session_id
        return await paginate(
            context,
            query,
            NEWEST_SESSIONS,
            PageArgs(first, after, last, before),
            lambda row: LoginSession.from_row(row, current),
        )

    @strawberry.field(description="Organisation admins: the organisation's API tokens.")
    async def api_tokens(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ApiToken]:
        context = info.context
        organisation_id = require_role(context.principal, Role.ORG_ADMIN)
        query = select(accounts.ApiToken.__table__).where(
            _tokens.organisation_id == organisation_id
        )
        return await paginate(
            context, query, NEWEST_TOKENS, PageArgs(first, after, last, before), ApiToken.from_row
        )

    @strawberry.field(description="Organisation admins: invitations to your organisation.")
    async def invitations(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Invitation]:
        context = info.context
        organisation_id = require_role(context.principal, Role.ORG_ADMIN)
        query = select(accounts.Invitation.__table__).where(
            _invitations.organisation_id == organisation_id
        )
        return await paginate(
            context,
            query,
            NEWEST_INVITATIONS,
            PageArgs(first, after, last, before),
            lambda row: Invitation.from_row(row, context.services.keys),
        )
