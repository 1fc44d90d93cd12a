"""`activities` and `node(id)`: visibility per sharing level, filters, pages, and a
statement count that does not grow with the page size."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from starlette.applications import Starlette

from schema.db import new_id
from schema.relay import to_global_id
from schema.tables.followup import ActivityKind
from security.sharing import Visibility
from tests.factories import make_activity, make_pledge, make_review
from tests.graphql import data, error_codes
from tests.schema.activities.conftest import NODE, ActivityWorld
from tests.statements import count_statements
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED

LIST = """
query($filter: ActivityFilter, $first: Int, $after: String) {
  activities(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id }
  }
}
"""
NESTED = """
query($first: Int!) {
  activities(first: $first) {
    nodes {
      id title stage budget { amount }
      organisation { name } organisers { name } recommendations { id text }
      pledges { amount { amount currency } status organisation { name } }
      pledged { amount } fundingGap { amount } review { id reviewDate }
    }
  }
}
"""


def ids(*keys: uuid.UUID) -> list[str]:
    return [to_global_id("Activity", key) for key in keys]


async def listed(world: ActivityWorld, who: str, **filter: Any) -> list[str]:
    body = await world.run(who, LIST, {"filter": filter or None, "first": 100})
    assert "errors" not in body, body["errors"]
    return [node["id"] for node in body["data"]["activities"]["nodes"]]


async def test_each_viewer_sees_the_activities_of_its_sharing_levels(
    world: ActivityWorld,
) -> None:
    # Given an activity of the NGO at each sharing level, in date order
    owner, engine = world.organisations[NGO], world.engine
    made = {
        level: await make_activity(
            engine,
            owner,
            level,
            world.coalition_key if level is Visibility.COALITION else None,
            starts_on=dt.date(2027, 1, 1) + dt.timedelta(days=day),
        )
        for day, level in enumerate(Visibility)
    }
    public, partners, coalition, own = (made[level] for level in Visibility)
    # Then each viewer lists, and finds by id, exactly what its levels allow
    expected = {
        ANONYMOUS: [public],
        UNVETTED: [public],
        GOVERNMENT: [public, coalition],  # in the coalition, never a vetted partner
        PARTNER: [public, partners, coalition],
        NGO: [public, partners, coalition, own],
    }
    for who, keys in expected.items():
        assert await listed(world, who) == ids(*keys), who
        found = [key for key in made.values() if await world.node(who, ids(key)[0])]
        assert found == keys, who


async def test_hidden_ids_answer_like_random_ids(world: ActivityWorld) -> None:
    # Given the NGO's own activity, with a pledge
    activity = await make_activity(world.engine, world.organisations[NGO], Visibility.ORGANISATION)
    pledge = await make_pledge(world.engine, activity, world.organisations[NGO], Visibility.PUBLIC)
    # When the partner asks for each by id, and for random ids of the same types
    for type_name, key in (("Activity", activity), ("FundingPledge", pledge)):
        theirs = await world.run(PARTNER, NODE, {"id": to_global_id(type_name, key)})
        random = await world.run(PARTNER, NODE, {"id": to_global_id(type_name, new_id())})
        # Then the answers are the same: null
        assert theirs == random == {"data": {"node": None}}


async def test_node_resolves_activities_and_pledges(world: ActivityWorld) -> None:
    activity = await world.create(visibility="PUBLIC")
    pledge = (await world.pledge(PARTNER, activity["id"], visibility="PUBLIC"))["pledge"]
    found = await world.node(ANONYMOUS, activity["id"])
    assert found is not None
    assert (found["__typename"], found["title"]) == ("Activity", activity["title"])
    assert [p["id"] for p in found["pledges"]] == [pledge["id"]]
    by_id = await world.node(ANONYMOUS, pledge["id"])
    assert by_id is not None
    assert (by_id["__typename"], by_id["activity"]) == ("FundingPledge", {"id": activity["id"]})


async def test_filters(world: ActivityWorld) -> None:
    # Given activities around today (28 November 2026): held, ongoing, upcoming and
    # cancelled; on two reviews; of several kinds
    engine, owner = world.engine, world.organisations[NGO]
    other_review = await make_review(engine, "NPL", 51, dt.date(2026, 1, 27))
    public = Visibility.PUBLIC
    held = await make_activity(
        engine,
        owner,
        public,
        starts_on=dt.date(2026, 3, 2),
        kind=ActivityKind.PRE_SESSION,
        country="KEN",
    )
    ongoing = await make_activity(
        engine,
        owner,
        public,
        starts_on=dt.date(2026, 11, 27),
        ends_on=dt.date(2026, 11, 28),
        review=world.review_key,
    )
    upcoming = await make_activity(
        engine,
        owner,
        public,
        starts_on=dt.date(2027, 2, 1),
        review=other_review,
        kind=ActivityKind.MID_TERM_REPORT,
        budget=None,
    )
    cancelled = await make_activity(
        engine,
        owner,
        public,
        starts_on=dt.date(2027, 1, 15),
        review=world.review_key,
        cancelled_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
    )
    # Then each filter matches exactly
    assert await listed(world, ANONYMOUS, stage="HELD") == ids(held)
    assert await listed(world, ANONYMOUS, stage="ONGOING") == ids(ongoing)
    assert await listed(world, ANONYMOUS, stage="UPCOMING") == ids(upcoming)
    assert await listed(world, ANONYMOUS, stage="CANCELLED") == ids(cancelled)
    assert await listed(world, ANONYMOUS, review=world.review) == ids(ongoing, cancelled)
    assert await listed(world, ANONYMOUS, kind="MID_TERM_REPORT") == ids(upcoming)
    # The state: of its review, or without one, where it takes place
    assert await listed(world, ANONYMOUS, state="KEN") == ids(held, ongoing, cancelled)
    assert await listed(world, ANONYMOUS, state="np") == ids(upcoming)
    # A date range matches what takes place in it, at least in part
    assert await listed(world, ANONYMOUS, **{"from": "2026-11-28"}) == ids(
        ongoing, cancelled, upcoming
    )
    assert await listed(world, ANONYMOUS, until="2026-11-27") == ids(held, ongoing)
    assert await listed(world, ANONYMOUS, **{"from": "2027-01-01", "until": "2027-01-31"}) == (
        ids(cancelled)
    )
    # And filters combine
    assert await listed(world, ANONYMOUS, review=world.review, stage="ONGOING") == ids(ongoing)


async def test_not_yet_funded_counts_the_pledges_the_viewer_may_see(world: ActivityWorld) -> None:
    # Given public activities of 15,000 USD: one covered by a public pledge, one by a
    # pledge shared with partners only, one with nothing pledged; and one without budget
    engine, owner, partner = world.engine, world.organisations[NGO], world.organisations[PARTNER]
    public = Visibility.PUBLIC
    covered = await make_activity(engine, owner, public)
    await make_pledge(engine, covered, partner, public, amount=(1_500_000, "USD"))
    among_partners = await make_activity(engine, owner, public)
    await make_pledge(
        engine, among_partners, partner, Visibility.PARTNERS, amount=(1_500_000, "USD")
    )
    nothing = await make_activity(engine, owner, public)
    await make_activity(engine, owner, public, budget=None)
    # Then what is not yet funded depends on who asks: a hidden pledge does not count
    assert await listed(world, ANONYMOUS, notYetFunded=True) == ids(among_partners, nothing)
    assert await listed(world, NGO, notYetFunded=True) == ids(nothing)
    assert await listed(world, ANONYMOUS, notYetFunded=False) == ids(covered)
    assert await listed(world, NGO, notYetFunded=False) == ids(covered, among_partners)


@pytest.mark.parametrize(
    "filter",
    [
        {"review": "nonsense"},
        {"review": to_global_id("State", "KEN")},
        {"from": "2027-02-01", "until": "2027-01-01"},
    ],
)
async def test_bad_filters_are_bad_user_input(world: ActivityWorld, filter: dict[str, str]) -> None:
    body = await world.run(ANONYMOUS, LIST, {"filter": filter, "first": 10})
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_pages_follow_each_other_by_date(world: ActivityWorld) -> None:
    # Given five activities, two on the same day
    engine, owner = world.engine, world.organisations[NGO]
    days = [dt.date(2027, 5, 1), dt.date(2027, 1, 1), dt.date(2027, 3, 1), dt.date(2027, 3, 1)]
    keys = [await make_activity(engine, owner, Visibility.PUBLIC, starts_on=day) for day in days]
    first = (await world.run(ANONYMOUS, LIST, {"first": 2}))["data"]["activities"]
    after = first["pageInfo"]["endCursor"]
    second = (await world.run(ANONYMOUS, LIST, {"first": 5, "after": after}))["data"]["activities"]
    # Then they come by first day, then by id, without gaps or repeats
    assert first["totalCount"] == 4
    assert [n["id"] for n in first["nodes"] + second["nodes"]] == ids(
        keys[1], keys[2], keys[3], keys[0]
    )
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)


async def test_statements_do_not_grow_with_page_size(world: ActivityWorld, app: Starlette) -> None:
    # Given 100 public activities with organisers, recommendations and pledges
    engine, organisations = world.engine, world.organisations
    for _ in range(100):
        activity = await make_activity(
            engine,
            organisations[NGO],
            Visibility.PUBLIC,
            review=world.review_key,
            organisers=[organisations[PARTNER]],
            recommendations=world.recommendation_keys,
        )
        await make_pledge(engine, activity, organisations[PARTNER], Visibility.PUBLIC)
    counts = []
    for size in (1, 10, 100):
        with count_statements(app.state.engine) as statements:
            result = await data(world.client, NESTED, {"first": size})
        nodes = result["activities"]["nodes"]
        assert len(nodes) == size
        assert [len(node["recommendations"]) for node in nodes] == [2] * size
        counts.append(len(statements))
    # The page, then one statement each for organisers, recommendations, pledges (the
    # sums are derived from them) and reviews; the recommendations' own relations none.
    assert counts == [5, 5, 5]
