"""createActivity, updateActivity, cancelActivity: what is written, who may write it,
each validation rule, and a stale version that overwrites nothing."""

from __future__ import annotations

from typing import Any

import pytest

from schema.db import new_id
from schema.relay import to_global_id
from security.roles import Role
from tests.graphql import error_codes
from tests.schema.activities.conftest import CANCEL, CREATE, UPDATE, ActivityWorld
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED


async def test_create_records_the_activity_with_its_owner_among_the_organisers(
    world: ActivityWorld,
) -> None:
    # When the NGO records a workshop with the partner, on two recommendations
    activity = await world.create()
    # Then it is stored as given, owned by the NGO, organised with the partner
    assert {key: activity[key] for key in ("kind", "startsOn", "endsOn", "city", "stage")} == {
        "kind": "CSO_STRATEGY_WORKSHOP",
        "startsOn": "2027-03-10",
        "endsOn": "2027-03-11",
        "city": "Nairobi",
        "stage": "UPCOMING",  # the clock stands in November 2026
    }
    assert activity["organisation"] == {"name": world.names[NGO]}
    assert [o["name"] for o in activity["organisers"]] == sorted(
        [world.names[NGO], world.names[PARTNER]]
    )
    assert [r["id"] for r in activity["recommendations"]] == world.recommendations
    assert activity["review"] == {"id": world.review}
    assert activity["country"] == {"code": "KEN"}
    assert activity["budget"] == {"amount": "15000.00", "currency": "USD"}
    assert activity["fundingGap"] == {"amount": "15000.00", "currency": "USD"}
    assert activity["version"] == 1
    # And the owner's audit chain holds the creation, without its text or place
    assert await world.audit(NGO) == [
        (
            "activity.created",
            "Activity",
            {
                "kind": "CSO_STRATEGY_WORKSHOP",
                "visibility": "PARTNERS",
                "review": str(world.review_key),
            },
        )
    ]


async def test_currencies_keep_their_own_minor_units(world: ActivityWorld) -> None:
    yen = await world.create(budget={"amount": "2500000", "currency": "JPY"})
    dinar = await world.create(budget={"amount": "1250.5", "currency": "kwd"})
    free = await world.create(budget=None)
    assert yen["budget"] == {"amount": "2500000", "currency": "JPY"}
    assert dinar["budget"] == {"amount": "1250.500", "currency": "KWD"}
    assert (free["budget"], free["fundingGap"], free["pledged"]) == (None, None, None)


async def test_coalition_activity_names_its_coalition(world: ActivityWorld) -> None:
    activity = await world.create(visibility="COALITION", coalitionId=world.coalition)
    assert activity["visibility"] == "COALITION"
    assert activity["coalition"] is not None


async def test_update_replaces_every_field_and_bumps_the_version(world: ActivityWorld) -> None:
    # Given an activity
    activity = await world.create()
    # When the NGO updates it: a single day, no partner, one recommendation, public
    changes = world.activity_input(
        title="Dialogue with the Ministry",
        kind="CSO_GOVERNMENT_DIALOGUE",
        endsOn=None,
        city="Mombasa",
        organisers=[],
        recommendations=world.recommendations[:1],
        visibility="PUBLIC",
    )
    payload = await world.payload(
        NGO, UPDATE, {"id": activity["id"], "version": 1, "input": changes}, "updateActivity"
    )
    # Then it holds the new values only, at version 2
    assert payload["userErrors"] == []
    updated = payload["activity"]
    assert (updated["title"], updated["kind"], updated["endsOn"], updated["city"]) == (
        "Dialogue with the Ministry",
        "CSO_GOVERNMENT_DIALOGUE",
        None,
        "Mombasa",
    )
    assert [o["name"] for o in updated["organisers"]] == [world.names[NGO]]
    assert [r["id"] for r in updated["recommendations"]] == world.recommendations[:1]
    assert (updated["visibility"], updated["version"]) == ("PUBLIC", 2)
    assert [entry[0] for entry in await world.audit(NGO)] == [
        "activity.created",
        "activity.updated",
    ]


async def test_a_stale_version_conflicts_and_writes_nothing(world: ActivityWorld) -> None:
    # Given an activity updated once (now at version 2)
    activity = await world.create()
    first = {"id": activity["id"], "version": 1, "input": world.activity_input(title="Renamed")}
    assert (await world.payload(NGO, UPDATE, first, "updateActivity"))["userErrors"] == []
    before = await world.stored()
    # When someone who read version 1 updates or cancels it
    stale = {**first, "input": world.activity_input(title="Stale", organisers=[])}
    updated = await world.payload(NGO, UPDATE, stale, "updateActivity")
    cancelled = await world.payload(
        NGO, CANCEL, {"id": activity["id"], "version": 1}, "cancelActivity"
    )
    # Then both conflict, and nothing changed: row, links, audit
    for payload in (updated, cancelled):
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("version", "CONFLICT")]
        assert payload["activity"] is None
    assert await world.stored() == before


async def test_cancel_keeps_the_activity_on_record(world: ActivityWorld) -> None:
    # Given an activity
    activity = await world.create()
    # When the NGO cancels it
    payload = await world.payload(
        NGO, CANCEL, {"id": activity["id"], "version": 1}, "cancelActivity"
    )
    # Then it is cancelled now, still readable, and the cancellation is audited
    cancelled = payload["activity"]
    assert (cancelled["stage"], cancelled["version"]) == ("CANCELLED", 2)
    assert cancelled["cancelledAt"] == world.clock.now.isoformat()
    assert (await world.audit(NGO))[-1] == ("activity.cancelled", "Activity", {})
    # And cancelling it again is refused
    again = await world.payload(NGO, CANCEL, {"id": activity["id"], "version": 2}, "cancelActivity")
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [(None, "BAD_USER_INPUT")]


@pytest.mark.parametrize("operation", ["update", "cancel"])
async def test_only_the_owner_changes_an_activity(world: ActivityWorld, operation: str) -> None:
    # Given the NGO's activity shared with partners, and one kept to itself
    shared = await world.create(visibility="PARTNERS")
    own = await world.create(visibility="ORGANISATION")
    before = await world.stored()

    async def attempt(activity_id: str) -> dict[str, Any]:
        if operation == "update":
            variables = {"id": activity_id, "version": 1, "input": world.activity_input()}
            return await world.run(PARTNER, UPDATE, variables)
        return await world.run(PARTNER, CANCEL, {"id": activity_id, "version": 1})

    # When the partner tries to change each, and an activity that does not exist
    visible, hidden = await attempt(shared["id"]), await attempt(own["id"])
    missing = await attempt(to_global_id("Activity", new_id()))
    # Then the one it sees is FORBIDDEN; the hidden one answers exactly like a random id
    assert error_codes(visible) == ["FORBIDDEN"]
    assert error_codes(hidden) == ["NOT_FOUND"]
    assert hidden == missing
    assert await world.stored() == before


async def test_who_may_record_activities(world: ActivityWorld) -> None:
    # Given a viewer of the NGO, and its tokens with and without activities:write
    viewer = await world.session(NGO, Role.VIEWER)
    writer = await world.token(NGO, "activities:write")
    reader = await world.token(NGO, "recommendations:read", "engagements:write")
    # (A token reading only what is public names only organisations it may see there.)
    variables = {"input": world.activity_input(visibility="ORGANISATION", organisers=[])}
    # When each records an activity; then anonymous clients must sign in, the viewer
    # and the token without the scope are refused, and the writing token may
    assert error_codes(await world.run(ANONYMOUS, CREATE, variables)) == ["UNAUTHENTICATED"]
    assert error_codes(await world.run(viewer, CREATE, variables)) == ["FORBIDDEN"]
    assert error_codes(await world.run(reader, CREATE, variables)) == ["FORBIDDEN"]
    created = await world.run(writer, CREATE, variables)
    assert "errors" not in created
    # And the token, which reads only what is public, still gets back the activity it
    # wrote, without its organisation's name (the NGO has no public profile)
    written = created["data"]["createActivity"]["activity"]
    assert (written["city"], written["organisation"]) == ("Nairobi", None)
    # And a government member records activities too (the dialogue needs them)
    government = await world.run(GOVERNMENT, CREATE, variables)
    assert government["data"]["createActivity"]["userErrors"] == []


TOO_MANY = [to_global_id("Recommendation", new_id()) for _ in range(101)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"description": "nul \x00 byte"}, "description"),
        ({"endsOn": "2027-03-09"}, "endsOn"),  # before it starts
        ({"startsOn": "2007-12-31", "endsOn": None}, "startsOn"),
        ({"startsOn": "2040-01-01", "endsOn": None}, "startsOn"),
        ({"city": "12 Kenyatta Avenue"}, "city"),  # a venue, not a city
        ({"city": "Nairobi, Hilton"}, "city"),
        ({"city": "N" * 101}, "city"),
        ({"country": "XX"}, "country"),
        ({"budget": {"amount": "100", "currency": "ABC"}}, "budget.currency"),
        ({"budget": {"amount": "100.001", "currency": "USD"}}, "budget.amount"),
        ({"budget": {"amount": "100.5", "currency": "JPY"}}, "budget.amount"),
        ({"budget": {"amount": "-1", "currency": "USD"}}, "budget.amount"),
        ({"visibility": "PUBLIC", "coalitionId": "@coalition"}, "coalitionId"),
        ({"visibility": "COALITION"}, "coalitionId"),
        ({"organisers": [to_global_id("Review", new_id())]}, "organisers"),
        ({"recommendations": TOO_MANY}, "recommendations"),
    ],
)
async def test_each_invalid_field_is_a_user_error_and_nothing_is_written(
    world: ActivityWorld, changes: dict[str, Any], field: str
) -> None:
    # Given an input with one invalid field
    if changes.get("coalitionId") == "@coalition":
        changes = {**changes, "coalitionId": world.coalition}
    before = await world.stored()
    # When the NGO records it
    payload = await world.payload(
        NGO, CREATE, {"input": world.activity_input(**changes)}, "createActivity"
    )
    # Then that field is named, with no echo of the value, and nothing was written
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "BAD_USER_INPUT")]
    assert "Kenyatta" not in payload["userErrors"][0]["message"]
    assert payload["activity"] is None
    assert await world.stored() == before


@pytest.mark.parametrize(
    ("visibility", "organiser", "accepted"),
    [
        ("PUBLIC", PARTNER, True),  # a public profile
        ("PUBLIC", UNVETTED, False),  # not in the public directory
        ("COALITION", GOVERNMENT, True),  # a member of the coalition
        ("COALITION", UNVETTED, False),  # not a member
        ("PARTNERS", UNVETTED, True),  # vetted partners see the whole directory
        ("ORGANISATION", UNVETTED, True),
    ],
)
async def test_organisers_are_named_only_where_readers_may_see_them(
    world: ActivityWorld, visibility: str, organiser: str, accepted: bool
) -> None:
    # Given the NGO, which sees every organisation in the directory
    coalition = world.coalition if visibility == "COALITION" else None
    given = world.activity_input(
        visibility=visibility, coalitionId=coalition, organisers=[world.organisation(organiser)]
    )
    # When it names an organiser on an activity at some sharing level
    payload = await world.payload(NGO, CREATE, {"input": given}, "createActivity")
    # Then the organiser is accepted only if every reader may see it in the directory
    errors = [(e["field"], e["code"]) for e in payload["userErrors"]]
    assert errors == ([] if accepted else [("organisers", "BAD_USER_INPUT")])


async def test_ids_the_writer_may_not_see_are_not_found(world: ActivityWorld) -> None:
    # Given the unvetted NGO, which does not see the government in the directory
    before = await world.stored()
    hidden = world.activity_input(organisers=[world.organisation(GOVERNMENT)])
    random = world.activity_input(organisers=[to_global_id("Organisation", new_id())])
    no_review = world.activity_input(reviewId=to_global_id("Review", new_id()))
    no_recommendation = world.activity_input(
        recommendations=[to_global_id("Recommendation", new_id())]
    )
    # When it names the government as organiser, a random organisation, review, recommendation
    answers = [
        await world.run(UNVETTED, CREATE, {"input": given})
        for given in (hidden, random, no_review, no_recommendation)
    ]
    # Then each is NOT_FOUND, the hidden government exactly like a random id
    assert [error_codes(answer) for answer in answers] == [["NOT_FOUND"]] * 4
    assert answers[0] == answers[1]
    assert await world.stored() == before
