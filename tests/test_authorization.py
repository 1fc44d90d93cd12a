"""The authorisation matrix: every principal x every Query and Mutation field x every
sharing level, generated from one table (`MATRIX`), every cell asserted.

A row is a GraphQL operation (its field, a minimal valid document, its variables) or a
row shared at one sharing level (read through `security.policy.visible` with the viewer
the server builds for the principal). Its cells say what each principal gets: "ok"
(data), "null" (null or empty data), "user_error" (the payload's userErrors) or the
`extensions.code` of the error. One test per principal walks the rows in the table's
order (queries and reads first, then mutations, logout last), so the world and the
principal's sign-in are built once per principal. A new schema field without a row
fails `test_the_table_has_a_row_for_every_field`.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema import build_schema
from schema.relay import to_global_id
from schema.tables.organisations import OrganisationKind
from security.platform import PlatformKeys
from security.roles import Role, Scope
from security.sharing import Visibility
from security.totp import new_totp_secret
from tests.accounts import LOGIN, PASSWORD, code_at, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import data, error_codes, execute
from tests.principals import (
    GOVERNMENT,
    MEMBER,
    ORG_ADMIN,
    PLATFORM,
    UNVETTED,
    VIEWER,
    World,
    build_world,
    server_viewer,
    visible_engagements,
)

OK, NULL, USER_ERROR = "ok", "null", "user_error"
UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"

# Who asks. Users of the vetted NGO, then other organisations' users, then the vetted
# NGO's API tokens: one without scopes and one per scope.
ANON = "anonymous"
TOKEN = "token[]"
TOKENS = (TOKEN, *(f"token[{scope.value}]" for scope in Scope))
READER = f"token[{Scope.RECOMMENDATIONS_READ.value}]"
USERS = (VIEWER, MEMBER, ORG_ADMIN, UNVETTED, GOVERNMENT, PLATFORM)
PRINCIPALS = (ANON, *USERS, *TOKENS)
# Everyone who reads as the vetted NGO: its users and its token with recommendations:read.
NGO = (VIEWER, MEMBER, ORG_ADMIN, READER)

CODES = {"unauthenticated": UNAUTHENTICATED, "forbidden": FORBIDDEN, "not_found": NOT_FOUND}


def cells(default: str, **others: Sequence[str]) -> dict[str, str]:
    """Every principal's outcome: `default`, except for the principals listed under
    another outcome (ok=, null=, user_error=, unauthenticated=, forbidden=, not_found=)."""
    row = dict.fromkeys(PRINCIPALS, default)
    for outcome, principals in others.items():
        for principal in principals:
            assert row[principal] == default, f"{principal} is listed twice"
            row[principal] = CODES.get(outcome, outcome)
    return row


EVERYONE = cells(OK)
SIGNED_IN_USERS = cells(OK, unauthenticated=[ANON], forbidden=TOKENS)
OWN_ORGANISATION_ADMINS = cells(FORBIDDEN, unauthenticated=[ANON], ok=[ORG_ADMIN, PLATFORM])
# Operations on the vetted NGO's objects: the platform admin is an admin elsewhere.
NGO_ADMIN = cells(FORBIDDEN, unauthenticated=[ANON], ok=[ORG_ADMIN], not_found=[PLATFORM])
PLATFORM_ADMIN = cells(FORBIDDEN, unauthenticated=[ANON], ok=[PLATFORM])

NODE = "query($id: ID!) { node(id: $id) { id } }"
ME = "{ me { user { id } } }"
USERS_LIST = "{ users(first: 1) { totalCount } }"
MY_SESSIONS = "{ mySessions(first: 1) { totalCount } }"
ORGANISATION_SESSIONS = "{ organisationSessions(first: 1) { totalCount } }"
API_TOKENS = "{ apiTokens(first: 1) { totalCount } }"
INVITATIONS = "{ invitations(first: 1) { totalCount } }"
STATES = "{ states(first: 1) { totalCount } }"
STATE = '{ state(code: "KEN") { code } }'
THEMES = "{ themes { code } }"
AFFECTED_PERSONS = "{ affectedPersons { code } }"
SDG_GOALS = "{ sdgGoals { number } }"
CYCLES = "{ cycles { number } }"
REVIEWS = "{ reviews(first: 1) { totalCount } }"
RECOMMENDATIONS = "{ recommendations(first: 1) { totalCount } }"
RECOMMENDATION_STATS = "{ recommendationStats { total } }"
NATIONAL_NGOS = "{ organisations(first: 1, filter: {kind: NATIONAL_NGO}) { totalCount } }"
COALITIONS = "{ coalitions(first: 1) { totalCount } }"
# Kenya's review in cycle 4 (session 48) is the world's review.
MIDTERM_REPORT = """
query($coalition: ID) {
  midtermReport(state: "KEN", cycle: 4, audience: {coalitionId: $coalition}) {
    recommendations { text }
  }
}
"""

# Mutations select their userErrors: "ok" is a payload without any.
LOGOUT = "mutation { logout { userErrors { code } } }"
CHANGE_PASSWORD = """
mutation($current: String!) {
  changePassword(currentPassword: $current, newPassword: "a fresh passphrase for the matrix") {
    userErrors { code }
  }
}
"""
REVOKE_SESSION = "mutation($id: ID!) { revokeSession(sessionId: $id) { userErrors { code } } }"
BEGIN_ENROLMENT = "mutation { beginSecondFactorEnrolment { userErrors { code } } }"
CONFIRM_SECOND_FACTOR = 'mutation { confirmSecondFactor(code: "x") { userErrors { code } } }'
STEP_UP = "mutation($code: String!) { stepUp(code: $code) { userErrors { code } } }"
RESET_SECOND_FACTOR = (
    "mutation($id: ID!) { resetSecondFactor(userId: $id) { userErrors { code } } }"
)
INVITE_USER = (
    'mutation { inviteUser(email: "new@example.org", role: MEMBER) { userErrors { code } } }'
)
REVOKE_INVITATION = (
    "mutation($id: ID!) { revokeInvitation(invitationId: $id) { userErrors { code } } }"
)
ACCEPT_INVITATION = """
mutation($token: String!) {
  acceptInvitation(token: $token, name: "Nobody", password: "a long enough passphrase") {
    userErrors { code }
  }
}
"""
SET_USER_ROLE = """
mutation($id: ID!) { setUserRole(userId: $id, role: VIEWER, version: 1) { userErrors { code } } }
"""
SET_USER_ACTIVE = """
mutation($id: ID!) { setUserActive(userId: $id, active: false, version: 1) { userErrors { code } } }
"""
CREATE_API_TOKEN = """
mutation($scopes: [Scope!]!, $expiresAt: DateTime!) {
  createApiToken(name: "client app", scopes: $scopes, expiresAt: $expiresAt) {
    userErrors { code } secret
  }
}
"""
REVOKE_API_TOKEN = "mutation($id: ID!) { revokeApiToken(apiTokenId: $id) { userErrors { code } } }"
CREATE_ORGANISATION = """
mutation { createOrganisation(input: {name: "Matrix", kind: NATIONAL_NGO}) { userErrors { code } } }
"""
SET_VETTED = """
mutation($id: ID!) {
  setOrganisationVetted(organisationId: $id, vetted: true) { userErrors { code } }
}
"""
INVITE_ORGANISATION_ADMIN = """
mutation($id: ID!) {
  inviteOrganisationAdmin(organisationId: $id, email: "head@example.org") { userErrors { code } }
}
"""
SET_PUBLIC_PROFILE = "mutation { setPublicProfile(public: true) { userErrors { code } } }"
CREATE_COALITION = 'mutation { createCoalition(name: "Matrix Coalition") { userErrors { code } } }'
INVITE_TO_COALITION = """
mutation($coalition: ID!, $organisation: ID!) {
  inviteToCoalition(coalitionId: $coalition, organisationId: $organisation) { userErrors { code } }
}
"""
ANSWER_INVITATION = """
mutation($coalition: ID!) {
  answerCoalitionInvitation(coalitionId: $coalition, accept: true) { userErrors { code } }
}
"""
LEAVE_COALITION = (
    "mutation($coalition: ID!) { leaveCoalition(coalitionId: $coalition) { userErrors { code } } }"
)
CONTACTS = "{ contacts(first: 1) { totalCount } }"
AUDIT_EVENTS = "{ auditEvents(first: 1) { totalCount } }"
# A well-formed contact id that names no contact (contact ids are per viewer anyway).
NO_CONTACT = to_global_id("Contact", "A" * 44)
CREATE_CONTACT = """
mutation {
  createContact(input: {fullName: "Jane Defender", riskLevel: HIGH, consent: GIVEN}) {
    userErrors { code }
  }
}
"""
CONTACT_INPUT = '{fullName: "Jane Defender", riskLevel: HIGH, consent: GIVEN}'
UPDATE_CONTACT = f"""
mutation($id: ID!) {{
  updateContact(contactId: $id, input: {CONTACT_INPUT}, version: 1) {{ userErrors {{ code }} }}
}}
"""
ERASE_CONTACT = """
mutation($id: ID!) {
  eraseContact(contactId: $id, reason: "asked to be removed") { userErrors { code } }
}
"""
REVEAL_CONTACT = """
mutation($id: ID!) {
  revealContact(contactId: $id, purpose: "safety planning call") { userErrors { code } }
}
"""
FIND_BY_EMAIL = 'mutation { findContactByEmail(email: "jane@example.org") { userErrors { code } } }'
FIND_BY_PHONE = 'mutation { findContactByPhone(phone: "+254712345678") { userErrors { code } } }'
SHARE_CONTACT = """
mutation($id: ID!, $organisation: ID!) {
  shareContact(contactId: $id, organisationId: $organisation, attributes: [COUNTRY],
               purpose: "joint protection work") { userErrors { code } }
}
"""
UNSHARE_CONTACT = """
mutation($id: ID!, $organisation: ID!) {
  unshareContact(contactId: $id, organisationId: $organisation) { userErrors { code } }
}
"""
GRANT_REVEAL = "mutation($id: ID!) { grantReveal(userId: $id) { userErrors { code } } }"
REVOKE_REVEAL = "mutation($id: ID!) { revokeReveal(userId: $id) { userErrors { code } } }"
ENGAGE = """
mutation($id: ID!) {
  engage(recommendationId: $id, role: LEAD, visibility: PUBLIC) { userErrors { code } }
}
"""
UPDATE_ENGAGEMENT = """
mutation($id: ID!, $coalition: ID!) {
  updateEngagement(engagementId: $id, role: PARTNER, visibility: COALITION,
                   coalitionId: $coalition, version: 1) { userErrors { code } }
}
"""
DISENGAGE = (
    "mutation($id: ID!) { disengage(engagementId: $id, version: 1) { userErrors { code } } }"
)
ASSESS = """
mutation($id: ID!, $today: Date!) {
  assessImplementation(recommendationId: $id, status: UNKNOWN, assessedOn: $today,
                       visibility: PUBLIC) { userErrors { code } }
}
"""
UPDATE_ASSESSMENT = """
mutation($id: ID!, $today: Date!, $coalition: ID!) {
  updateAssessment(assessmentId: $id, status: NOT_IMPLEMENTED, assessedOn: $today,
                   visibility: COALITION, coalitionId: $coalition, version: 1) {
    userErrors { code }
  }
}
"""
WITHDRAW_ASSESSMENT = """
mutation($id: ID!) { withdrawAssessment(assessmentId: $id, version: 1) { userErrors { code } } }
"""
ACTIVITIES = "{ activities(first: 1) { totalCount } }"
ACTIVITY_INPUT = '{kind: OTHER, title: "Matrix", startsOn: "2027-01-10", visibility: PUBLIC}'
CREATE_ACTIVITY = (
    f"mutation {{ createActivity(input: {ACTIVITY_INPUT}) {{ userErrors {{ code }} }} }}"
)
UPDATE_ACTIVITY = f"""
mutation($id: ID!) {{
  updateActivity(activityId: $id, version: 1, input: {ACTIVITY_INPUT}) {{ userErrors {{ code }} }}
}}
"""
CANCEL_ACTIVITY = (
    "mutation($id: ID!) { cancelActivity(activityId: $id, version: 1) { userErrors { code } } }"
)
PLEDGE_INPUT = '{amount: {amount: "10", currency: "USD"}, visibility: PARTNERS}'
PLEDGE_FUNDING = f"""
mutation($id: ID!) {{
  pledgeFunding(activityId: $id, input: {PLEDGE_INPUT}) {{ userErrors {{ code }} }}
}}
"""
UPDATE_PLEDGE = f"""
mutation($id: ID!) {{
  updatePledge(pledgeId: $id, version: 1, input: {PLEDGE_INPUT}) {{ userErrors {{ code }} }}
}}
"""
EXPORT = """
mutation($recipient: ID) {
  exportRecommendations(input: {recipient: $recipient}) { userErrors { code } export { count } }
}
"""
# A one-row UPR-info file, imported as a dry run (the world stays as it is).
IMPORT_FILE = base64.b64encode(
    b"To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\n"
    b"Kenya,Africa,,Ratify the Convention,Malawi,Africa,,Supported,5,,35\n"
).decode()
IMPORT = f"""
mutation {{
  importRecommendations(input: {{format: UPR_INFO, fileName: "a.csv", content: "{IMPORT_FILE}",
                                 dryRun: true}}) {{ userErrors {{ code }} result {{ rowsRead }} }}
}}
"""
# Keepers of contacts: members and admins of non-government organisations.
KEEPERS_ON_NOTHING = cells(
    FORBIDDEN,
    unauthenticated=[ANON],
    not_found=[MEMBER, ORG_ADMIN, UNVETTED, PLATFORM],
)
# Revealing, searching and sharing: reveal-grant holders only (none in this world).
GRANT_HOLDERS = cells(FORBIDDEN, unauthenticated=[ANON])
# Follow-up work: members and admins of any organisation, or a token with the scope,
# record their own; they change only their own (the vetted NGO's, here). Another
# organisation's row: FORBIDDEN if it may see it (the government is in the coalition),
# NOT_FOUND if not.
ENGAGER = f"token[{Scope.ENGAGEMENTS_WRITE.value}]"
ASSESSOR = f"token[{Scope.ASSESSMENTS_WRITE.value}]"
AUTHORS = (MEMBER, ORG_ADMIN, UNVETTED, GOVERNMENT, PLATFORM)
PLANNER = f"token[{Scope.ACTIVITIES_WRITE.value}]"


@dataclasses.dataclass(frozen=True)
class Row:
    """One row of the matrix: a GraphQL field (with a `case` when it has several rows)
    or, with `shared`, a row of (owner, sharing level) read through the policy."""

    expect: dict[str, str]
    field: str = ""
    document: str = ""
    # Values starting with "@" name an object of the world (see `World.ids`).
    variables: dict[str, Any] = dataclasses.field(default_factory=dict)
    case: str = ""
    shared: tuple[str, Visibility] | None = None

    @property
    def name(self) -> str:
        if self.shared is not None:
            return f"engagement of {self.shared[0]} at {self.shared[1].value}"
        return f"{self.field} ({self.case})" if self.case else self.field


def _node(case: str, expect: dict[str, str]) -> Row:
    return Row(expect, "node", NODE, {"id": f"@{case}"}, case)


def _shared(owner: str, level: Visibility, expect: dict[str, str]) -> Row:
    return Row(expect, shared=(owner, level))


MATRIX: list[Row] = [
    # Reads. The directory: public profiles for all; vetted partners and platform admins
    # (who vet from it) see everything; an organisation sees itself and the active
    # members of its coalitions.
    _node("public_organisation", EVERYONE),
    _node("ngo", cells(NULL, ok=[*NGO, GOVERNMENT, PLATFORM])),
    _node("unvetted", cells(NULL, ok=[*NGO, UNVETTED, PLATFORM])),  # invited, not a member
    _node("government", cells(NULL, ok=[*NGO, GOVERNMENT, PLATFORM])),
    _node("coalition", cells(NULL, ok=[*NGO, UNVETTED, GOVERNMENT])),
    _node("colleague", cells(NULL, ok=[VIEWER, MEMBER, ORG_ADMIN])),  # users: own organisation
    Row(cells(OK, null=[ANON, *TOKENS]), "me", ME),
    Row(SIGNED_IN_USERS, "users", USERS_LIST),
    Row(SIGNED_IN_USERS, "mySessions", MY_SESSIONS),
    # An admin lists the sessions of the users it may manage: never a platform admin's.
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[ORG_ADMIN], null=[PLATFORM]),
        "organisationSessions",
        ORGANISATION_SESSIONS,
    ),
    # The platform organisation has no tokens or invitations: an empty list.
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[ORG_ADMIN], null=[PLATFORM]),
        "apiTokens",
        API_TOKENS,
    ),
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[ORG_ADMIN], null=[PLATFORM]),
        "invitations",
        INVITATIONS,
    ),
    Row(EVERYONE, "states", STATES),
    Row(EVERYONE, "state", STATE),
    Row(EVERYONE, "themes", THEMES),
    Row(EVERYONE, "affectedPersons", AFFECTED_PERSONS),
    Row(EVERYONE, "sdgGoals", SDG_GOALS),
    Row(EVERYONE, "cycles", CYCLES),
    Row(EVERYONE, "reviews", REVIEWS),
    Row(EVERYONE, "recommendations", RECOMMENDATIONS),
    Row(EVERYONE, "activities", ACTIVITIES),  # the partner's public activity, at least
    # A coalition activity and pledge: a pledge is never more visible than its activity.
    _node("activity_coalition", cells(NULL, ok=[*NGO, GOVERNMENT])),
    _node("pledge_coalition", cells(NULL, ok=[*NGO, GOVERNMENT])),
    Row(EVERYONE, "recommendationStats", RECOMMENDATION_STATS),
    Row(cells(NULL, ok=[*NGO, UNVETTED, GOVERNMENT, PLATFORM]), "organisations", NATIONAL_NGOS),
    Row(cells(NULL, ok=[*NGO, UNVETTED, GOVERNMENT]), "coalitions", COALITIONS),
    Row(cells(NULL), "contacts", CONTACTS),  # none kept yet: see tests/schema/registry
    # Reports: the public one for anyone; a coalition's for its active members who read
    # shared work (not a token without recommendations:read); NOT_FOUND for anyone else,
    # and for a coalition the asker is only invited to.
    Row(EVERYONE, "midtermReport", MIDTERM_REPORT, case="public"),
    Row(
        cells(
            NOT_FOUND,
            unauthenticated=[ANON],
            forbidden=[t for t in TOKENS if t != READER],
            ok=[*NGO, GOVERNMENT],
        ),
        "midtermReport",
        MIDTERM_REPORT,
        {"coalition": "@coalition"},
        "coalition",
    ),
    Row(
        cells(NOT_FOUND, unauthenticated=[ANON], forbidden=[t for t in TOKENS if t != READER]),
        "midtermReport",
        MIDTERM_REPORT,
        {"coalition": "@invited_to"},
        "coalition only invited to",
    ),
    # Admins read their organisation's chain (empty before any mutation); the platform
    # admin the platform's (the key versions recorded at start-up are in it).
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], null=[ORG_ADMIN], ok=[PLATFORM]),
        "auditEvents",
        AUDIT_EVENTS,
    ),
    # Sharing levels: the vetted NGO's own rows and a vetted partner's, both members of
    # the coalition the government accepted (the unvetted NGO is only invited to it).
    _shared("ngo", Visibility.PUBLIC, EVERYONE),
    _shared("ngo", Visibility.PARTNERS, cells(NULL, ok=NGO)),
    _shared("ngo", Visibility.COALITION, cells(NULL, ok=[*NGO, GOVERNMENT])),
    _shared("ngo", Visibility.ORGANISATION, cells(NULL, ok=NGO)),
    _shared("partner", Visibility.PUBLIC, EVERYONE),
    _shared("partner", Visibility.PARTNERS, cells(NULL, ok=NGO)),
    _shared("partner", Visibility.COALITION, cells(NULL, ok=[*NGO, GOVERNMENT])),
    _shared("partner", Visibility.ORGANISATION, cells(NULL)),
    # Mutations.
    Row(EVERYONE, "login", LOGIN, {"email": "@login_email", "password": PASSWORD}),
    # Follow-up work (before anyone leaves the coalition).
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[*AUTHORS, ENGAGER]),
        "engage",
        ENGAGE,
        {"id": "@recommendation"},
    ),
    Row(
        cells(
            FORBIDDEN,
            unauthenticated=[ANON],
            ok=[MEMBER, ORG_ADMIN, ENGAGER],
            not_found=[UNVETTED, PLATFORM],
        ),
        "updateEngagement",
        UPDATE_ENGAGEMENT,
        {"id": "@engagement_coalition", "coalition": "@coalition"},
    ),
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[MEMBER, ORG_ADMIN, ENGAGER]),
        "disengage",
        DISENGAGE,
        {"id": "@engagement_public"},
    ),
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[*AUTHORS, ASSESSOR]),
        "assessImplementation",
        ASSESS,
        {"id": "@recommendation", "today": "@today"},
    ),
    Row(
        cells(
            FORBIDDEN,
            unauthenticated=[ANON],
            ok=[MEMBER, ORG_ADMIN, ASSESSOR],
            not_found=[UNVETTED, PLATFORM],
        ),
        "updateAssessment",
        UPDATE_ASSESSMENT,
        {"id": "@assessment_coalition", "today": "@today", "coalition": "@coalition"},
    ),
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[MEMBER, ORG_ADMIN, ASSESSOR]),
        "withdrawAssessment",
        WITHDRAW_ASSESSMENT,
        {"id": "@assessment_public"},
    ),
    Row(SIGNED_IN_USERS, "changePassword", CHANGE_PASSWORD, {"current": PASSWORD}),
    Row(
        cells(NOT_FOUND, unauthenticated=[ANON], forbidden=TOKENS, ok=[ORG_ADMIN]),
        "revokeSession",
        REVOKE_SESSION,
        {"id": "@colleague_session"},
    ),
    Row(
        cells(OK, unauthenticated=[ANON], forbidden=TOKENS, user_error=[ORG_ADMIN, PLATFORM]),
        "beginSecondFactorEnrolment",
        BEGIN_ENROLMENT,
    ),
    Row(
        cells(USER_ERROR, unauthenticated=[ANON], forbidden=TOKENS),
        "confirmSecondFactor",
        CONFIRM_SECOND_FACTOR,
    ),
    Row(
        cells(UNAUTHENTICATED, forbidden=TOKENS, ok=[ORG_ADMIN, PLATFORM]),
        "stepUp",
        STEP_UP,
        {"code": "@recovery_code"},
    ),
    Row(NGO_ADMIN, "resetSecondFactor", RESET_SECOND_FACTOR, {"id": "@colleague"}),
    Row(OWN_ORGANISATION_ADMINS, "inviteUser", INVITE_USER),
    Row(NGO_ADMIN, "revokeInvitation", REVOKE_INVITATION, {"id": "@invitation"}),
    Row(cells(USER_ERROR), "acceptInvitation", ACCEPT_INVITATION, {"token": "upr_i_" + "A" * 43}),
    Row(NGO_ADMIN, "setUserRole", SET_USER_ROLE, {"id": "@role_target"}),
    Row(NGO_ADMIN, "setUserActive", SET_USER_ACTIVE, {"id": "@active_target"}),
    Row(
        OWN_ORGANISATION_ADMINS,
        "createApiToken",
        CREATE_API_TOKEN,
        {"scopes": ["RECOMMENDATIONS_READ"], "expiresAt": "@token_expiry"},
    ),
    Row(NGO_ADMIN, "revokeApiToken", REVOKE_API_TOKEN, {"id": "@spare_token"}),
    Row(PLATFORM_ADMIN, "createOrganisation", CREATE_ORGANISATION),
    Row(PLATFORM_ADMIN, "setOrganisationVetted", SET_VETTED, {"id": "@candidate"}),
    Row(PLATFORM_ADMIN, "inviteOrganisationAdmin", INVITE_ORGANISATION_ADMIN, {"id": "@candidate"}),
    Row(PLATFORM_ADMIN, "importRecommendations", IMPORT),
    Row(OWN_ORGANISATION_ADMINS, "setPublicProfile", SET_PUBLIC_PROFILE),
    Row(OWN_ORGANISATION_ADMINS, "createCoalition", CREATE_COALITION),
    Row(
        NGO_ADMIN,
        "inviteToCoalition",
        INVITE_TO_COALITION,
        {"coalition": "@coalition", "organisation": "@candidate"},
    ),
    Row(NGO_ADMIN, "answerCoalitionInvitation", ANSWER_INVITATION, {"coalition": "@invited_to"}),
    Row(NGO_ADMIN, "leaveCoalition", LEAVE_COALITION, {"coalition": "@coalition"}),
    # The registry.
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[MEMBER, ORG_ADMIN, UNVETTED, PLATFORM]),
        "createContact",
        CREATE_CONTACT,
    ),
    Row(KEEPERS_ON_NOTHING, "updateContact", UPDATE_CONTACT, {"id": NO_CONTACT}),
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], not_found=[ORG_ADMIN, PLATFORM]),
        "eraseContact",
        ERASE_CONTACT,
        {"id": NO_CONTACT},
    ),
    Row(GRANT_HOLDERS, "revealContact", REVEAL_CONTACT, {"id": NO_CONTACT}),
    Row(GRANT_HOLDERS, "findContactByEmail", FIND_BY_EMAIL),
    Row(GRANT_HOLDERS, "findContactByPhone", FIND_BY_PHONE),
    Row(
        GRANT_HOLDERS,
        "shareContact",
        SHARE_CONTACT,
        {"id": NO_CONTACT, "organisation": "@candidate"},
    ),
    Row(
        KEEPERS_ON_NOTHING,
        "unshareContact",
        UNSHARE_CONTACT,
        {"id": NO_CONTACT, "organisation": "@candidate"},
    ),
    Row(NGO_ADMIN, "grantReveal", GRANT_REVEAL, {"id": "@colleague"}),
    Row(NGO_ADMIN, "revokeReveal", REVOKE_REVEAL, {"id": "@colleague"}),
    # Activities and pledges: the same authors, with activities:write for tokens.
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[*AUTHORS, PLANNER]),
        "createActivity",
        CREATE_ACTIVITY,
    ),
    Row(
        cells(
            FORBIDDEN,
            unauthenticated=[ANON],
            ok=[MEMBER, ORG_ADMIN, PLANNER],
            not_found=[UNVETTED, PLATFORM],
        ),
        "updateActivity",
        UPDATE_ACTIVITY,
        {"id": "@activity_coalition"},
    ),
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[MEMBER, ORG_ADMIN, PLANNER]),
        "cancelActivity",
        CANCEL_ACTIVITY,
        {"id": "@activity_public"},
    ),
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[*AUTHORS, PLANNER]),
        "pledgeFunding",
        PLEDGE_FUNDING,
        {"id": "@partner_activity"},
    ),
    Row(
        cells(
            FORBIDDEN,
            unauthenticated=[ANON],
            ok=[MEMBER, ORG_ADMIN, PLANNER],
            not_found=[UNVETTED, PLATFORM],
        ),
        "updatePledge",
        UPDATE_PLEDGE,
        {"id": "@pledge_coalition"},
    ),
    # Exports: any signed-in user, or a token with recommendations:read; a recipient
    # out of the exporter's sight in the directory is NOT_FOUND.
    Row(
        cells(FORBIDDEN, unauthenticated=[ANON], ok=[*USERS, READER]),
        "exportRecommendations",
        EXPORT,
    ),
    Row(
        cells(
            FORBIDDEN, unauthenticated=[ANON], ok=[*NGO, GOVERNMENT, PLATFORM], not_found=[UNVETTED]
        ),
        "exportRecommendations",
        EXPORT,
        {"recipient": "@partner"},
        "for an organisation",
    ),
    Row(SIGNED_IN_USERS, "logout", LOGOUT),
]


@pytest.fixture
async def world(engine: AsyncEngine, platform_keys: PlatformKeys, clock: Clock) -> World:
    return await build_world(engine, platform_keys, clock.now)


async def _credentials(
    principal: str, world: World, client: httpx.AsyncClient, clock: Clock
) -> str | None:
    """The principal's bearer secret: none, a session, or an API token."""
    if principal == ANON:
        return None
    if principal == TOKEN:
        return world.scopeless_token
    if principal in TOKENS:
        admin = await _credentials(ORG_ADMIN, world, client, clock)
        scope = Scope(principal.removeprefix("token[").removesuffix("]")).name
        variables = {"scopes": [scope], "expiresAt": world.ids["token_expiry"]}
        created = await data(client, CREATE_API_TOKEN, variables, token=admin)
        secret: str = created["createApiToken"]["secret"]
        return secret
    secret_key = world.second_factors.get(principal)
    code = code_at(secret_key, clock.now) if secret_key else None
    return await sign_in(client, world.emails[principal], second_factor=code)


def _outcome(body: dict[str, Any], field: str) -> str:
    codes = error_codes(body)
    value = (body.get("data") or {}).get(field)
    if codes:
        return "+".join(sorted(set(codes))) + (" with data" if value is not None else "")
    if isinstance(value, dict) and "userErrors" in value:
        return USER_ERROR if value["userErrors"] else OK
    empty = value in (None, []) or (isinstance(value, dict) and value.get("totalCount") == 0)
    return NULL if empty else OK


def _resolve(variables: dict[str, Any], world: World) -> dict[str, Any]:
    return {
        name: world.ids[value[1:]] if isinstance(value, str) and value.startswith("@") else value
        for name, value in variables.items()
    }


def test_the_table_has_a_row_for_every_field() -> None:
    # Given the schema's root fields; then each has a row, and no row names a stale field
    graphql_schema = build_schema()._schema
    assert graphql_schema.query_type is not None
    assert graphql_schema.mutation_type is not None
    fields = {*graphql_schema.query_type.fields, *graphql_schema.mutation_type.fields}
    assert {row.field for row in MATRIX if row.field} == fields
    # And every row has one cell per principal, and a name of its own
    assert all(set(row.expect) == set(PRINCIPALS) for row in MATRIX)
    assert len({row.name for row in MATRIX}) == len(MATRIX)
    assert {row.shared for row in MATRIX if row.shared} == {
        (owner, level) for owner in ("ngo", "partner") for level in Visibility
    }


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_each_principal_gets_its_column_of_the_matrix(
    principal: str,
    world: World,
    app: Starlette,
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    clock: Clock,
) -> None:
    # Given the principal's credentials and what the server reads them as
    credentials = await _credentials(principal, world, client, clock)
    seen = await visible_engagements(engine, await server_viewer(app, credentials))
    # When it runs every row of the table, in order
    outcomes = {}
    for row in MATRIX:
        if row.shared is not None:
            outcomes[row.name] = OK if world.engagements[row.shared] in seen else NULL
            continue
        variables = _resolve(row.variables, world)
        body = await execute(client, row.document, variables, token=credentials)
        outcomes[row.name] = _outcome(body, row.field)
    # Then every cell is what the table says
    assert outcomes == {row.name: row.expect[principal] for row in MATRIX}


ON_A_USER = {
    "setUserRole": SET_USER_ROLE,
    "setUserActive": SET_USER_ACTIVE,
    "resetSecondFactor": RESET_SECOND_FACTOR,
}


@pytest.mark.parametrize("operation", list(ON_A_USER))
async def test_an_org_admin_never_acts_on_a_platform_admin(
    operation: str,
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
) -> None:
    # Given a platform admin, and an org admin of the same (platform) organisation
    platform = await make_organisation(engine, "Upright", OrganisationKind.OTHER)
    secret = new_totp_secret()
    target, _ = await make_user(
        engine, platform_keys, platform, Role.PLATFORM_ADMIN, totp_secret=new_totp_secret()
    )
    _, email = await make_user(engine, platform_keys, platform, Role.ORG_ADMIN, totp_secret=secret)
    admin = await sign_in(client, email, second_factor=code_at(secret, clock.now))
    # When the org admin changes, deactivates or resets the platform admin
    variables = {"id": to_global_id("User", target)}
    body = await execute(client, ON_A_USER[operation], variables, token=admin)
    # Then that is refused, as a role above their own
    assert error_codes(body) == ["FORBIDDEN"]
