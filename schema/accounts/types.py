"""GraphQL types of accounts: users, sign-in sessions, API tokens, invitations."""

import datetime as dt
import uuid
from typing import Any

import strawberry
from sqlalchemy import Row, select
from strawberry.types import Info

from schema.context import Context
from schema.organisations.types import ORGANISATION_COLUMNS, Organisation
from schema.relay import Node, to_global_id
from security.platform import PlatformKeys
from security.roles import Role, Scope

RoleEnum = strawberry.enum(Role, name="Role", description="A user's role in their organisation.")
ScopeEnum = strawberry.enum(
    Scope,
    name="Scope",
    description="What an API token may do. No scope reveals, shares or administers.",
)


@strawberry.type(description="A person signing in for an organisation.")
class User(Node):
    key: strawberry.Private[uuid.UUID]
    organisation_key: strawberry.Private[uuid.UUID]
    name: str
    email: str
    role: RoleEnum  # type: ignore[valid-type]
    active: bool
    second_factor_enrolled: bool
    last_login_at: dt.datetime | None
    version: int = strawberry.field(description="Give it back to update the user.")

    @classmethod
    def from_row(cls, row: Row[Any], keys: PlatformKeys) -> "User":
        return cls(
            id=to_global_id("User", row.id),
            key=row.id,
            organisation_key=row.organisation_id,
            name=keys.open(row.name_ciphertext, "users", "name", row.id, row.organisation_id),
            email=keys.open(row.email_ciphertext, "users", "email", row.id, row.organisation_id),
            role=Role(row.role),
            active=row.active,
            second_factor_enrolled=row.totp_confirmed_at is not None,
            last_login_at=row.last_login_at,
            version=row.version,
        )


@strawberry.type(description="A signed-in session of a user.")
class LoginSession(Node):
    key: strawberry.Private[uuid.UUID]
    user_key: strawberry.Private[uuid.UUID]
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime = strawberry.field(description="It ends then at the latest.")
    current: bool = strawberry.field(description="The session of this request.")

    @classmethod
    def from_row(cls, row: Row[Any], current: uuid.UUID | None) -> "LoginSession":
        return cls(
            id=to_global_id("LoginSession", row.id),
            key=row.id,
            user_key=row.user_id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            current=row.id == current,
        )


@strawberry.type(description="A client app's credential, owned by the organisation.")
class ApiToken(Node):
    key: strawberry.Private[uuid.UUID]
    name: str
    scopes: list[ScopeEnum]  # type: ignore[valid-type]
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None = strawberry.field(description="To the minute.")
    revoked_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Row[Any]) -> "ApiToken":
        return cls(
            id=to_global_id("ApiToken", row.id),
            key=row.id,
            name=row.name,
            scopes=[Scope(scope) for scope in row.scopes.split()],
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type(description="An invitation to join the organisation.")
class Invitation(Node):
    key: strawberry.Private[uuid.UUID]
    email: str
    role: RoleEnum  # type: ignore[valid-type]
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Row[Any], keys: PlatformKeys) -> "Invitation":
        return cls(
            id=to_global_id("Invitation", row.id),
            key=row.id,
            email=keys.open(
                row.email_ciphertext, "invitations", "email", row.id, row.organisation_id
            ),
            role=Role(row.role),
            created_at=row.created_at,
            expires_at=row.expires_at,
            accepted_at=row.accepted_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type(description="Whether the signed-in user's second factor is set up and fresh.")
class SecondFactorStatus:
    enrolled: bool
    required: bool
    fresh_until: dt.datetime | None = strawberry.field(
        description="Sensitive operations are open until then (stepUp renews it)."
    )


@strawberry.type(description="The signed-in user.")
class Me:
    user: User
    second_factor: SecondFactorStatus
    organisation_key: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Your organisation.")
    async def organisation(self, info: Info[Context, None]) -> Organisation:
        # Your own organisation, whatever the directory shows others (no policy filter).
        rows = await info.context.fetch_all(
            select(*ORGANISATION_COLUMNS).where(ORGANISATION_COLUMNS[0] == self.organisation_key)
        )
        return Organisation.from_row(rows[0], info.context.reference)
