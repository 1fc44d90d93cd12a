"""From an `Authorization: Bearer` header to the request's principal.

A session or API token that is malformed, unknown, expired or revoked is refused
outright (UNAUTHENTICATED): a client that sent credentials is never silently served
as anonymous. Last-use times are written at most once a minute.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Row, Select, and_, bindparam, select, update

from schema.batch import position
from schema.context import Context
from schema.tables.accounts import ApiToken, RevealGrant, UserSession
from schema.tables.organisations import (
    CoalitionMembership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    User,
)
from security import tokens
from security.policy import ANONYMOUS, NotAuthenticated, Viewer
from security.roles import SECOND_FACTOR_ROLES, Role, Scope

LAST_USE_RESOLUTION = dt.timedelta(minutes=1)
INVALID = "Invalid or expired credentials."

_sessions = UserSession.__table__.c
_tokens = ApiToken.__table__.c
_users = User.__table__.c
_organisations = Organisation.__table__.c
_grants = RevealGrant.__table__.c

# Built once, run with the request's values: statement construction showed in profiles
# of every authenticated request.
_DIGEST: BindParameter[bytes] = bindparam("credential_digest")
_ORGANISATION: BindParameter[uuid.UUID] = bindparam("member_organisation_id")
_memberships = CoalitionMembership.__table__.c
_mine = CoalitionMembership.__table__.alias("my_membership")
_theirs = CoalitionMembership.__table__.alias("coalition_member")


def _with_coalitions(query: Select[Any]) -> Select[Any]:
    """The credential's row once per active member of each coalition its organisation is
    an active member of (once, with nulls, when there is none): the viewer in one
    statement rather than two, on every authenticated request."""
    active = MembershipStatus.ACTIVE
    return (
        query.add_columns(
            _theirs.c.coalition_id.label("coalition_id"),
            _theirs.c.organisation_id.label("member_id"),
        )
        .outerjoin(
            _mine, and_(_mine.c.organisation_id == _organisations.id, _mine.c.status == active)
        )
        .outerjoin(
            _theirs,
            and_(_theirs.c.coalition_id == _mine.c.coalition_id, _theirs.c.status == active),
        )
    )


_SESSION = _with_coalitions(
    select(
        _sessions.id,
        _sessions.last_seen_at,
        _sessions.expires_at,
        _sessions.second_factor_at,
        _users.id.label("user_id"),
        _users.role,
        _users.active,
        _users.totp_confirmed_at,
        _organisations.id.label("organisation_id"),
        _organisations.vetted_partner,
        _organisations.kind,
        select(_grants.id)
        .where(_grants.user_id == _users.id, _grants.revoked_at.is_(None))
        .exists()
        .label("reveal_grant"),
    )
    .join(User.__table__, _users.id == _sessions.user_id)
    .join(Organisation.__table__, _organisations.id == _users.organisation_id)
    .where(_sessions.token_digest == _DIGEST, _sessions.revoked_at.is_(None))
)
_TOKEN = _with_coalitions(
    select(
        _tokens.id,
        _tokens.scopes,
        _tokens.expires_at,
        _tokens.last_used_at,
        _organisations.id.label("organisation_id"),
        _organisations.vetted_partner,
        _organisations.kind,
    )
    .join(Organisation.__table__, _organisations.id == _tokens.organisation_id)
    .where(_tokens.token_digest == _DIGEST, _tokens.revoked_at.is_(None))
)
# The coalitions an organisation is an active member of, with their active members.
_COALITIONS = select(_memberships.coalition_id, _memberships.organisation_id).where(
    _memberships.coalition_id.in_(
        select(_memberships.coalition_id).where(
            _memberships.organisation_id == _ORGANISATION,
            _memberships.status == MembershipStatus.ACTIVE,
        )
    ),
    _memberships.status == MembershipStatus.ACTIVE,
)


async def authenticate(context: Context, authorization: str | None) -> Viewer:
    if authorization is None:
        return ANONYMOUS
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated("Send credentials as `Authorization: Bearer <token>`.")
    secret = secret.strip()
    kind = tokens.kind_of(secret)
    if kind == tokens.SESSION_PREFIX:
        return await _session_viewer(context, tokens.digest(secret))
    if kind == tokens.API_TOKEN_PREFIX:
        return await _token_viewer(context, tokens.digest(secret))
    raise NotAuthenticated(INVALID)


async def _session_viewer(context: Context, digest: bytes) -> Viewer:
    now, rules = context.now(), context.services.rules
    rows = await context.fetch_all(_SESSION, {_DIGEST.key: digest})
    row = rows[0] if rows else None
    if (
        row is None
        or not row.active
        or now >= row.expires_at
        or now - row.last_seen_at >= rules.session_idle
    ):
        raise NotAuthenticated(INVALID)
    if now - row.last_seen_at >= LAST_USE_RESOLUTION:
        async with context.write() as connection:
            await connection.execute(
                update(UserSession).where(_sessions.id == row.id).values(last_seen_at=now)
            )
    role = Role(row.role)
    coalitions, members = _coalitions_of(rows)
    return Viewer(
        organisation_id=row.organisation_id,
        vetted_partner=row.vetted_partner,
        coalition_ids=coalitions,
        coalition_member_ids=members,
        government=row.kind == OrganisationKind.GOVERNMENT,
        user_id=row.user_id,
        role=role,
        session_id=row.id,
        second_factor_at=row.second_factor_at,
        # Second factors are required of administrators and of reveal-grant holders.
        enrolment_pending=(
            rules.require_second_factor
            and (role in SECOND_FACTOR_ROLES or row.reveal_grant)
            and row.totp_confirmed_at is None
        ),
        reveal_grant=bool(row.reveal_grant),
    )


async def _token_viewer(context: Context, digest: bytes) -> Viewer:
    now = context.now()
    rows = await context.fetch_all(_TOKEN, {_DIGEST.key: digest})
    row = rows[0] if rows else None
    if row is None or now >= row.expires_at:
        raise NotAuthenticated(INVALID)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_RESOLUTION:
        async with context.write() as connection:
            await connection.execute(
                update(ApiToken).where(_tokens.id == row.id).values(last_used_at=now)
            )
    coalitions, members = _coalitions_of(rows)
    return Viewer(
        organisation_id=row.organisation_id,
        vetted_partner=row.vetted_partner,
        coalition_ids=coalitions,
        coalition_member_ids=members,
        government=row.kind == OrganisationKind.GOVERNMENT,
        token_id=row.id,
        scopes=frozenset(Scope(scope) for scope in row.scopes.split()),
    )


def _coalitions_of(rows: Sequence[Row[Any]]) -> tuple[frozenset[uuid.UUID], frozenset[uuid.UUID]]:
    """The coalitions and their members from the rows of `_with_coalitions`."""
    coalition, member = position(rows, "coalition_id"), position(rows, "member_id")
    return (
        frozenset(row[coalition] for row in rows if row[coalition] is not None),
        frozenset(row[member] for row in rows if row[member] is not None),
    )


async def active_coalitions(
    context: Context, organisation_id: uuid.UUID
) -> tuple[frozenset[uuid.UUID], frozenset[uuid.UUID]]:
    """The coalitions an organisation is an active member of, and their active members."""
    rows = await context.fetch_all(_COALITIONS, {_ORGANISATION.key: organisation_id})
    return (
        frozenset(row.coalition_id for row in rows),
        frozenset(row.organisation_id for row in rows),
    )
