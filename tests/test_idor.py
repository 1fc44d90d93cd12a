"""IDOR: another organisation's ids, through every lookup path, answer exactly like
random ids of the same type (SECURITY.md: "An id you may not see answers exactly like
an id that does not exist").

The prober is a hostile government: an admin of a GOVERNMENT organisation (and its API
token with every scope). The target is an NGO that is neither public nor in any
coalition with the government.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.accounts import ApiToken, Invitation, UserSession
from schema.tables.followup import Activity, Assessment, Engagement, FundingPledge
from schema.tables.organisations import CoalitionMembership, OrganisationKind, User
from security import totp
from security.platform import PlatformKeys
from security.roles import Role, Scope
from security.sharing import Visibility
from tests.accounts import code_at, make_user, sign_in
from tests.clock import Clock
from tests.factories import (
    make_activity,
    make_assessment,
    make_coalition,
    make_engagement,
    make_organisation,
    make_pledge,
    make_recommendation,
)
from tests.graphql import error_codes, execute
from tests.principals import insert_invitation, insert_session, insert_token

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on User { name email role }
    ... on Organisation { name }
    ... on Coalition { name myStatus members { organisation { name } } }
    ... on LoginSession { createdAt }
    ... on ApiToken { name scopes }
    ... on Invitation { email }
    ... on Activity { title }
    ... on FundingPledge { status }
    ... on Engagement { engagementRole: role note }
    ... on Assessment { assessedOn evidence }
  }
}
"""
REVOKE_SESSION = "mutation($id: ID!) { revokeSession(sessionId: $id) { ok } }"
REVOKE_API_TOKEN = "mutation($id: ID!) { revokeApiToken(apiTokenId: $id) { apiToken { id } } }"
REVOKE_INVITATION = "mutation($id: ID!) { revokeInvitation(invitationId: $id) { ok } }"
SET_USER_ROLE = (
    "mutation($id: ID!) { setUserRole(userId: $id, role: VIEWER, version: 1) { user { id } } }"
)
SET_USER_ACTIVE = (
    "mutation($id: ID!) { setUserActive(userId: $id, active: false, version: 1) { user { id } } }"
)
RESET_SECOND_FACTOR = "mutation($id: ID!) { resetSecondFactor(userId: $id) { ok } }"
INVITE_TO_COALITION = """
mutation($id: ID!, $organisation: ID!) {
  inviteToCoalition(coalitionId: $id, organisationId: $organisation) { coalition { id } }
}
"""
ANSWER_INVITATION = """
mutation($id: ID!) {
  answerCoalitionInvitation(coalitionId: $id, accept: true) { coalition { id } }
}
"""
LEAVE_COALITION = "mutation($id: ID!) { leaveCoalition(coalitionId: $id) { coalition { id } } }"
ACTIVITY_INPUT = '{kind: OTHER, title: "Taken", startsOn: "2027-01-10", visibility: PUBLIC}'
UPDATE_ACTIVITY = f"""
mutation($id: ID!) {{
  updateActivity(activityId: $id, version: 1, input: {ACTIVITY_INPUT}) {{ activity {{ id }} }}
}}
"""
CANCEL_ACTIVITY = (
    "mutation($id: ID!) { cancelActivity(activityId: $id, version: 1) { activity { id } } }"
)
PLEDGE_INPUT = '{amount: {amount: "1", currency: "USD"}, visibility: PUBLIC}'
PLEDGE_FUNDING = f"""
mutation($id: ID!) {{ pledgeFunding(activityId: $id, input: {PLEDGE_INPUT}) {{ pledge {{ id }} }} }}
"""
UPDATE_PLEDGE = f"""
mutation($id: ID!) {{
  updatePledge(pledgeId: $id, version: 1, input: {PLEDGE_INPUT}) {{ pledge {{ id }} }}
}}
"""
UPDATE_ENGAGEMENT = """
mutation($id: ID!) {
  updateEngagement(engagementId: $id, role: LEAD, visibility: PUBLIC, version: 1) {
    engagement { id }
  }
}
"""
DISENGAGE = (
    "mutation($id: ID!) { disengage(engagementId: $id, version: 1) { disengagedEngagementId } }"
)
UPDATE_ASSESSMENT = """
mutation($id: ID!) {
  updateAssessment(assessmentId: $id, status: NOT_IMPLEMENTED, assessedOn: "2026-01-01",
                   visibility: PUBLIC, version: 1) { assessment { id } }
}
"""
WITHDRAW_ASSESSMENT = """
mutation($id: ID!) { withdrawAssessment(assessmentId: $id, version: 1) { withdrawnAssessmentId } }
"""

# Each mutation that takes an id of another organisation's object: (document, type).
MUTATIONS = {
    "revokeSession": (REVOKE_SESSION, "LoginSession"),
    "revokeApiToken": (REVOKE_API_TOKEN, "ApiToken"),
    "revokeInvitation": (REVOKE_INVITATION, "Invitation"),
    "setUserRole": (SET_USER_ROLE, "User"),
    "setUserActive": (SET_USER_ACTIVE, "User"),
    "resetSecondFactor": (RESET_SECOND_FACTOR, "User"),
    "inviteToCoalition": (INVITE_TO_COALITION, "Coalition"),
    "answerCoalitionInvitation": (ANSWER_INVITATION, "Coalition"),
    "leaveCoalition": (LEAVE_COALITION, "Coalition"),
    "updateActivity": (UPDATE_ACTIVITY, "Activity"),
    "cancelActivity": (CANCEL_ACTIVITY, "Activity"),
    "pledgeFunding": (PLEDGE_FUNDING, "Activity"),
    "updatePledge": (UPDATE_PLEDGE, "FundingPledge"),
    "updateEngagement": (UPDATE_ENGAGEMENT, "Engagement"),
    "disengage": (DISENGAGE, "Engagement"),
    "updateAssessment": (UPDATE_ASSESSMENT, "Assessment"),
    "withdrawAssessment": (WITHDRAW_ASSESSMENT, "Assessment"),
}


@dataclass
class Setting:
    government: uuid.UUID
    admin_email: str
    admin_secret: bytes
    government_token: str
    government_coalition: uuid.UUID
    theirs: dict[str, uuid.UUID]  # the NGO's objects by type name


@pytest.fixture
async def setting(engine: AsyncEngine, platform_keys: PlatformKeys, clock: Clock) -> Setting:
    government = await make_organisation(engine, "Ministry", OrganisationKind.GOVERNMENT)
    secret = totp.new_totp_secret()
    admin, email = await make_user(
        engine, platform_keys, government, Role.ORG_ADMIN, totp_secret=secret
    )
    every_scope = " ".join(scope.value for scope in Scope)
    _, government_token = await insert_token(engine, government, admin, every_scope, clock.now)
    ngo = await make_organisation(engine, "Quiet Defenders", vetted_partner=True)
    ngo_admin, _ = await make_user(engine, platform_keys, ngo, Role.ORG_ADMIN)
    member, _ = await make_user(engine, platform_keys, ngo, totp_secret=totp.new_totp_secret())
    their_token, _ = await insert_token(engine, ngo, ngo_admin, "engagements:write", clock.now)
    activity = await make_activity(engine, ngo, Visibility.PARTNERS)
    recommendation = await make_recommendation(engine, None)
    theirs = {
        "Organisation": ngo,
        "User": member,
        "LoginSession": await insert_session(engine, member, clock.now),
        "ApiToken": their_token,
        "Invitation": await insert_invitation(engine, platform_keys, ngo, ngo_admin, clock.now),
        "Coalition": await make_coalition(engine, ngo),
        "Activity": activity,
        "FundingPledge": await make_pledge(engine, activity, ngo, Visibility.PARTNERS),
        "Engagement": await make_engagement(engine, recommendation, ngo, Visibility.PARTNERS),
        "Assessment": await make_assessment(engine, recommendation, ngo, Visibility.ORGANISATION),
    }
    coalition = await make_coalition(engine, government)
    return Setting(government, email, secret, government_token, coalition, theirs)


async def _admin_session(client: httpx.AsyncClient, setting: Setting, clock: Clock) -> str:
    return await sign_in(
        client, setting.admin_email, second_factor=code_at(setting.admin_secret, clock.now)
    )


def _random(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


async def _snapshot(engine: AsyncEngine, theirs: dict[str, uuid.UUID]) -> list[Any]:
    """The NGO's rows the mutations would change."""
    statements = [
        select(UserSession.revoked_at).where(UserSession.id == theirs["LoginSession"]),
        select(ApiToken.revoked_at).where(ApiToken.id == theirs["ApiToken"]),
        select(Invitation.revoked_at).where(Invitation.id == theirs["Invitation"]),
        select(User.role, User.active, User.version, User.totp_confirmed_at).where(
            User.id == theirs["User"]
        ),
        select(CoalitionMembership.organisation_id, CoalitionMembership.status).where(
            CoalitionMembership.coalition_id == theirs["Coalition"]
        ),
        select(Activity.version, Activity.cancelled_at).where(Activity.id == theirs["Activity"]),
        select(FundingPledge.id, FundingPledge.version).where(
            FundingPledge.activity_id == theirs["Activity"]
        ),
        select(Engagement.id, Engagement.version).where(Engagement.id == theirs["Engagement"]),
        select(Assessment.id, Assessment.version).where(Assessment.id == theirs["Assessment"]),
    ]
    async with engine.connect() as connection:
        return [(await connection.execute(statement)).all() for statement in statements]


@pytest.mark.parametrize("prober", ["admin session", "token with every scope"])
async def test_node_answers_their_ids_like_random_ids(
    prober: str, setting: Setting, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given the government's credentials, which do reach its own organisation by id
    credentials = (
        await _admin_session(client, setting, clock)
        if prober == "admin session"
        else setting.government_token
    )
    own = to_global_id("Organisation", setting.government)
    answer = await execute(client, NODE, {"id": own}, token=credentials)
    assert answer["data"]["node"]["name"] == "Ministry"
    # When it asks for each of the NGO's objects, and for a random id of the same type
    answers = {}
    for type_name, key in setting.theirs.items():
        theirs = await execute(
            client, NODE, {"id": to_global_id(type_name, key)}, token=credentials
        )
        random = await execute(client, NODE, {"id": _random(type_name)}, token=credentials)
        answers[type_name] = (theirs, random)
    # Then the whole bodies are the same: nothing tells an existing id from a random one
    assert {name: theirs for name, (theirs, _) in answers.items()} == {
        name: random for name, (_, random) in answers.items()
    }
    assert all(theirs == {"data": {"node": None}} for theirs, _ in answers.values())


async def test_mutations_answer_their_ids_like_random_ids(
    engine: AsyncEngine, setting: Setting, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a government admin, fresh from its second factor (resetSecondFactor needs it)
    session = await _admin_session(client, setting, clock)
    before = await _snapshot(engine, setting.theirs)
    # When it calls every mutation with the NGO's ids, and with random ids of the type
    own = {"organisation": to_global_id("Organisation", setting.government)}
    answers = {}
    for name, (document, type_name) in MUTATIONS.items():
        their_id = to_global_id(type_name, setting.theirs[type_name])
        theirs = await execute(client, document, {"id": their_id, **own}, token=session)
        random = await execute(client, document, {"id": _random(type_name), **own}, token=session)
        answers[name] = (theirs, random)
    # Then each answers NOT_FOUND, in the same words as for an id that does not exist
    codes = {name: error_codes(theirs) for name, (theirs, _) in answers.items()}
    assert codes == {name: ["NOT_FOUND"] for name in MUTATIONS}
    assert {name: theirs for name, (theirs, _) in answers.items()} == {
        name: random for name, (_, random) in answers.items()
    }
    # And nothing of theirs changed
    assert await _snapshot(engine, setting.theirs) == before


async def test_inviting_a_hidden_organisation_answers_like_a_random_id(
    setting: Setting, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a government admin, active in its own coalition, who cannot see the NGO
    session = await _admin_session(client, setting, clock)
    hidden = to_global_id("Organisation", setting.theirs["Organisation"])
    assert (await execute(client, NODE, {"id": hidden}, token=session))["data"]["node"] is None
    coalition = to_global_id("Coalition", setting.government_coalition)
    # When it invites the NGO by its id, and a random organisation id
    theirs = await execute(
        client, INVITE_TO_COALITION, {"id": coalition, "organisation": hidden}, token=session
    )
    random = await execute(
        client,
        INVITE_TO_COALITION,
        {"id": coalition, "organisation": _random("Organisation")},
        token=session,
    )
    # Then both answer NOT_FOUND alike: the government learns nothing of the NGO
    assert error_codes(random) == ["NOT_FOUND"]
    assert theirs == random
