"""Writing parsed recommendations, on both databases: every mechanism and tag, the
same answers from PostgreSQL's unnested arrays and SQLite's executemany."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.imports import writing
from schema.imports.keys import natural_key
from schema.imports.parsed import ParsedRecommendation
from schema.imports.writing import write_batch
from schema.tables.recommendations import (
    Mechanism,
    Recommendation,
    Response,
    recommendation_sdg_targets,
    recommendation_source_themes,
    recommending_states,
)
from schema.tables.reviews import Review
from server.importing import write_recommendations

TABLE = Recommendation.__table__


def _upr(text: str, *states: str) -> ParsedRecommendation:
    return ParsedRecommendation(
        natural_key=natural_key(Mechanism.UPR, "KEN", "35", text=text),
        state_code="KEN",
        session=35,
        text=text,
        response=Response.SUPPORTED,
        response_wording="Supported",
        action_category=3,
        recommending_states=set(states),
    )


def _treaty_body(text: str) -> ParsedRecommendation:
    return ParsedRecommendation(
        natural_key=natural_key(Mechanism.TREATY_BODY, "KEN", "CAT/C/KEN/CO/3", text=text),
        state_code="KEN",
        text=text,
        response=None,
        response_wording=None,
        action_category=None,
        mechanism=Mechanism.TREATY_BODY,
        document_symbol="CAT/C/KEN/CO/3",
        recommending_body="Committee against Torture",
        source_themes={"Conditions of detention", "Prison overcrowding"},
        sdg_targets={"16.3"},
    )


async def _rows(engine: AsyncEngine, statement: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list((await connection.execute(statement)).all())


async def test_every_mechanism_and_tag(engine: AsyncEngine) -> None:
    # Given a UPR and a treaty-body recommendation
    batch = [_upr("Reform the police", "GHA", "TGO"), _treaty_body("Reduce prison overcrowding")]

    # When they are written
    async with engine.begin() as connection:
        counts = await write_batch(connection, batch)

    # Then both are there, only the UPR one with a review
    assert (counts.new, counts.already_present) == (2, 0)
    rows = {
        row.text: row
        for row in await _rows(
            engine, select(TABLE.c.id, TABLE.c.text, TABLE.c.review_id, TABLE.c.search_tokens)
        )
    }
    upr, treaty = rows["Reform the police"], rows["Reduce prison overcrowding"]
    assert upr.review_id is not None
    assert treaty.review_id is None
    assert treaty.search_tokens == "reduc prison overcrowd"
    states = await _rows(
        engine,
        select(recommending_states.c.state_code).where(
            recommending_states.c.recommendation_id == upr.id
        ),
    )
    assert sorted(row.state_code for row in states) == ["GHA", "TGO"]
    themes = await _rows(
        engine,
        select(recommendation_source_themes.c.name).where(
            recommendation_source_themes.c.recommendation_id == treaty.id
        ),
    )
    assert sorted(row.name for row in themes) == ["Conditions of detention", "Prison overcrowding"]
    targets = await _rows(engine, select(recommendation_sdg_targets.c.target_code))
    assert [row.target_code for row in targets] == ["16.3"]


async def test_documents_computed_ahead_are_the_ones_stored(engine: AsyncEngine) -> None:
    rec = _upr("Reform the police", "GHA")
    documents = writing.search_documents([rec])
    assert documents == {rec.natural_key: "reform polic"}

    async with engine.begin() as connection:
        await write_batch(connection, [rec], documents={rec.natural_key: "precomputed"})

    (row,) = await _rows(engine, select(TABLE.c.search_tokens))
    assert row.search_tokens == "precomputed"


async def test_a_recommendation_written_meanwhile_gains_the_tags(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a recommendation another import wrote after this one looked it up
    async with engine.begin() as connection:
        await write_batch(connection, [_upr("Reform the police", "GHA")])
    looked_up = writing._ids
    calls = 0

    async def not_yet_there(connection: Any, keys: Any) -> Any:
        nonlocal calls
        calls += 1
        return {} if calls == 1 else await looked_up(connection, keys)

    monkeypatch.setattr(writing, "_ids", not_yet_there)

    # When the same recommendation is written with another state
    async with engine.begin() as connection:
        counts = await write_batch(connection, [_upr("Reform the police", "TGO")])

    # Then it is not new, and the state joins the one recommendation
    assert (counts.new, calls) == (0, 2)
    assert len(await _rows(engine, select(TABLE.c.id))) == 1
    states = await _rows(engine, select(recommending_states.c.state_code))
    assert sorted(row.state_code for row in states) == ["GHA", "TGO"]


async def test_a_dry_run_leaves_no_review_behind_for_the_real_run(engine: AsyncEngine) -> None:
    # Given a dry run over two batches, whose reviews are rolled back with them
    recs = [_upr("Reform the police", "GHA"), _upr("Train judges", "TGO")]
    dry = await write_recommendations(engine, recs, dry_run=True, batch_size=1)
    assert dry.new == 2
    assert await _rows(engine, select(Review.__table__.c.id)) == []

    # When the real run follows, over two batches sharing one review
    real = await write_recommendations(engine, recs, batch_size=1)

    # Then it writes everything, with one review
    assert real.new == 2
    assert len(await _rows(engine, select(Review.__table__.c.id))) == 1
