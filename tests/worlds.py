"""A world for API tests: organisations each with a signed-in member, and ways to act as
one (another member, an API token, anonymous), run GraphQL and read back what was stored.
Each domain's conftest extends it with its own cast, queries and rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Executable, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.tables.audit import AuditEvent
from schema.tables.organisations import OrganisationKind
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import execute
from tests.principals import insert_token

ANONYMOUS = "anonymous"
# The usual cast: a vetted national NGO, a vetted international partner, an unvetted
# group and a government ministry.
NGO, PARTNER, UNVETTED, GOVERNMENT = "ngo", "partner", "unvetted", "government"


@dataclass
class World:
    engine: AsyncEngine
    keys: PlatformKeys
    client: httpx.AsyncClient
    clock: Clock
    organisations: dict[str, uuid.UUID] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    creators: dict[str, uuid.UUID] = field(default_factory=dict)

    async def add(
        self,
        who: str,
        name: str,
        kind: OrganisationKind,
        *,
        vetted: bool = False,
        public: bool = False,
    ) -> None:
        self.organisations[who] = await make_organisation(
            self.engine, name, kind, vetted_partner=vetted, public_profile=public
        )
        self.names[who] = name
        self.creators[who], email = await make_user(
            self.engine, self.keys, self.organisations[who], Role.MEMBER
        )
        self.sessions[who] = await sign_in(self.client, email)

    async def add_cast(self, ngo_public: bool = True) -> None:
        """The usual cast. The partner shows in the public directory, and the NGO too
        unless `ngo_public` is false, so readers of their PUBLIC rows see who made them."""
        await self.add(
            NGO,
            "Kenya Rights Network",
            OrganisationKind.NATIONAL_NGO,
            vetted=True,
            public=ngo_public,
        )
        await self.add(
            PARTNER,
            "Geneva Rights Watch",
            OrganisationKind.INTERNATIONAL_NGO,
            vetted=True,
            public=True,
        )
        await self.add(UNVETTED, "Unvetted Group", OrganisationKind.NATIONAL_NGO)
        await self.add(GOVERNMENT, "Ministry of Justice", OrganisationKind.GOVERNMENT)

    async def session(self, who: str, role: Role) -> str:
        """Another user of `who`'s organisation, signed in."""
        _, email = await make_user(self.engine, self.keys, self.organisations[who], role)
        return await sign_in(self.client, email)

    async def token(self, who: str, *scopes: str) -> str:
        """An API token of `who`'s organisation holding `scopes` (e.g. "engagements:write")."""
        _, secret = await insert_token(
            self.engine,
            self.organisations[who],
            self.creators[who],
            " ".join(scopes),
            self.clock.now,
        )
        return secret

    async def run(
        self, who: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """`query` as `who`: an organisation's member, "anonymous", or a bearer secret."""
        credentials = None if who == ANONYMOUS else self.sessions.get(who, who)
        return await execute(self.client, query, variables, token=credentials)

    async def payload(
        self, who: str, query: str, variables: dict[str, Any], name: str
    ) -> dict[str, Any]:
        """The mutation's payload; the call must not fail with a top-level error."""
        body = await self.run(who, query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"][name]
        return result

    async def audit(self, who: str) -> list[tuple[str, str | None, dict[str, Any]]]:
        """(action, subject type, details) of the entries in `who`'s chain, in order."""
        table = AuditEvent.__table__.c
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(table.action, table.subject_type, table.details)
                .where(table.chain == f"org:{self.organisations[who]}")
                .order_by(table.sequence)
            )
            return [(row.action, row.subject_type, row.details) for row in rows]

    async def rows(self, query: Executable) -> list[tuple[object, ...]]:
        """What `query` reads straight from the database, to compare before and after."""
        async with self.engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(query)]
