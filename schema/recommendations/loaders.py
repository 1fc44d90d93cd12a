"""Batch loads for recommendations: one statement per relation, whatever the page size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Row, Select, Table, select

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


def _tag_loader(
    table: Table, column: str
) -> Callable[[Context, list[uuid.UUID]], Awaitable[list[list[Any]]]]:
    # Built once: a page runs it with its keys.
    statement = select(table.c.recommendation_id, table.c[column]).where(
        in_batch(table.c.recommendation_id)
    )

    async def load(context: Context, keys: list[uuid.UUID]) -> list[list[Any]]:
        rows = await context.fetch_all(statement, {BATCH_KEYS: keys})
        grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row[0]].append(row[1])
        return [grouped.get(key, []) for key in keys]

    load.__name__ = f"{table.name}_by_recommendation"
    return load


recommending_state_codes = _tag_loader(recommending_states, "state_code")
theme_codes = _tag_loader(recommendation_themes, "theme_code")
affected_person_codes = _tag_loader(recommendation_affected_persons, "affected_person_code")
sdg_goal_numbers = _tag_loader(recommendation_sdg_goals, "goal_number")
sdg_target_codes = _tag_loader(recommendation_sdg_targets, "target_code")
source_theme_names = _tag_loader(recommendation_source_themes, "name")


async def link_rows(context: Context, keys: list[uuid.UUID]) -> dict[uuid.UUID, list[Row[Any]]]:
    links = RecommendationLink.__table__
    rows = await context.fetch_all(
        select(links).where(links.c.recommendation_id.in_(keys)).order_by(links.c.id)
    )
    grouped: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row.recommendation_id].append(row)
    return grouped
