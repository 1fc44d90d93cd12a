"""Platform administration of organisations, and an organisation's own profile.

Platform admins create organisations, vet partners (never a government: the database
refuses it too) and invite each organisation's first admin.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlparse

import strawberry
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from strawberry.types import Info

from schema.accounts.mutations.invitations import InvitePayload, create_invitation
from schema.audit import PLATFORM_CHAIN, organisation_chain, record
from schema.context import Context
from schema.db import new_id
from schema.errors import BadUserInput, NotFound
from schema.filters import state_code
from schema.node import uuid_key
from schema.organisations.types import ORGANISATION_COLUMNS, Organisation, OrganisationKindEnum
from schema.payloads import UserError, conflict, invalid, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.organisations import Organisation as OrganisationTable
from schema.tables.organisations import OrganisationKind, User
from security.policy import require_fresh_second_factor, require_role
from security.roles import Role

_organisations = OrganisationTable.__table__.c
_users = User.__table__.c


@strawberry.input
class OrganisationInput:
    name: str
    kind: OrganisationKindEnum  # type: ignore[valid-type]
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 code.")
    acronym: str | None = None
    website: str | None = strawberry.field(default=None, description="An http(s) URL.")
    public_profile: bool = False


@strawberry.type
class OrganisationPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    organisation: Organisation | None = None


def _checked(context: Context, given: OrganisationInput) -> dict[str, object]:
    name = given.name.strip()
    if not 2 <= len(name) <= 200:
        raise invalid("name", "Give a name of 2 to 200 characters.")
    acronym = (given.acronym or "").strip() or None
    if acronym is not None and len(acronym) > 30:
        raise invalid("acronym", "An acronym has at most 30 characters.")
    website = (given.website or "").strip() or None
    if website is not None and (
        urlparse(website).scheme not in {"http", "https"} or not urlparse(website).netloc
    ):
        raise invalid("website", "Give an http or https URL.")
    try:
        country = state_code(context.reference, given.country) if given.country else None
    except BadUserInput:
        raise invalid("country", "Unknown state code.") from None
    return {
        "name": name,
        "kind": OrganisationKind(given.kind),
        "country_code": country,
        "acronym": acronym,
        "website": website,
        "public_profile": given.public_profile,
    }


async def _organisation(context: Context, key: uuid.UUID) -> Organisation:
    rows = await context.fetch_all(select(*ORGANISATION_COLUMNS).where(_organisations.id == key))
    return Organisation.from_row(rows[0], context.reference)


@reports_user_errors(OrganisationPayload)
async def create_organisation(
    info: Info[Context, None], input: OrganisationInput
) -> OrganisationPayload:
    context = info.context
    require_role(context.principal, Role.PLATFORM_ADMIN)
    values = _checked(context, input)
    key, now = new_id(), context.now()
    try:
        async with context.write() as connection:
            await connection.execute(
                insert(OrganisationTable).values(
                    id=key,
                    vetted_partner=False,
                    created_at=now,
                    updated_at=now,
                    version=1,
                    **values,
                )
            )
            await record(
                connection,
                PLATFORM_CHAIN,
                "organisation.created",
                now,
                actor_user_id=context.principal.user_id,
                actor_organisation_id=context.principal.organisation_id,
                subject_type="Organisation",
                subject_id=key,
                details={"kind": str(values["kind"])},
            )
    except IntegrityError:
        raise conflict("An organisation of that name exists already.", field="name") from None
    return OrganisationPayload(organisation=await _organisation(context, key))


@reports_user_errors(OrganisationPayload)
async def set_organisation_vetted(
    info: Info[Context, None], organisation_id: strawberry.ID, vetted: bool
) -> OrganisationPayload:
    """Vetting opens the PARTNERS level to an organisation: never to a government."""
    context = info.context
    require_role(context.principal, Role.PLATFORM_ADMIN)
    key = uuid_key(expect_global_id(organisation_id, "Organisation"))
    now = context.now()
    async with context.write() as connection:
        row = (
            await connection.execute(select(_organisations.kind).where(_organisations.id == key))
        ).first()
        if row is None:
            raise NotFound("No such organisation.")
        if vetted and row.kind == OrganisationKind.GOVERNMENT:
            raise invalid("organisationId", "A government is never a vetted partner.")
        await connection.execute(
            update(OrganisationTable)
            .where(_organisations.id == key)
            .values(vetted_partner=vetted, updated_at=now, version=_organisations.version + 1)
        )
        for chain in (PLATFORM_CHAIN, organisation_chain(key)):
            await record(
                connection,
                chain,
                "organisation.vetted" if vetted else "organisation.unvetted",
                now,
                actor_user_id=context.principal.user_id,
                actor_organisation_id=context.principal.organisation_id,
                subject_type="Organisation",
                subject_id=key,
            )
    return OrganisationPayload(organisation=await _organisation(context, key))


@reports_user_errors(InvitePayload)
async def invite_organisation_admin(
    info: Info[Context, None], organisation_id: strawberry.ID, email: str
) -> InvitePayload:
    """A platform admin invites an organisation's first admin; after that, only the
    organisation's own admins invite (a platform account cannot slip an admin into an
    organisation that has one). Needs a fresh second factor."""
    context = info.context
    require_role(context.principal, Role.PLATFORM_ADMIN)
    require_fresh_second_factor(context.principal, context.now())
    key = uuid_key(expect_global_id(organisation_id, "Organisation"))
    rows = await context.fetch_all(select(_organisations.id).where(_organisations.id == key))
    if not rows:
        raise NotFound("No such organisation.")
    admins = await context.fetch_all(
        select(_users.id).where(
            _users.organisation_id == key,
            _users.role == Role.ORG_ADMIN,
            _users.active.is_(True),
        )
    )
    if admins:
        raise conflict("This organisation has an admin: its admins invite.", field="organisationId")
    return await create_invitation(context, key, email, Role.ORG_ADMIN)


async def set_public_profile(info: Info[Context, None], public: bool) -> OrganisationPayload:
    """An organisation opts in (or out of) the public directory."""
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    now = context.now()
    async with context.write() as connection:
        await connection.execute(
            update(OrganisationTable)
            .where(_organisations.id == organisation_id)
            .values(public_profile=public, updated_at=now, version=_organisations.version + 1)
        )
        await record(
            connection,
            organisation_chain(organisation_id),
            "organisation.public-profile",
            now,
            actor_user_id=context.principal.user_id,
            actor_organisation_id=organisation_id,
            details={"public": public},
        )
    return OrganisationPayload(organisation=await _organisation(context, organisation_id))
