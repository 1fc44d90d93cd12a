"""Queries over recommendations: the list partners work from, and its statistics."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.execution.as_json import Precompleted
from schema.lookahead import connection_node_fields
from schema.node import register_node, uuid_key
from schema.pagination import PageArgs, paginate
from schema.recommendations.filtering import RecommendationFilter, apply_filter
from schema.recommendations.json_page import page_answer
from schema.recommendations.loaders import recommendation_select
from schema.recommendations.ordering import RecommendationOrder, ordered
from schema.recommendations.stats import RecommendationStats, stats_for
from schema.recommendations.types import Recommendation, prefetch, recommendations_by_id
from schema.relay import After, Before, Connection, First, Last

register_node("Recommendation", recommendations_by_id, uuid_key)


@strawberry.type
class RecommendationQuery:
    @strawberry.field(
        graphql_type=Connection[Recommendation],
        description="Recommendations, as added unless `orderBy` says otherwise. Filters on "
        "partners' work look only at what you may see.",
    )
    async def recommendations(
        self,
        info: Info[Context, None],
        filter: RecommendationFilter | None = None,
        order_by: RecommendationOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Recommendation] | Precompleted:
        context = info.context
        query, ordering = ordered(recommendation_select(), order_by)
        query, args = apply_filter(query, context, filter), PageArgs(first, after, last, before)
        if context.json_answers:
            answer = await page_answer(info, query, ordering, args)
            if answer is not None:
                return answer
        connection = await paginate(
            context,
            query,
            ordering,
            args,
            lambda row: Recommendation.from_row(row, context.reference),
        )
        nodes = [edge.node for edge in connection.edges]
        await prefetch(context, nodes, connection_node_fields(info))
        return connection

    @strawberry.field(
        description="Counts for dashboards over the recommendations a filter selects (a "
        "review, a state, a coalition's engagements…), computed over what you may see."
    )
    def recommendation_stats(
        self, info: Info[Context, None], filter: RecommendationFilter | None = None
    ) -> RecommendationStats:
        return stats_for(info.context, filter)
