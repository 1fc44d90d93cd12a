"""`relatedRecommendations`: the same recommendation made again in another cycle."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.recommendations.related import similarity
from schema.relay import to_global_id
from tests.factories import make_recommendation, make_review
from tests.graphql import data
from tests.statements import count_statements

RELATED = """
query($id: ID!) {
  node(id: $id) { ... on Recommendation { relatedRecommendations { id cycle } } }
}
"""
LIST = """
query($first: Int!) {
  recommendations(first: $first) { nodes { id relatedRecommendations { id } } }
}
"""


def test_similarity_is_the_share_of_common_words() -> None:
    assert similarity(frozenset("abc"), frozenset("abcd")) == 0.75
    assert similarity(frozenset(), frozenset("a")) == 0.0


async def test_finds_the_same_recommendation_in_other_cycles_only(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    # Given Kenya told to ratify OPCAT in cycles 2, 3 and 4 (reworded), and other texts
    cycle_2 = await make_review(engine, "KEN", 21)
    cycle_3 = await make_review(engine, "KEN", 35)
    cycle_4 = await make_review(engine, "KEN", 48)
    old = await make_recommendation(
        engine, cycle_2, text="Ratify the Optional Protocol to the Convention against Torture"
    )
    again = await make_recommendation(
        engine,
        cycle_3,
        text="Consider ratifying the Optional Protocol to the Convention against Torture",
    )
    await make_recommendation(
        engine, cycle_4, text="Ratify the Optional Protocol to the Convention against Torture."
    )
    latest = await make_recommendation(
        engine, cycle_4, text="Ratify the Optional Protocol to the Convention against Torture"
    )
    await make_recommendation(engine, cycle_3, text="Abolish the death penalty")
    nepal = await make_review(engine, "NPL", 51)
    await make_recommendation(
        engine, nepal, "NPL", "Ratify the Optional Protocol to the Convention against Torture"
    )
    # When asking for the latest one's related recommendations
    found = await data(client, RELATED, {"id": to_global_id("Recommendation", latest)})
    # Then the earlier cycles' versions, oldest first: not the same cycle's, not Nepal's
    assert found["node"]["relatedRecommendations"] == [
        {"id": to_global_id("Recommendation", old), "cycle": 2},
        {"id": to_global_id("Recommendation", again), "cycle": 3},
    ]


async def test_two_statements_for_a_page_of_any_size(
    engine: AsyncEngine, app: Starlette, client: httpx.AsyncClient
) -> None:
    # Given recommendations in two cycles
    reviews = [await make_review(engine, "KEN", 35), await make_review(engine, "KEN", 48)]
    for i in range(20):
        await make_recommendation(engine, reviews[i % 2], text=f"Protect defenders number {i}")
    # When pages ask for related recommendations; then the page, plus two statements
    counts = []
    for size in (1, 10, 20):
        with count_statements(app.state.engine) as statements:
            page = await data(client, LIST, {"first": size})
        assert len(page["recommendations"]["nodes"]) == size
        counts.append(len(statements))
    assert counts == [3, 3, 3]
