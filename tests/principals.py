"""Principals for authorisation tests: rows inserted as the mutations would insert them
(tokens, invitations, sessions, coalition invitations), the world the authorisation
matrix runs against, and the viewer the server builds for a bearer secret."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.accounts.authentication import authenticate
from schema.accounts.service import start_session
from schema.context import AccountRules, Context
from schema.db import new_id, utcnow
from schema.relay import to_global_id
from schema.tables.accounts import ApiToken, Invitation, RecoveryCode
from schema.tables.followup import Engagement
from schema.tables.organisations import CoalitionMembership, MembershipStatus, OrganisationKind
from security import tokens
from security.platform import PlatformKeys
from security.policy import ANONYMOUS, Viewer, visible
from security.roles import SECOND_FACTOR_ROLES, Role
from security.sharing import Visibility
from security.totp import new_totp_secret, recovery_code_digest
from tests.accounts import make_user
from tests.factories import (
    make_activity,
    make_assessment,
    make_coalition,
    make_engagement,
    make_organisation,
    make_pledge,
    make_recommendation,
    make_review,
)

# The signed-in principals of the matrix: the vetted NGO's users, then others.
VIEWER, MEMBER, ORG_ADMIN = "viewer", "member", "org_admin"
UNVETTED, GOVERNMENT, PLATFORM = "unvetted_member", "government_member", "platform_admin"
ACCOUNTS = {
    VIEWER: ("ngo", Role.VIEWER),
    MEMBER: ("ngo", Role.MEMBER),
    ORG_ADMIN: ("ngo", Role.ORG_ADMIN),
    UNVETTED: ("unvetted", Role.MEMBER),
    GOVERNMENT: ("government", Role.MEMBER),
    PLATFORM: ("platform", Role.PLATFORM_ADMIN),
}
RECOVERY_CODE = "7k2m-q9xd-4hne"  # every admin's one-time recovery code (for stepUp)


async def insert_row(
    engine: AsyncEngine, table: Any, key: uuid.UUID | None = None, **values: Any
) -> uuid.UUID:
    key = key or new_id()
    async with engine.begin() as connection:
        await connection.execute(insert(table).values(id=key, **values))
    return key


async def insert_token(
    engine: AsyncEngine, organisation: uuid.UUID, creator: uuid.UUID, scopes: str, now: dt.datetime
) -> tuple[uuid.UUID, str]:
    """An API token (id, secret) as createApiToken stores it; createApiToken itself
    refuses an empty scope list, so a token without scopes is made here."""
    secret = tokens.new_secret(tokens.API_TOKEN_PREFIX)
    key = await insert_row(
        engine,
        ApiToken,
        organisation_id=organisation,
        name="inserted",
        token_digest=tokens.digest(secret),
        scopes=scopes,
        created_by_user_id=creator,
        created_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    return key, secret


async def insert_invitation(
    engine: AsyncEngine,
    keys: PlatformKeys,
    organisation: uuid.UUID,
    by: uuid.UUID,
    now: dt.datetime,
) -> uuid.UUID:
    """An open invitation to join `organisation` as a member."""
    key, email = new_id(), f"invitee-{uuid.uuid4().hex[:8]}@example.org"
    return await insert_row(
        engine,
        Invitation,
        key,
        organisation_id=organisation,
        role=Role.MEMBER,
        email_ciphertext=keys.seal(email, "invitations", "email", key, organisation),
        email_index=keys.email_index(email),
        token_digest=tokens.digest(tokens.new_secret(tokens.INVITATION_PREFIX)),
        invited_by_user_id=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=7),
    )


async def insert_session(engine: AsyncEngine, user: uuid.UUID, now: dt.datetime) -> uuid.UUID:
    """A live session of `user`, without the cost of a password check."""
    async with engine.begin() as connection:
        _, key = await start_session(connection, user, now, AccountRules(), second_factor=False)
    return key


async def invite_to_coalition(
    engine: AsyncEngine, coalition: uuid.UUID, organisation: uuid.UUID, by: uuid.UUID
) -> None:
    """An open invitation into a coalition (the factory makes active members only)."""
    await insert_row(
        engine,
        CoalitionMembership,
        coalition_id=coalition,
        organisation_id=organisation,
        status=MembershipStatus.INVITED,
        invited_by_organisation_id=by,
        created_at=utcnow(),
        updated_at=utcnow(),
        version=1,
    )


async def server_viewer(app: Starlette, credentials: str | None) -> Viewer:
    """What the server reads as for a bearer secret, built as the GraphQL view builds it."""
    if credentials is None:
        return ANONYMOUS
    reference, services = await app.state.runtime.ready()
    context = Context(app.state.runtime.engine, ANONYMOUS, reference, services)
    try:
        context.signed_in_as(await authenticate(context, f"Bearer {credentials}"))
    finally:
        await context.close()
    return context.viewer


async def visible_engagements(engine: AsyncEngine, viewer: Viewer) -> set[uuid.UUID]:
    table = Engagement.__table__.c
    async with engine.connect() as connection:
        rows = await connection.scalars(select(table.id).where(visible(table, viewer)))
        return set(rows.all())


@dataclass
class World:
    """Organisations, users, tokens and shared rows around a vetted national NGO."""

    ids: dict[str, str]  # global ids (and a few other values) by name
    emails: dict[str, str]  # by principal
    second_factors: dict[str, bytes]  # TOTP secrets of the admins, by principal
    scopeless_token: str  # an API token of the vetted NGO without scopes
    engagements: dict[tuple[str, Visibility], uuid.UUID]  # by (owner, level)


async def build_world(engine: AsyncEngine, keys: PlatformKeys, now: dt.datetime) -> World:
    """The vetted NGO is active in a coalition with a vetted partner and a government,
    which the unvetted NGO is only invited to; the partner invited the NGO into a second
    coalition. Both the NGO and the partner share an engagement at every level."""
    org = {
        "ngo": await make_organisation(engine, "Vetted NGO", vetted_partner=True),
        "partner": await make_organisation(
            engine, "Partner NGO", OrganisationKind.INTERNATIONAL_NGO, vetted_partner=True
        ),
        "unvetted": await make_organisation(engine, "Unvetted NGO"),
        "government": await make_organisation(engine, "Ministry", OrganisationKind.GOVERNMENT),
        "platform": await make_organisation(engine, "Upright", OrganisationKind.OTHER),
        "public_organisation": await make_organisation(
            engine, "UN Team", OrganisationKind.UN_AGENCY, public_profile=True
        ),
        "candidate": await make_organisation(engine, "Candidate NGO"),
    }
    coalition = await make_coalition(engine, org["ngo"], [org["partner"], org["government"]])
    await invite_to_coalition(engine, coalition, org["unvetted"], by=org["ngo"])
    invited_to = await make_coalition(engine, org["partner"])
    await invite_to_coalition(engine, invited_to, org["ngo"], by=org["partner"])
    ids = {name: to_global_id("Organisation", key) for name, key in org.items()}
    ids |= {
        "coalition": to_global_id("Coalition", coalition),
        "invited_to": to_global_id("Coalition", invited_to),
        "recovery_code": RECOVERY_CODE,
        "token_expiry": (now + dt.timedelta(days=30)).isoformat(),
    }
    emails, secrets, user_ids = {}, {}, {}
    for principal, (organisation, role) in ACCOUNTS.items():
        secret = new_totp_secret() if role in SECOND_FACTOR_ROLES else None
        user_ids[principal], emails[principal] = await make_user(
            engine, keys, org[organisation], role, totp_secret=secret
        )
        if secret is not None:
            secrets[principal] = secret
            digest = recovery_code_digest(RECOVERY_CODE)
            await insert_row(engine, RecoveryCode, user_id=user_ids[principal], code_digest=digest)
    # Colleagues in the vetted NGO for the admin operations to act on, one each.
    for name in ("colleague", "role_target", "active_target"):
        user_ids[name], _ = await make_user(engine, keys, org["ngo"])
        ids[name] = to_global_id("User", user_ids[name])
    _, ids["login_email"] = await make_user(engine, keys, org["ngo"])
    session = await insert_session(engine, user_ids["colleague"], now)
    ids["colleague_session"] = to_global_id("LoginSession", session)
    admin = user_ids[ORG_ADMIN]
    spare, _ = await insert_token(engine, org["ngo"], admin, "engagements:write", now)
    ids["spare_token"] = to_global_id("ApiToken", spare)
    _, scopeless = await insert_token(engine, org["ngo"], admin, "", now)
    invitation = await insert_invitation(engine, keys, org["ngo"], admin, now)
    ids["invitation"] = to_global_id("Invitation", invitation)
    review = await make_review(engine)
    engagements = {}
    for level in Visibility:
        recommendation = await make_recommendation(engine, review)
        for owner in ("ngo", "partner"):
            engagements[owner, level] = await make_engagement(
                engine,
                recommendation,
                org[owner],
                level,
                coalition if level is Visibility.COALITION else None,
            )
    # Follow-up work to act on: a recommendation nobody follows up yet, the NGO's
    # public and coalition engagements (above) and assessments (on the new one).
    fresh = await make_recommendation(engine, review)
    ids |= {"recommendation": to_global_id("Recommendation", fresh), "today": str(now.date())}
    for level in (Visibility.PUBLIC, Visibility.COALITION):
        name = level.value.lower()
        ids[f"engagement_{name}"] = to_global_id("Engagement", engagements["ngo", level])
        shared_with = coalition if level is Visibility.COALITION else None
        assessment = await make_assessment(engine, fresh, org["ngo"], level, shared_with)
        ids[f"assessment_{name}"] = to_global_id("Assessment", assessment)
    # Activities: the NGO's in the coalition and in public, and its coalition pledge to
    # the partner's public activity.
    for level in (Visibility.PUBLIC, Visibility.COALITION):
        shared_with = coalition if level is Visibility.COALITION else None
        activity = await make_activity(engine, org["ngo"], level, shared_with)
        ids[f"activity_{level.value.lower()}"] = to_global_id("Activity", activity)
    funded = await make_activity(engine, org["partner"], Visibility.PUBLIC)
    ids["partner_activity"] = to_global_id("Activity", funded)
    pledge = await make_pledge(engine, funded, org["ngo"], Visibility.COALITION, coalition)
    ids["pledge_coalition"] = to_global_id("FundingPledge", pledge)
    return World(ids, emails, secrets, scopeless, engagements)
