"""The sharing policy, run as SQL against real rows on both databases."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.tables.followup import Activity, Engagement, FundingPledge
from schema.tables.organisations import Organisation, OrganisationKind
from security.policy import (
    ANONYMOUS,
    Viewer,
    child_visible,
    directory_listed,
    directory_listed_clause,
    directory_visible,
    listing_parameters,
    listing_shape,
    policy_parameters,
    policy_shape,
    visible,
)
from security.roles import Role
from security.sharing import Visibility
from tests.factories import (
    make_activity,
    make_coalition,
    make_engagement,
    make_organisation,
    make_pledge,
    make_recommendation,
    make_review,
)


async def _visible_engagements(engine: AsyncEngine, viewer: Viewer) -> set[uuid.UUID]:
    """What `visible` lets the viewer see; asserting on the way that the statement built
    once per policy shape, run with the viewer's parameters, sees exactly the same."""
    table = Engagement.__table__.c
    async with engine.connect() as connection:
        rows = await connection.execute(select(table.id).where(visible(table, viewer)))
        seen = {row.id for row in rows}
        shaped = select(table.id).where(visible(table, policy_shape(viewer)))
        rows = await connection.execute(shaped, policy_parameters(viewer))
        assert {row.id for row in rows} == seen
        return seen


@pytest.fixture
async def world(engine: AsyncEngine) -> dict[str, uuid.UUID]:
    """One engagement at each sharing level, owned by `owner`, and viewers around it."""
    owner = await make_organisation(engine, vetted_partner=True)
    partner = await make_organisation(engine, vetted_partner=True)
    unvetted = await make_organisation(engine)
    government = await make_organisation(engine, kind=OrganisationKind.GOVERNMENT)
    member = await make_organisation(engine)
    coalition = await make_coalition(engine, owner, [member, government])
    recommendations = [
        await make_recommendation(engine, await make_review(engine, session=s))
        for s in (46, 47, 48, 49)
    ]
    rows = {"owner": owner, "partner": partner, "unvetted": unvetted, "government": government}
    rows |= {"member": member, "coalition": coalition}
    for level, recommendation in zip(Visibility, recommendations, strict=True):
        rows[level.value] = await make_engagement(
            engine,
            recommendation,
            owner,
            level,
            coalition if level is Visibility.COALITION else None,
        )
    return rows


async def test_anonymous_sees_public_rows_only(
    engine: AsyncEngine, world: dict[str, uuid.UUID]
) -> None:
    # Given one row per sharing level; when an anonymous client reads; then only PUBLIC.
    assert await _visible_engagements(engine, ANONYMOUS) == {world["PUBLIC"]}


async def test_owner_sees_every_level(engine: AsyncEngine, world: dict[str, uuid.UUID]) -> None:
    viewer = Viewer(organisation_id=world["owner"], vetted_partner=True)
    assert await _visible_engagements(engine, viewer) == {world[v.value] for v in Visibility}


async def test_vetted_partner_sees_public_and_partners(
    engine: AsyncEngine, world: dict[str, uuid.UUID]
) -> None:
    viewer = Viewer(organisation_id=world["partner"], vetted_partner=True)
    assert await _visible_engagements(engine, viewer) == {world["PUBLIC"], world["PARTNERS"]}


async def test_unvetted_organisation_sees_public_only(
    engine: AsyncEngine, world: dict[str, uuid.UUID]
) -> None:
    viewer = Viewer(organisation_id=world["unvetted"])
    assert await _visible_engagements(engine, viewer) == {world["PUBLIC"]}


async def test_coalition_members_see_coalition_rows(
    engine: AsyncEngine, world: dict[str, uuid.UUID]
) -> None:
    # A government that accepted a coalition sees its rows, and never PARTNERS rows.
    for name in ("member", "government"):
        viewer = Viewer(organisation_id=world[name], coalition_ids=frozenset({world["coalition"]}))
        assert await _visible_engagements(engine, viewer) == {world["PUBLIC"], world["COALITION"]}


async def test_a_statement_built_for_a_shape_refuses_to_run_without_the_viewer(
    engine: AsyncEngine, world: dict[str, uuid.UUID]
) -> None:
    # Built once for "an organisation in coalitions", it holds no viewer of its own: run
    # without the viewer's values, it fails rather than reading as nobody in particular.
    viewer = Viewer(organisation_id=world["member"], coalition_ids=frozenset({world["coalition"]}))
    table = Engagement.__table__.c
    shaped = select(table.id).where(visible(table, policy_shape(viewer)))
    async with engine.connect() as connection:
        with pytest.raises(StatementError, match="viewer_"):
            await connection.execute(shaped)


async def test_directory_shows_public_profiles_to_outsiders(engine: AsyncEngine) -> None:
    listed = await make_organisation(engine, public_profile=True)
    unlisted = await make_organisation(engine)
    table = Organisation.__table__.c

    async def directory(viewer: Viewer) -> set[uuid.UUID]:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(table.id).where(directory_visible(table, viewer))
            )
            return {row.id for row in rows}

    assert await directory(ANONYMOUS) == {listed}
    assert await directory(Viewer(organisation_id=unlisted)) == {listed, unlisted}
    assert await directory(Viewer(organisation_id=uuid.uuid4(), vetted_partner=True)) == {
        listed,
        unlisted,
    }


async def test_a_government_can_never_be_vetted(engine: AsyncEngine) -> None:
    # The PARTNERS level relies on it, so the database itself refuses it.
    with pytest.raises(IntegrityError):
        await make_organisation(engine, kind=OrganisationKind.GOVERNMENT, vetted_partner=True)


async def test_a_pledge_is_never_more_visible_than_its_activity(engine: AsyncEngine) -> None:
    # Given PUBLIC pledges on activities at each level; then a partner sees a pledge only
    # where it also sees the activity
    owner = await make_organisation(engine, vetted_partner=True)
    partner = Viewer(organisation_id=uuid.uuid4(), vetted_partner=True)
    pledges, activities = FundingPledge.__table__.c, Activity.__table__.c
    seen = {}
    for level in (Visibility.PUBLIC, Visibility.PARTNERS, Visibility.ORGANISATION):
        activity = await make_activity(engine, owner, level)
        pledge = await make_pledge(engine, activity, owner, Visibility.PUBLIC)
        seen[level] = pledge
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(pledges.id)
            .join(Activity.__table__, activities.id == pledges.activity_id)
            .where(child_visible(pledges, activities, partner))
        )
        visible_pledges = {row.id for row in rows}
    assert visible_pledges == {seen[Visibility.PUBLIC], seen[Visibility.PARTNERS]}


async def test_naming_an_owner_follows_the_directory(engine: AsyncEngine) -> None:
    # Given listed and unlisted organisations, and viewers of every kind around them
    listed = await make_organisation(engine, public_profile=True)
    unlisted = await make_organisation(engine)
    colleague = await make_organisation(engine)
    coalition = frozenset({unlisted, colleague})
    viewers = [
        ANONYMOUS,
        Viewer(organisation_id=unlisted),
        Viewer(organisation_id=colleague, coalition_member_ids=coalition),
        Viewer(organisation_id=uuid.uuid4()),
        Viewer(organisation_id=uuid.uuid4(), vetted_partner=True),
        Viewer(organisation_id=uuid.uuid4(), role=Role.PLATFORM_ADMIN),
    ]
    table = Organisation.__table__.c
    async with engine.connect() as connection:
        rows = (await connection.execute(select(table.id, table.public_profile))).all()
        for viewer in viewers:
            in_sql = {
                row.id
                for row in await connection.execute(
                    select(table.id).where(directory_visible(table, viewer))
                )
            }
            # Then the rule for a row already read names exactly whom the SQL lists
            named = {row.id for row in rows if directory_listed(viewer, row.id, row.public_profile)}
            assert named == in_sql
            # And so does its SQL form, which a statement naming owners itself carries
            # with the viewer's values as parameters
            clause = directory_listed_clause(table.id, table.public_profile, listing_shape(viewer))
            in_clause = await connection.execute(
                select(table.id).where(clause), listing_parameters(viewer)
            )
            assert {row.id for row in in_clause} == named
    # (and the viewers do differ: the anonymous one names the listed organisation only)
    assert {row.id for row in rows if directory_listed(ANONYMOUS, row.id, row.public_profile)} == {
        listed
    }
