"""Follow-up fields on a page of recommendations cost one statement each, whatever the
page size; outside lists (under `node`) they come through DataLoaders, with the same
values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from starlette.applications import Starlette

from schema.db import new_id, utcnow
from schema.relay import to_global_id
from schema.tables.followup import Assessment, Engagement, EngagementRole, ImplementationStatus
from security.sharing import Visibility
from tests.factories import make_recommendation, make_review
from tests.graphql import data
from tests.schema.followup.conftest import FollowUpWorld
from tests.statements import count_statements
from tests.worlds import NGO, PARTNER, UNVETTED

FIELDS = """
  id
  engagements { role organisation { name } }
  latestAssessments { status assessedOn organisation { name } }
  assessments { status }
  implementationStatuses
"""
# The recommendations to Nepal: those made here.
PAGE = 'recommendations(first: $first, filter: {state: "NPL"})'
LIST = f"query($first: Int!) {{ {PAGE} {{ nodes {{ {FIELDS} }} }} }}"


async def _recommendations(world: FollowUpWorld, count: int) -> list[str]:
    """`count` recommendations, each engaged on and assessed by three organisations at
    several sharing levels (one statement per table, to keep the setup quick)."""
    review = await make_review(world.engine, "NPL", 51)
    keys = [await make_recommendation(world.engine, review, "NPL") for _ in range(count)]
    owners = [world.organisations[who] for who in (NGO, PARTNER, UNVETTED)]
    levels = [Visibility.PUBLIC, Visibility.PARTNERS, Visibility.ORGANISATION]
    stamps = {"created_at": utcnow(), "updated_at": utcnow(), "version": 1}
    engagements, assessments = [], []
    for key in keys:
        for turn, (owner, level) in enumerate(zip(owners, levels, strict=True)):
            common = {"recommendation_id": key, "owner_organisation_id": owner, **stamps}
            engagements.append(
                {"id": new_id(), "role": EngagementRole.LEAD, "visibility": level, **common}
            )
            statuses = list(ImplementationStatus)
            # Each organisation's latest status is a different one: they disagree.
            for days, status in enumerate(statuses[turn + 1 :] + statuses[: turn + 1]):
                assessments.append(
                    {
                        "id": new_id(),
                        "status": status,
                        "assessed_on": dt.date(2026, 1, 1) + dt.timedelta(days=days),
                        "visibility": level,
                        **common,
                    }
                )
    async with world.engine.begin() as connection:
        await connection.execute(insert(Engagement.__table__), engagements)
        await connection.execute(insert(Assessment.__table__), assessments)
    return [to_global_id("Recommendation", key) for key in keys]


async def test_statements_do_not_grow_with_page_size(world: FollowUpWorld, app: Starlette) -> None:
    # Given 100 recommendations with engagements and assessments at several levels
    await _recommendations(world, 100)
    session = world.sessions[NGO]
    counts = []
    for size in (1, 10, 100):
        # When the NGO reads a page of them with their follow-up fields
        with count_statements(app.state.engine) as statements:
            result = await data(world.client, LIST, {"first": size}, token=session)
        nodes = result["recommendations"]["nodes"]
        assert len(nodes) == size
        # (each shows the NGO's and the partner's rows, never the unvetted group's own)
        assert all(len(node["engagements"]) == 2 for node in nodes)
        assert all(len(node["assessments"]) == 8 for node in nodes)
        assert all(len(node["latestAssessments"]) == 2 for node in nodes)
        counts.append(len(statements))
    # Then the statements are the same: one to authenticate (the session with its
    # coalitions), the page, and one for each of the four follow-up relations
    assert counts == [6, 6, 6]


async def test_prefetched_and_loaded_values_agree(world: FollowUpWorld, app: Starlette) -> None:
    # Given recommendations read in a list (prefetched) and by node(id) (DataLoaders)
    ids = await _recommendations(world, 3)
    session = world.sessions[NGO]
    listed = await data(world.client, LIST, {"first": 3}, token=session)
    aliases = " ".join(
        f'r{i}: node(id: "{global_id}") {{ ... on Recommendation {{ {FIELDS} }} }}'
        for i, global_id in enumerate(ids)
    )
    with count_statements(app.state.engine) as statements:
        by_id = await data(world.client, f"{{ {aliases} }}", token=session)
    # Then both give the same values
    assert listed["recommendations"]["nodes"] == [by_id[f"r{i}"] for i in range(3)]
    # And three nodes cost what one does: authentication, the nodes, one batch per relation
    one: dict[str, Any]
    with count_statements(app.state.engine) as single:
        one = await data(
            world.client,
            f'{{ r0: node(id: "{ids[0]}") {{ ... on Recommendation {{ {FIELDS} }} }} }}',
            token=session,
        )
    assert one["r0"] == by_id["r0"]
    assert len(statements) == len(single) == 6
