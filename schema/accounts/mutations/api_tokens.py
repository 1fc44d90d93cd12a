"""API tokens for client apps: created by organisation admins, shown once, revocable."""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import insert, select, update
from strawberry.types import Info

from schema.accounts.types import ApiToken, ScopeEnum
from schema.audit import organisation_chain, record
from schema.context import Context
from schema.db import new_id
from schema.errors import NotFound
from schema.node import uuid_key
from schema.payloads import UserError, invalid, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.accounts import ApiToken as ApiTokenTable
from security import tokens
from security.policy import require_role
from security.roles import Role, Scope

_tokens = ApiTokenTable.__table__.c
LONGEST_LIFETIME = dt.timedelta(days=365)
NAME_LENGTH = 100


@strawberry.type
class CreateApiTokenPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    api_token: ApiToken | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="Send as `Authorization: Bearer <secret>`. Shown once; upright keeps "
        "only its digest.",
    )


@strawberry.type
class RevokeApiTokenPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    api_token: ApiToken | None = None


@reports_user_errors(CreateApiTokenPayload)
async def create_api_token(
    info: Info[Context, None],
    name: str,
    scopes: list[ScopeEnum],  # type: ignore[valid-type]
    expires_at: dt.datetime,
) -> CreateApiTokenPayload:
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    now = context.now()
    name = name.strip()
    if not 1 <= len(name) <= NAME_LENGTH:
        raise invalid("name", f"Give a name of 1 to {NAME_LENGTH} characters.")
    if not scopes:
        raise invalid("scopes", "Give at least one scope.")
    if expires_at.tzinfo is None:
        raise invalid("expiresAt", "Give a time with its UTC offset.")
    if not now < expires_at <= now + LONGEST_LIFETIME:
        raise invalid("expiresAt", "A token expires in the future, within a year.")
    secret = tokens.new_secret(tokens.API_TOKEN_PREFIX)
    key = new_id()
    granted = sorted({Scope(scope).value for scope in scopes})
    async with context.write() as connection:
        await connection.execute(
            insert(ApiTokenTable).values(
                id=key,
                organisation_id=organisation_id,
                name=name,
                token_digest=tokens.digest(secret),
                scopes=" ".join(granted),
                created_by_user_id=context.principal.user_id,
                created_at=now,
                expires_at=expires_at,
                last_used_at=None,
                revoked_at=None,
            )
        )
        await record(
            connection,
            organisation_chain(organisation_id),
            "api-token.created",
            now,
            actor_user_id=context.principal.user_id,
            actor_organisation_id=organisation_id,
            subject_type="ApiToken",
            subject_id=key,
            details={"scopes": granted},
        )
        row = (
            await connection.execute(select(ApiTokenTable.__table__).where(_tokens.id == key))
        ).one()
    return CreateApiTokenPayload(api_token=ApiToken.from_row(row), secret=secret)


async def revoke_api_token(
    info: Info[Context, None], api_token_id: strawberry.ID
) -> RevokeApiTokenPayload:
    """Effective at once: the next request with the token is refused."""
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    key = uuid_key(expect_global_id(api_token_id, "ApiToken"))
    async with context.write() as connection:
        result = await connection.execute(
            update(ApiTokenTable)
            .where(
                _tokens.id == key,
                _tokens.organisation_id == organisation_id,
                _tokens.revoked_at.is_(None),
            )
            .values(revoked_at=context.now())
        )
        if result.rowcount != 1:
            raise NotFound("No such live token.")
        await record(
            connection,
            organisation_chain(organisation_id),
            "api-token.revoked",
            context.now(),
            actor_user_id=context.principal.user_id,
            actor_organisation_id=organisation_id,
            subject_type="ApiToken",
            subject_id=key,
        )
        row = (
            await connection.execute(select(ApiTokenTable.__table__).where(_tokens.id == key))
        ).one()
    return RevokeApiTokenPayload(api_token=ApiToken.from_row(row))
