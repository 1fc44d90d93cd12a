"""pledgeFunding and updatePledge; pledges never more visible than their activity, and
the funding gap over the pledges the viewer may see only."""

from __future__ import annotations

import datetime as dt

import pytest

from schema.db import new_id
from schema.relay import from_global_id, to_global_id
from schema.tables.followup import PledgeStatus
from security.sharing import Visibility
from tests.factories import make_activity, make_pledge
from tests.graphql import error_codes
from tests.schema.activities.conftest import UPDATE_PLEDGE, ActivityWorld
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED

GAP = """
query($id: ID!) {
  node(id: $id) {
    ... on Activity { pledged { amount } fundingGap { amount } pledges { amount { amount } } }
  }
}
"""


async def test_a_partner_pledges_and_the_gap_shrinks(world: ActivityWorld) -> None:
    # Given the NGO's workshop needing 15,000 USD
    activity = await world.create()
    # When the partner pledges 5,000.50 USD
    payload = await world.pledge(PARTNER, activity["id"], "5000.5")
    # Then the pledge is the partner's, and the gap is what is left
    assert payload["userErrors"] == []
    pledge = payload["pledge"]
    assert pledge["amount"] == {"amount": "5000.50", "currency": "USD"}
    assert (pledge["status"], pledge["version"]) == ("PLEDGED", 1)
    assert pledge["organisation"] == {"name": world.names[PARTNER]}
    assert pledge["activity"] == {"id": activity["id"]}
    node = await world.node(NGO, activity["id"])
    assert node is not None
    assert node["pledged"] == {"amount": "5000.50", "currency": "USD"}
    assert node["fundingGap"] == {"amount": "9999.50", "currency": "USD"}
    # And the pledge is in the partner's audit chain, not the NGO's
    assert await world.audit(PARTNER) == [
        (
            "pledge.created",
            "FundingPledge",
            {
                "activity": from_global_id(activity["id"])[1],
                "status": "PLEDGED",
                "visibility": "PARTNERS",
            },
        )
    ]
    assert [entry[0] for entry in await world.audit(NGO)] == ["activity.created"]


async def test_the_gap_never_goes_below_zero(world: ActivityWorld) -> None:
    activity = await world.create()
    await world.pledge(PARTNER, activity["id"], "20000")
    node = await world.node(NGO, activity["id"])
    assert node is not None
    assert (node["pledged"]["amount"], node["fundingGap"]["amount"]) == ("20000.00", "0.00")


async def test_updating_a_pledge_to_received(world: ActivityWorld) -> None:
    # Given the partner's pledge
    activity = await world.create()
    pledge = (await world.pledge(PARTNER, activity["id"]))["pledge"]
    received = {
        "amount": {"amount": "6000", "currency": "USD"},
        "status": "RECEIVED",
        "visibility": "PUBLIC",
    }
    # When the partner records the money as received, with the amount that came
    payload = await world.payload(
        PARTNER,
        UPDATE_PLEDGE,
        {"id": pledge["id"], "version": 1, "input": received},
        "updatePledge",
    )
    # Then the pledge holds it, at version 2
    assert payload["userErrors"] == []
    updated = payload["pledge"]
    assert (updated["status"], updated["amount"]["amount"], updated["version"]) == (
        "RECEIVED",
        "6000.00",
        2,
    )
    # And received money cannot go back to a mere promise
    back = {**received, "status": "PLEDGED"}
    refused = await world.payload(
        PARTNER, UPDATE_PLEDGE, {"id": pledge["id"], "version": 2, "input": back}, "updatePledge"
    )
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        ("status", "BAD_USER_INPUT")
    ]


async def test_a_stale_pledge_version_conflicts_and_writes_nothing(world: ActivityWorld) -> None:
    activity = await world.create()
    pledge = (await world.pledge(PARTNER, activity["id"]))["pledge"]
    given = {"amount": {"amount": "7000", "currency": "USD"}, "visibility": "PARTNERS"}
    first = {"id": pledge["id"], "version": 1, "input": given}
    assert (await world.payload(PARTNER, UPDATE_PLEDGE, first, "updatePledge"))["userErrors"] == []
    before = await world.stored()
    stale = {**first, "input": {**given, "amount": {"amount": "1", "currency": "USD"}}}
    payload = await world.payload(PARTNER, UPDATE_PLEDGE, stale, "updatePledge")
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("version", "CONFLICT")]
    assert await world.stored() == before


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"amount": {"amount": "0", "currency": "USD"}}, "amount.amount"),
        ({"amount": {"amount": "10.555", "currency": "USD"}}, "amount.amount"),
        ({"amount": {"amount": "100", "currency": "EUR"}}, "amount.currency"),  # not the budget's
        ({"amount": {"amount": "100", "currency": "ZZZ"}}, "amount.currency"),
        ({"visibility": "COALITION"}, "coalitionId"),
    ],
)
async def test_invalid_pledges_are_user_errors(
    world: ActivityWorld, given: dict[str, object], field: str
) -> None:
    activity = await world.create()
    before = await world.stored()
    base = {"amount": {"amount": "100", "currency": "USD"}, "visibility": "PARTNERS"}
    payload = await world.payload(
        PARTNER,
        "mutation($a: ID!, $i: PledgeInput!) { pledgeFunding(activityId: $a, input: $i) "
        "{ userErrors { field code } pledge { id } } }",
        {"a": activity["id"], "i": {**base, **given}},
        "pledgeFunding",
    )
    assert payload == {"userErrors": [{"field": field, "code": "BAD_USER_INPUT"}], "pledge": None}
    assert await world.stored() == before


async def test_no_pledge_to_a_cancelled_activity(world: ActivityWorld) -> None:
    cancelled = await make_activity(
        world.engine,
        world.organisations[NGO],
        Visibility.PUBLIC,
        cancelled_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    payload = await world.pledge(PARTNER, to_global_id("Activity", cancelled))
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("activityId", "BAD_USER_INPUT")
    ]


async def test_pledging_to_a_hidden_activity_answers_like_a_random_id(
    world: ActivityWorld,
) -> None:
    # Given the NGO's activity kept to itself
    hidden = await world.create(visibility="ORGANISATION")
    before = await world.stored()
    # When the partner pledges to it, and to an activity that does not exist
    variables = {"amount": {"amount": "100", "currency": "USD"}, "visibility": "PUBLIC"}
    answers = [
        await world.run(
            PARTNER,
            "mutation($a: ID!, $i: PledgeInput!) { pledgeFunding(activityId: $a, input: $i) "
            "{ pledge { id } } }",
            {"a": activity_id, "i": variables},
        )
        for activity_id in (hidden["id"], to_global_id("Activity", new_id()))
    ]
    # Then both are NOT_FOUND, word for word, and nothing was written
    assert error_codes(answers[0]) == ["NOT_FOUND"]
    assert answers[0] == answers[1]
    assert await world.stored() == before


async def test_only_the_pledger_changes_a_pledge(world: ActivityWorld) -> None:
    # Given the partner's pledges on the NGO's activity: one shared, one kept to itself
    activity = await world.create()
    shared = (await world.pledge(PARTNER, activity["id"], visibility="PARTNERS"))["pledge"]
    own = (await world.pledge(PARTNER, activity["id"], visibility="ORGANISATION"))["pledge"]
    before = await world.stored()
    given = {"amount": {"amount": "1", "currency": "USD"}, "visibility": "PUBLIC"}

    async def attempt(pledge_id: str) -> dict[str, object]:
        variables = {"id": pledge_id, "version": 1, "input": given}
        return await world.run(NGO, UPDATE_PLEDGE, variables)

    # When the NGO (the activity's owner) changes them, and a pledge that does not exist
    visible, hidden = await attempt(shared["id"]), await attempt(own["id"])
    missing = await attempt(to_global_id("FundingPledge", new_id()))
    # Then the visible one is FORBIDDEN; the hidden one answers like a random id
    assert error_codes(visible) == ["FORBIDDEN"]
    assert error_codes(hidden) == ["NOT_FOUND"]
    assert hidden == missing
    assert await world.stored() == before


async def test_a_pledge_is_hidden_with_its_activity(world: ActivityWorld) -> None:
    # Given the NGO's activity kept to itself, with a PUBLIC pledge of the partner's
    activity = await make_activity(world.engine, world.organisations[NGO], Visibility.ORGANISATION)
    pledge = await make_pledge(
        world.engine, activity, world.organisations[PARTNER], Visibility.PUBLIC
    )
    pledge_id = to_global_id("FundingPledge", pledge)
    # Then nobody but the NGO sees the pledge: not anonymous clients, not the pledger
    seen = {who: await world.node(who, pledge_id) for who in (ANONYMOUS, PARTNER, NGO)}
    assert (seen[ANONYMOUS], seen[PARTNER]) == (None, None)
    assert seen[NGO] is not None
    # And the pledger cannot change it: its activity is gone from its view
    given = {"amount": {"amount": "1", "currency": "USD"}, "visibility": "PUBLIC"}
    body = await world.run(PARTNER, UPDATE_PLEDGE, {"id": pledge_id, "version": 1, "input": given})
    assert error_codes(body) == ["NOT_FOUND"]


async def test_the_funding_gap_counts_visible_pledges_only(world: ActivityWorld) -> None:
    # Given the NGO's public activity (15,000 USD), with pledges of 5,000 USD at every
    # sharing level by the partner, and one in another currency
    organisations, coalition = world.organisations, world.coalition_key
    activity = await make_activity(world.engine, organisations[NGO], Visibility.PUBLIC)
    for level in Visibility:
        await make_pledge(
            world.engine,
            activity,
            organisations[PARTNER],
            level,
            coalition if level is Visibility.COALITION else None,
            status=PledgeStatus.RECEIVED,
        )
    await make_pledge(
        world.engine, activity, organisations[PARTNER], Visibility.PUBLIC, amount=(900, "EUR")
    )

    async def gap(who: str) -> tuple[str, str, int]:
        body = await world.run(who, GAP, {"id": to_global_id("Activity", activity)})
        node = body["data"]["node"]
        return node["pledged"]["amount"], node["fundingGap"]["amount"], len(node["pledges"])

    # Then each viewer's sums are over the pledges it sees (the EUR one listed, not summed)
    assert await gap(ANONYMOUS) == ("5000.00", "10000.00", 2)  # PUBLIC
    assert await gap(UNVETTED) == ("5000.00", "10000.00", 2)
    assert await gap(GOVERNMENT) == ("10000.00", "5000.00", 3)  # + its coalition's
    assert await gap(NGO) == ("15000.00", "0.00", 4)  # + PARTNERS
    assert await gap(PARTNER) == ("20000.00", "0.00", 5)  # + its own
