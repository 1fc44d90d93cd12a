"""Engagements: engage, update, disengage; one per organisation and recommendation;
listed under the policy; only the owner changes its own, at the version it read."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from schema.relay import to_global_id
from schema.tables.followup import Engagement
from security.roles import Role
from tests.factories import make_coalition
from tests.graphql import error_codes
from tests.schema.followup.conftest import ENGAGE, ENGAGEMENT_FIELDS, FollowUpWorld
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED

UPDATE = f"""
mutation($id: ID!, $role: EngagementRole!, $visibility: Visibility!, $version: Int!,
         $note: String, $coalition: ID) {{
  updateEngagement(engagementId: $id, role: $role, visibility: $visibility, version: $version,
                   note: $note, coalitionId: $coalition) {{
    userErrors {{ field code message }} engagement {{ {ENGAGEMENT_FIELDS} }}
  }}
}}
"""
DISENGAGE = """
mutation($id: ID!, $version: Int!) {
  disengage(engagementId: $id, version: $version) {
    userErrors { field code message } disengagedEngagementId
  }
}
"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Engagement {{ {ENGAGEMENT_FIELDS} }} }} }}"


ROWS = select(
    Engagement.owner_organisation_id,
    Engagement.role,
    Engagement.note,
    Engagement.visibility,
    Engagement.version,
).order_by(Engagement.id)


async def test_engage_update_and_disengage(world: FollowUpWorld) -> None:
    # Given the NGO engages publicly as lead, with a note
    engaged = await world.engage(NGO, note="  Leads the working group.  ")
    assert engaged["userErrors"] == []
    engagement = engaged["engagement"]
    assert engagement["role"] == "LEAD"
    assert engagement["note"] == "Leads the working group."
    assert (engagement["visibility"], engagement["version"]) == ("PUBLIC", 1)
    assert engagement["organisation"] == {"name": "Kenya Rights Network"}
    assert engagement["recommendation"] == {"id": world.recommendation}
    # Then anyone sees it on the recommendation
    listed = (await world.follow_up(ANONYMOUS))["engagements"]
    assert listed == [
        {"role": "LEAD", "visibility": "PUBLIC", "organisation": {"name": "Kenya Rights Network"}}
    ]

    # When it makes the engagement its own business as a partner, without a note
    variables = {"id": engagement["id"], "role": "PARTNER", "visibility": "ORGANISATION"}
    updated = await world.payload(NGO, UPDATE, {**variables, "version": 1}, "updateEngagement")
    # Then the new version shows to the NGO only
    assert updated["userErrors"] == []
    assert updated["engagement"]["role"] == "PARTNER"
    assert updated["engagement"]["note"] is None
    assert updated["engagement"]["version"] == 2
    assert (await world.follow_up(ANONYMOUS))["engagements"] == []
    assert (await world.follow_up(PARTNER))["engagements"] == []
    assert [e["role"] for e in (await world.follow_up(NGO))["engagements"]] == ["PARTNER"]

    # When it disengages at the version it read
    ended = await world.payload(NGO, DISENGAGE, {"id": engagement["id"], "version": 2}, "disengage")
    # Then the engagement is gone
    assert ended == {"userErrors": [], "disengagedEngagementId": engagement["id"]}
    assert (await world.follow_up(NGO))["engagements"] == []
    assert await world.rows(ROWS) == []
    # And each step is in the NGO's audit chain, without the note
    audit = await world.audit(NGO)
    assert [(action, subject) for action, subject, _ in audit] == [
        ("engagement.created", "Engagement"),
        ("engagement.updated", "Engagement"),
        ("engagement.deleted", "Engagement"),
    ]
    assert audit[0][2] == {
        "recommendation": str(world.recommendation_key),
        "role": "LEAD",
        "visibility": "PUBLIC",
    }
    assert "working group" not in str(audit)


async def test_engaging_twice_is_a_conflict(world: FollowUpWorld) -> None:
    # Given the NGO engaged on the recommendation
    await world.engage(NGO)
    # When it engages again
    again = await world.engage(NGO, role="MONITOR", visibility="PARTNERS")
    # Then a CONFLICT, and its first engagement is unchanged
    assert again["engagement"] is None
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [
        ("recommendationId", "CONFLICT")
    ]
    assert [row[1:] for row in await world.rows(ROWS)] == [("LEAD", None, "PUBLIC", 1)]
    # But another organisation engages on the same recommendation
    assert (await world.engage(PARTNER))["userErrors"] == []


async def test_engagements_are_listed_under_the_policy(world: FollowUpWorld) -> None:
    # Given engagements at every level: the NGO's with partners, the partner's with the
    # coalition, the unvetted group's public and the government's its own
    await world.engage(NGO, "PARTNERS")
    await world.engage(PARTNER, "COALITION", coalition=world.coalition)
    await world.engage(UNVETTED, "PUBLIC")
    await world.engage(GOVERNMENT, "ORGANISATION")

    async def names(who: str) -> list[str | None]:
        engagements = (await world.follow_up(who))["engagements"]
        return [(e["organisation"] or {}).get("name") for e in engagements]

    # Then each sees what the policy lets it see, by organisation name; an organisation
    # the directory hides from the reader (no public profile) is not named
    assert await names(ANONYMOUS) == [None]
    assert await names(NGO) == ["Geneva Rights Watch", "Kenya Rights Network", "Unvetted Group"]
    assert await names(PARTNER) == ["Geneva Rights Watch", "Kenya Rights Network", "Unvetted Group"]
    assert await names(UNVETTED) == ["Unvetted Group"]
    assert await names(GOVERNMENT) == ["Ministry of Justice", None]
    # And the unnamed owner answers like an organisation that does not exist
    hidden = to_global_id("Organisation", world.organisations[UNVETTED])
    node = await world.run(ANONYMOUS, "query($id: ID!) { node(id: $id) { id } }", {"id": hidden})
    assert node == {"data": {"node": None}}


async def test_node_lookups_follow_the_policy(world: FollowUpWorld) -> None:
    # Given the partner's engagement shared with the coalition
    engaged = await world.engage(PARTNER, "COALITION", coalition=world.coalition)
    engagement = engaged["engagement"]
    assert engagement["coalition"] is not None
    # When each asks for it by id
    answers = {who: await world.run(who, NODE, {"id": engagement["id"]}) for who in world.names}
    # Then coalition members see it, with its coalition; others as if it did not exist
    assert answers[NGO] == {"data": {"node": engagement}}
    assert answers[PARTNER] == {"data": {"node": engagement}}
    missing = await world.run(NGO, NODE, {"id": to_global_id("Engagement", uuid.uuid4())})
    assert answers[UNVETTED] == answers[GOVERNMENT] == missing == {"data": {"node": None}}


async def test_a_stale_version_is_a_conflict_and_writes_nothing(world: FollowUpWorld) -> None:
    # Given an engagement that a colleague updated to version 2
    engagement = (await world.engage(NGO))["engagement"]
    first = {"id": engagement["id"], "role": "PARTNER", "visibility": "PUBLIC", "version": 1}
    assert (await world.payload(NGO, UPDATE, first, "updateEngagement"))["userErrors"] == []
    before = await world.rows(ROWS)
    # When another update, and a disengage, come from version 1
    stale = {**first, "role": "MONITOR", "note": "Monitoring only."}
    updated = await world.payload(NGO, UPDATE, stale, "updateEngagement")
    ended = await world.payload(NGO, DISENGAGE, {"id": engagement["id"], "version": 1}, "disengage")
    # Then both are a CONFLICT on the version, and nothing changed
    for payload in (updated, ended):
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("version", "CONFLICT")]
    assert updated["engagement"] is None
    assert ended["disengagedEngagementId"] is None
    assert await world.rows(ROWS) == before
    assert [action for action, _, _ in await world.audit(NGO)] == [
        "engagement.created",
        "engagement.updated",
    ]


@pytest.mark.parametrize("operation", ["updateEngagement", "disengage"])
async def test_another_organisations_engagement(world: FollowUpWorld, operation: str) -> None:
    # Given the partner's engagement, shared with vetted partners
    engagement = (await world.engage(PARTNER, "PARTNERS"))["engagement"]
    before = await world.rows(ROWS)
    document = UPDATE if operation == "updateEngagement" else DISENGAGE
    variables = {"role": "LEAD", "visibility": "PUBLIC", "version": 1}

    async def attempt(who: str, engagement_id: str) -> list[str]:
        return error_codes(await world.run(who, document, {**variables, "id": engagement_id}))

    # Then the NGO, which sees it, may not change it; the unvetted group and the
    # government, which do not see it, get what a random id gets
    random = to_global_id("Engagement", uuid.uuid4())
    assert await attempt(NGO, engagement["id"]) == ["FORBIDDEN"]
    assert await attempt(UNVETTED, engagement["id"]) == ["NOT_FOUND"]
    assert await attempt(GOVERNMENT, engagement["id"]) == ["NOT_FOUND"]
    assert await world.run(GOVERNMENT, document, {**variables, "id": engagement["id"]}) == (
        await world.run(GOVERNMENT, document, {**variables, "id": random})
    )
    assert await world.rows(ROWS) == before


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"note": "x" * 2001}, "note"),
        ({"note": "nul \x00 inside"}, "note"),
        ({"visibility": "COALITION"}, "coalitionId"),
        ({"visibility": "PUBLIC", "coalition": "@coalition"}, "coalitionId"),
        ({"visibility": "COALITION", "coalition": "not an id"}, "coalitionId"),
        ({"visibility": "COALITION", "coalition": "@foreign"}, "coalitionId"),
    ],
)
async def test_invalid_input_is_a_user_error(
    world: FollowUpWorld, variables: dict[str, str], field: str
) -> None:
    # Given a coalition the NGO is not in
    foreign = await make_coalition(world.engine, world.organisations[GOVERNMENT])
    named = {"@coalition": world.coalition, "@foreign": to_global_id("Coalition", foreign)}
    variables = {name: named.get(value, value) for name, value in variables.items()}
    # When the NGO engages with the invalid value
    engaged = await world.engage(NGO, **variables)
    # Then the field is named, nothing is written, and the message does not echo input
    assert [(e["field"], e["code"]) for e in engaged["userErrors"]] == [(field, "BAD_USER_INPUT")]
    assert engaged["engagement"] is None
    assert await world.rows(ROWS) == []
    assert "xxxx" not in engaged["userErrors"][0]["message"]


async def test_updates_are_checked_like_engagements(world: FollowUpWorld) -> None:
    engagement = (await world.engage(NGO))["engagement"]
    before = await world.rows(ROWS)
    variables = {"id": engagement["id"], "role": "LEAD", "version": 1}
    for visibility, note in (("PUBLIC", "x" * 2001), ("COALITION", None)):
        payload = await world.payload(
            NGO, UPDATE, {**variables, "visibility": visibility, "note": note}, "updateEngagement"
        )
        assert [e["code"] for e in payload["userErrors"]] == ["BAD_USER_INPUT"]
    assert await world.rows(ROWS) == before


@pytest.mark.parametrize(
    ("recommendation", "code"),
    [
        (to_global_id("Recommendation", uuid.uuid4()), "NOT_FOUND"),
        (to_global_id("Organisation", uuid.uuid4()), "BAD_USER_INPUT"),
        ("not an id", "BAD_USER_INPUT"),
    ],
)
async def test_unknown_recommendations(
    world: FollowUpWorld, recommendation: str, code: str
) -> None:
    variables = {"recommendation": recommendation, "role": "LEAD", "visibility": "PUBLIC"}
    body = await world.run(NGO, ENGAGE, variables)
    assert error_codes(body) == [code]
    assert await world.rows(ROWS) == []


async def test_who_may_engage(world: FollowUpWorld) -> None:
    # Given a viewer of the NGO, and NGO tokens with and without the scope
    viewer = await world.session(NGO, Role.VIEWER)
    writer = await world.token(NGO, "engagements:write")
    assessor = await world.token(NGO, "assessments:write", "recommendations:read")
    # Then anonymous clients must sign in, and viewers and tokens without the scope may not
    variables = {"recommendation": world.recommendation, "role": "LEAD", "visibility": "PUBLIC"}
    assert error_codes(await world.run(ANONYMOUS, ENGAGE, variables)) == ["UNAUTHENTICATED"]
    assert error_codes(await world.run(viewer, ENGAGE, variables)) == ["FORBIDDEN"]
    assert error_codes(await world.run(assessor, ENGAGE, variables)) == ["FORBIDDEN"]
    assert await world.rows(ROWS) == []
    # And a token with engagements:write engages for its organisation, even one shared
    # with nobody else (it reads back what it wrote, though it reads nothing else)
    engaged = await world.engage(writer, "ORGANISATION")
    assert engaged["userErrors"] == []
    assert engaged["engagement"]["organisation"] == {"name": "Kenya Rights Network"}
    (entry,) = await world.audit(NGO)
    assert entry[2]["visibility"] == "ORGANISATION"
    assert "apiToken" in entry[2]
