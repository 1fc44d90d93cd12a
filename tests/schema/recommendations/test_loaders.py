"""Tag loads: run together in one statement, each answers what it answers alone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from schema.context import Context
from schema.recommendations import loaders
from security.policy import ANONYMOUS
from tests.factories import make_recommendation, make_review

TEXTUAL = (
    loaders.recommending_state_codes,
    loaders.theme_codes,
    loaders.affected_person_codes,
    loaders.sdg_target_codes,
    loaders.source_theme_names,
)


async def test_tags_together_answer_as_each_load_alone(engine: AsyncEngine) -> None:
    review = await make_review(engine, "KEN", 35, dt.date(2020, 1, 22))
    keys = [
        await make_recommendation(
            engine,
            review,
            themes=["justice", "human-rights-defenders"][: i % 3],
            recommending=["FRA", "DEU", "BRA"][: (i + 1) % 4],
            affected=["human-rights-defenders"] if i % 2 else [],
            targets=["16.3", "5.2"][: i % 3],
            source_themes=["A41 Constitutional and legislative framework"] if i == 3 else [],
        )
        for i in range(6)
    ]
    keys.insert(2, keys[0])  # a key asked for twice gets its answer twice
    context = Context(engine, ANONYMOUS, reference=None, services=None)  # type: ignore[arg-type]
    try:
        together = await loaders.tags_together(context, TEXTUAL, keys)
        alone = [await load(context, keys) for load in TEXTUAL]
    finally:
        await context.close()

    def ordered(per_load: list[list[list[str]]]) -> list[list[list[str]]]:
        return [[sorted(values) for values in per_key] for per_key in per_load]

    assert ordered(together) == ordered(alone)
    # The comparison covers tags present and absent, on every load.
    assert all(any(values for values in per_key) for per_key in alone)
    assert all(any(not values for values in per_key) for per_key in alone)
    assert not loaders.sdg_goal_numbers.textual  # numbers are loaded on their own
