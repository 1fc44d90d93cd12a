"""Organisations named on activities and pledges follow the directory at read time: an
owner, organiser or pledger is named only to readers the directory shows it to, so a
PUBLIC row never publishes an organisation that has not opted into a public profile,
and one that later hides its profile is no longer named."""

from __future__ import annotations

from sqlalchemy import update

from schema.tables.organisations import Organisation
from tests.schema.activities.conftest import ActivityWorld
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER

NAMES = """
query($id: ID!) {
  node(id: $id) {
    ... on Activity {
      organisation { name } organisers { name }
      pledges { organisation { name } }
    }
  }
}
"""


async def names(world: ActivityWorld, who: str, activity: str) -> dict[str, object]:
    body = await world.run(who, NAMES, {"id": activity})
    assert "errors" not in body, body["errors"]
    found: dict[str, object] = body["data"]["node"]
    return found


async def test_a_public_activity_names_only_organisations_with_a_public_profile(
    world: ActivityWorld,
) -> None:
    # Given a PUBLIC activity of the NGO (no public profile) organised with the partner
    # (public profile), and the NGO's own public pledge to it
    activity = await world.create(NGO, visibility="PUBLIC")
    await world.pledge(NGO, activity["id"], visibility="PUBLIC")
    ngo, partner = world.names[NGO], world.names[PARTNER]
    # Then anonymous clients see the activity and the pledge, but not the NGO's name
    assert await names(world, ANONYMOUS, activity["id"]) == {
        "organisation": None,
        "organisers": [{"name": partner}],
        "pledges": [{"organisation": None}],
    }
    # And the NGO's coalition (the government included) sees it named
    assert await names(world, GOVERNMENT, activity["id"]) == {
        "organisation": {"name": ngo},
        "organisers": sorted([{"name": ngo}, {"name": partner}], key=lambda o: o["name"]),
        "pledges": [{"organisation": {"name": ngo}}],
    }


async def test_an_organiser_that_hides_its_profile_is_no_longer_named(
    world: ActivityWorld,
) -> None:
    # Given a PUBLIC activity naming the partner while its profile was public
    activity = await world.create(NGO, visibility="PUBLIC")
    assert await names(world, ANONYMOUS, activity["id"]) == {
        "organisation": None,
        "organisers": [{"name": world.names[PARTNER]}],
        "pledges": [],
    }
    # When the partner hides its profile
    async with world.engine.begin() as connection:
        await connection.execute(
            update(Organisation)
            .where(Organisation.id == world.organisations[PARTNER])
            .values(public_profile=False)
        )
    # Then anonymous readers see the activity without it
    assert await names(world, ANONYMOUS, activity["id"]) == {
        "organisation": None,
        "organisers": [],
        "pledges": [],
    }


async def test_a_token_that_may_not_read_gets_its_pledge_back_without_the_activity(
    world: ActivityWorld,
) -> None:
    # Given the NGO's own-only activity, and an NGO token that may write but not read
    activity = await world.create(NGO, visibility="ORGANISATION", organisers=[])
    writer = await world.token(NGO, "activities:write")
    # When the token pledges to it
    payload = await world.pledge(writer, activity["id"], visibility="ORGANISATION")
    # Then the pledge is recorded and answered (no error after a commit, so no retry
    # doubles it), without the activity the token may not read
    assert payload["userErrors"] == []
    assert (payload["pledge"]["amount"]["amount"], payload["pledge"]["activity"]) == (
        "5000.00",
        None,
    )
    reread = await names(world, NGO, activity["id"])
    assert reread["pledges"] == [{"organisation": {"name": world.names[NGO]}}]
