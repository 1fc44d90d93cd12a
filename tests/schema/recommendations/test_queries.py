"""`recommendations`: filters, nested fields, pages, and a constant statement count."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.relay import to_global_id
from tests.factories import make_recommendation, make_review
from tests.graphql import data, error_codes, execute
from tests.statements import count_statements

LIST = """
query($filter: RecommendationFilter, $first: Int, $after: String) {
  recommendations(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id text paragraph actionCategory response cycle
      state { code name regionalGroup }
      session { number startsOn }
      review { id reviewDate cycle hrcSession }
      recommendingStates { code }
      themes { code name }
    }
  }
}
"""


@pytest.fixture
async def reviews(engine: AsyncEngine) -> dict[str, uuid.UUID]:
    return {
        "KEN-3": await make_review(engine, "KEN", 35),
        "KEN-4": await make_review(engine, "KEN", 48),
        "NPL-4": await make_review(engine, "NPL", 51),
    }


async def test_filters_by_state_and_cycle(
    engine: AsyncEngine, client: httpx.AsyncClient, reviews: dict[str, uuid.UUID]
) -> None:
    # Given recommendations to Kenya in cycles 3 and 4, and to Nepal in cycle 4
    kenya_3 = await make_recommendation(engine, reviews["KEN-3"], "KEN")
    kenya_4 = await make_recommendation(
        engine,
        reviews["KEN-4"],
        "KEN",
        themes=["death-penalty", "justice"],
        recommending=["FRA", "BRA"],
    )
    nepal_4 = await make_recommendation(engine, reviews["NPL-4"], "NPL")

    async def ids(filter: dict[str, object]) -> list[str]:
        result = await data(client, LIST, {"filter": filter, "first": 10})
        return [node["id"] for node in result["recommendations"]["nodes"]]

    # When filtering; then exactly the matching ones, in the order they were added
    assert await ids({"state": "KEN"}) == [
        to_global_id("Recommendation", k) for k in (kenya_3, kenya_4)
    ]
    assert await ids({"state": "ke", "cycle": 4}) == [to_global_id("Recommendation", kenya_4)]
    assert await ids({"cycle": 4}) == [
        to_global_id("Recommendation", k) for k in (kenya_4, nepal_4)
    ]
    assert await ids({"session": 51}) == [to_global_id("Recommendation", nepal_4)]
    assert await ids({"review": to_global_id("Review", reviews["KEN-3"])}) == [
        to_global_id("Recommendation", kenya_3)
    ]


async def test_nested_fields(
    engine: AsyncEngine, client: httpx.AsyncClient, reviews: dict[str, uuid.UUID]
) -> None:
    await make_recommendation(
        engine,
        reviews["KEN-4"],
        "KEN",
        "Abolish the death penalty",
        themes=["justice", "death-penalty"],
        recommending=["FRA", "BRA"],
    )
    (node,) = (await data(client, LIST, {"first": 1}))["recommendations"]["nodes"]
    assert node["text"] == "Abolish the death penalty"
    assert node["state"] == {"code": "KEN", "name": "Kenya", "regionalGroup": "AFRICA"}
    assert node["session"] == {"number": 48, "startsOn": "2025-01-01"}
    assert node["cycle"] == 4
    assert node["review"]["id"] == to_global_id("Review", reviews["KEN-4"])
    assert node["review"]["cycle"] == 4
    # Tags come sorted by name; recommending states by their UN name.
    assert [theme["name"] for theme in node["themes"]] == ["Death penalty", "Justice"]
    assert [state["code"] for state in node["recommendingStates"]] == ["BRA", "FRA"]


async def test_other_mechanisms_have_no_review(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await make_recommendation(engine, None, "NPL", "Raise the minimum age of marriage")
    (node,) = (await data(client, LIST, {"filter": {"mechanism": "TREATY_BODY"}, "first": 5}))[
        "recommendations"
    ]["nodes"]
    assert (node["review"], node["session"], node["cycle"]) == (None, None, None)


async def test_pages_follow_each_other(
    engine: AsyncEngine, client: httpx.AsyncClient, reviews: dict[str, uuid.UUID]
) -> None:
    keys = [await make_recommendation(engine, reviews["KEN-4"]) for _ in range(5)]
    first = (await data(client, LIST, {"first": 3}))["recommendations"]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await data(client, LIST, {"first": 3, "after": first["pageInfo"]["endCursor"]}))[
        "recommendations"
    ]
    assert second["pageInfo"]["hasNextPage"] is False
    walked = [node["id"] for node in first["nodes"] + second["nodes"]]
    assert walked == [to_global_id("Recommendation", key) for key in keys]


@pytest.mark.parametrize(
    "filter",
    [
        {"state": "XXX"},
        {"cycle": 9},
        {"session": 99},
        {"review": "nonsense"},
        {"review": to_global_id("State", "KEN")},
    ],
)
async def test_bad_filters_are_bad_user_input(
    client: httpx.AsyncClient, filter: dict[str, object]
) -> None:
    body = await execute(client, LIST, {"filter": filter, "first": 10})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["data"] is None


async def test_statements_do_not_grow_with_page_size(
    engine: AsyncEngine, app: Starlette, client: httpx.AsyncClient, reviews: dict[str, uuid.UUID]
) -> None:
    for i in range(50):
        await make_recommendation(
            engine, reviews["KEN-4"], themes=["justice"], recommending=["FRA", "DEU"][: i % 3]
        )
    counts = []
    for size in (1, 10, 50):
        with count_statements(app.state.engine) as statements:
            result = await data(client, LIST, {"first": size})
        assert len(result["recommendations"]["nodes"]) == size
        counts.append(len(statements))
    # The page, its count, one batch for reviews, one for recommending states and themes
    # together.
    assert counts == [4, 4, 4]


RELATIONS = """
  review { id } recommendingStates { code } themes { code } affectedPersons { code }
  sdgGoals { number } sdgTargets sourceThemes links { documentSymbol target { text } }
"""


async def test_prefetched_and_loaded_relations_agree(
    engine: AsyncEngine, client: httpx.AsyncClient, reviews: dict[str, uuid.UUID]
) -> None:
    # Given a recommendation with every kind of relation
    treaty = await make_recommendation(engine, None, "KEN", "Criminalise marital rape")
    key = await make_recommendation(
        engine,
        reviews["KEN-4"],
        themes=["justice", "death-penalty"],
        recommending=["FRA", "BRA"],
        affected=["women-girls", "children"],
        goals=[16, 5],
        targets=["16.10", "5.2", "16.3", "16.a"],
        source_themes=["Women's rights", "Administration of justice & fair trial"],
        links=[("CEDAW/C/KEN/CO/8", "24(b)", treaty), ("CAT/C/KEN/CO/3", None, None)],
    )
    # When it is read in a list (relations prefetched for the page, through fragments
    # and edges too) and by node(id) (relations through DataLoaders)
    listed = await data(
        client,
        "query { recommendations(first: 5, filter: {mechanism: UPR}) { edges { node { ...R } } } }"
        f" fragment R on Recommendation {{ {RELATIONS} }}",
    )
    by_id = await data(
        client,
        f"query($id: ID!) {{ node(id: $id) {{ ... on Recommendation {{ {RELATIONS} }} }} }}",
        {"id": to_global_id("Recommendation", key)},
    )
    # Then both paths give the same values, each relation in its documented order
    assert listed["recommendations"]["edges"][0]["node"] == by_id["node"]
    node = by_id["node"]
    assert [t["code"] for t in node["themes"]] == ["death-penalty", "justice"]
    assert [p["code"] for p in node["affectedPersons"]] == ["children", "women-girls"]
    assert [g["number"] for g in node["sdgGoals"]] == [5, 16]
    assert node["sdgTargets"] == ["5.2", "16.3", "16.10", "16.a"]
    assert node["sourceThemes"] == ["Administration of justice & fair trial", "Women's rights"]
    assert [link["documentSymbol"] for link in node["links"]] == [
        "CEDAW/C/KEN/CO/8",
        "CAT/C/KEN/CO/3",
    ]
