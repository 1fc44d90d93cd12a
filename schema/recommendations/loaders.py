"""Batch loads for recommendations: one statement per relation, whatever the page size."""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Row,
    Select,
    String,
    Table,
    literal_column,
    select,
    union_all,
)

from schema.context import Context
from schema.statements import BATCH_KEYS, in_batch
from schema.tables.recommendations import (
    Recommendation as RecommendationTable,
)
from schema.tables.recommendations import (
    RecommendationLink,
    recommendation_affected_persons,
    recommendation_sdg_goals,
    recommendation_sdg_targets,
    recommendation_source_themes,
    recommendation_themes,
    recommending_states,
)
from schema.tables.reviews import Review as ReviewTable

_recommendations = RecommendationTable.__table__.c
_reviews = ReviewTable.__table__.c


_RECOMMENDATION_SELECT = select(
    _recommendations.id,
    _recommendations.review_id,
    _recommendations.mechanism,
    _recommendations.state_code,
    _reviews.session_number,
    _recommendations.paragraph,
    _recommendations.text,
    _recommendations.response,
    _recommendations.response_wording,
    _recommendations.action_category,
    _recommendations.document_symbol,
    _recommendations.recommending_body,
).select_from(
    RecommendationTable.__table__.outerjoin(
        ReviewTable.__table__, _reviews.id == _recommendations.review_id
    )
)


def recommendation_select() -> Select[Any]:
    """The columns a `Recommendation` is built from; the session comes with its review.
    One statement object, built once: its `where` and `order_by` return new ones."""
    return _RECOMMENDATION_SELECT


class TagLoad:
    """The codes of one tag table per recommendation (a batch load: `load(context, keys)`).
    Statement built once: a page runs it with its keys."""

    def __init__(self, table: Table, column: str) -> None:
        self.table, self.column = table, column
        self.textual = isinstance(table.c[column].type, String)
        self.statement = select(table.c.recommendation_id, table.c[column]).where(
            in_batch(table.c.recommendation_id)
        )
        self.__name__ = f"{table.name}_by_recommendation"

    async def __call__(self, context: Context, keys: list[uuid.UUID]) -> list[list[Any]]:
        rows = await context.fetch_all(self.statement, {BATCH_KEYS: keys})
        return _grouped(map(tuple, rows), keys)


def _grouped(pairs: Iterable[tuple[Any, ...]], keys: list[uuid.UUID]) -> list[list[Any]]:
    grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for recommendation_id, value in pairs:
        grouped[recommendation_id].append(value)
    return [grouped.get(key, []) for key in keys]


@functools.cache
def _together_statement(loads: tuple[TagLoad, ...]) -> CompoundSelect[Any]:
    return union_all(
        *(
            select(
                literal_column(str(index)).label("tag"),
                load.table.c.recommendation_id,
                load.table.c[load.column].label("code"),
            ).where(in_batch(load.table.c.recommendation_id))
            for index, load in enumerate(loads)
        )
    )


async def tags_together(
    context: Context, loads: tuple[TagLoad, ...], keys: list[uuid.UUID]
) -> list[list[list[Any]]]:
    """Several textual tag loads in one statement (one round trip instead of one each):
    per load, what it alone would answer."""
    rows = await context.fetch_all(_together_statement(loads), {BATCH_KEYS: keys})
    per_load: list[list[tuple[Any, Any]]] = [[] for _ in loads]
    for tag, recommendation_id, code in map(tuple, rows):
        per_load[tag].append((recommendation_id, code))
    return [_grouped(pairs, keys) for pairs in per_load]


recommending_state_codes = TagLoad(recommending_states, "state_code")
theme_codes = TagLoad(recommendation_themes, "theme_code")
affected_person_codes = TagLoad(recommendation_affected_persons, "affected_person_code")
sdg_goal_numbers = TagLoad(recommendation_sdg_goals, "goal_number")
sdg_target_codes = TagLoad(recommendation_sdg_targets, "target_code")
source_theme_names = TagLoad(recommendation_source_themes, "name")


async def link_rows(context: Context, keys: list[uuid.UUID]) -> dict[uuid.UUID, list[Row[Any]]]:
    links = RecommendationLink.__table__
    rows = await context.fetch_all(
        select(links).where(links.c.recommendation_id.in_(keys)).order_by(links.c.id)
    )
    grouped: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row.recommendation_id].append(row)
    return grouped
