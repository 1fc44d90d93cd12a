"""Dashboard statistics over a filtered set of recommendations, computed in SQL.

Each count is one aggregate statement, run only when the query selects it. Counts that
come from partners' work (implementation status, follow-up) use the rows the viewer
may see only, as the filters do, so the numbers never reveal hidden rows.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Select, func, select
from strawberry.types import Info

from schema.context import Context
from schema.followup.common import ImplementationStatusEnum
from schema.followup.derived import engaged, is_latest_visible
from schema.recommendations.filtering import RecommendationFilter, apply_filter
from schema.recommendations.types import ResponseEnum
from schema.reference.types import AffectedPerson, Theme
from schema.tables.followup import Assessment
from schema.tables.recommendations import (
    Recommendation,
    recommendation_affected_persons,
    recommendation_themes,
)
from schema.tables.reviews import Review

_recommendations = Recommendation.__table__
_assessments = Assessment.__table__


@strawberry.type(description="How many recommendations have one response.")
class ResponseCount:
    response: ResponseEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="Null for recommendations without a response (other mechanisms)."
    )
    count: int


@strawberry.type(description="How many recommendations ask one category of action.")
class ActionCategoryCount:
    action_category: int | None
    count: int


@strawberry.type(description="How many recommendations carry one theme.")
class ThemeCount:
    theme: Theme
    count: int


@strawberry.type(description="How many recommendations concern one group of affected persons.")
class AffectedPersonCount:
    affected_person: AffectedPerson
    count: int


@strawberry.type(
    description="How many recommendations have, among the latest assessments you may see "
    "(one per organisation), one with this status."
)
class ImplementationStatusCount:
    status: ImplementationStatusEnum  # type: ignore[valid-type]
    count: int


@strawberry.type(
    description="Counts over the recommendations a filter selects. A recommendation counts "
    "once per theme, affected-persons group and implementation status it has: partners who "
    "disagree are each counted, never averaged, so those counts may add up to more than "
    "`total`."
)
class RecommendationStats:
    ids: strawberry.Private[Select[Any]]

    @strawberry.field(description="Recommendations the filter selects.")
    async def total(self, info: Info[Context, None]) -> int:
        count = await info.context.fetch_scalar(
            select(func.count()).select_from(self.ids.subquery())
        )
        return int(count or 0)

    @strawberry.field
    async def by_response(self, info: Info[Context, None]) -> list[ResponseCount]:
        rows = await self._grouped(info, _recommendations.c.response)
        return [ResponseCount(response=value, count=count) for value, count in rows]

    @strawberry.field
    async def by_action_category(self, info: Info[Context, None]) -> list[ActionCategoryCount]:
        rows = await self._grouped(info, _recommendations.c.action_category)
        return [ActionCategoryCount(action_category=value, count=count) for value, count in rows]

    @strawberry.field(description="Themes in use, most frequent first.")
    async def by_theme(self, info: Info[Context, None]) -> list[ThemeCount]:
        themes = info.context.reference.themes
        rows = await self._tagged(info, recommendation_themes.c.theme_code)
        return [ThemeCount(theme=themes[code], count=count) for code, count in rows]

    @strawberry.field(description="Affected-persons groups in use, most frequent first.")
    async def by_affected_persons(self, info: Info[Context, None]) -> list[AffectedPersonCount]:
        groups = info.context.reference.affected_persons
        rows = await self._tagged(info, recommendation_affected_persons.c.affected_person_code)
        return [
            AffectedPersonCount(affected_person=groups[code], count=count) for code, count in rows
        ]

    @strawberry.field
    async def by_implementation_status(
        self, info: Info[Context, None]
    ) -> list[ImplementationStatusCount]:
        latest = _assessments.alias("latest_assessment")
        recommendations = func.count(latest.c.recommendation_id.distinct()).label("n")
        rows = await info.context.fetch_all(
            select(latest.c.status, recommendations)
            .where(
                latest.c.recommendation_id.in_(self.ids),
                is_latest_visible(latest, info.context.viewer),
            )
            .group_by(latest.c.status)
            .order_by(latest.c.status)
        )
        return [ImplementationStatusCount(status=row.status, count=row.n) for row in rows]

    @strawberry.field(description="Recommendations without any assessment you may see.")
    async def not_assessed(self, info: Info[Context, None]) -> int:
        latest = _assessments.alias("latest_assessment")
        assessed = (
            select(latest.c.recommendation_id)
            .where(
                latest.c.recommendation_id == _recommendations.c.id,
                is_latest_visible(latest, info.context.viewer),
            )
            .exists()
        )
        return await self._count_where(info, ~assessed)

    @strawberry.field(description="Recommendations nobody follows up (no engagement you may see).")
    async def not_followed_up(self, info: Info[Context, None]) -> int:
        return await self._count_where(info, ~engaged(_recommendations.c.id, info.context.viewer))

    async def _count_where(self, info: Info[Context, None], condition: Any) -> int:
        count = await info.context.fetch_scalar(
            select(func.count())
            .select_from(_recommendations)
            .where(_recommendations.c.id.in_(self.ids), condition)
        )
        return int(count or 0)

    async def _grouped(self, info: Info[Context, None], column: Any) -> list[tuple[Any, int]]:
        rows = await info.context.fetch_all(
            select(column.label("value"), func.count().label("n"))
            .where(_recommendations.c.id.in_(self.ids))
            .group_by(column)
        )
        # Sorted here: the databases disagree on where NULL sorts.
        counts = [(row.value, int(row.n)) for row in rows]
        return sorted(counts, key=lambda item: (item[0] is None, item[0]))

    async def _tagged(self, info: Info[Context, None], column: Any) -> list[tuple[Any, int]]:
        count = func.count().label("n")
        rows = await info.context.fetch_all(
            select(column.label("value"), count)
            .where(column.table.c.recommendation_id.in_(self.ids))
            .group_by(column)
            .order_by(count.desc(), column)
        )
        return [(row.value, int(row.n)) for row in rows]


def stats_for(context: Context, given: RecommendationFilter | None) -> RecommendationStats:
    """The statistics of the recommendations `given` selects (filter errors raise now)."""
    ids = select(_recommendations.c.id).select_from(
        _recommendations.outerjoin(
            Review.__table__, Review.__table__.c.id == _recommendations.c.review_id
        )
    )
    return RecommendationStats(ids=apply_filter(ids, context, given))
