"""`reviews`: newest first, filtered by state and cycle, paged by keyset."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from tests.factories import make_review
from tests.graphql import data, error_codes, execute

REVIEWS = """
query($filter: ReviewFilter, $first: Int, $after: String) {
  reviews(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id reviewDate cycle state { code } session { number } }
  }
}
"""


async def test_newest_first_and_filters(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    kenya_3 = await make_review(engine, "KEN", 35, dt.date(2020, 1, 22))
    kenya_4 = await make_review(engine, "KEN", 48, dt.date(2025, 1, 22))
    nepal_4 = await make_review(engine, "NPL", 51, dt.date(2026, 1, 21))

    async def ids(filter: dict[str, object] | None) -> list[str]:
        result = await data(client, REVIEWS, {"filter": filter, "first": 10})
        return [node["id"] for node in result["reviews"]["nodes"]]

    def gid(*keys: object) -> list[str]:
        return [to_global_id("Review", key) for key in keys]

    assert await ids(None) == gid(nepal_4, kenya_4, kenya_3)
    assert await ids({"state": "KEN"}) == gid(kenya_4, kenya_3)
    assert await ids({"cycle": 4}) == gid(nepal_4, kenya_4)
    assert await ids({"state": "KEN", "cycle": 3}) == gid(kenya_3)


async def test_pages_of_reviews_on_the_same_day(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    # Same review date: the id breaks the tie, so no review is skipped or repeated.
    day = dt.date(2025, 1, 22)
    keys = [
        await make_review(engine, state, 48, day) for state in ("KEN", "ARM", "SWE", "TUR", "GNB")
    ]
    walked: list[str] = []
    after = None
    while True:
        page = (await data(client, REVIEWS, {"first": 2, "after": after}))["reviews"]
        walked += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == [to_global_id("Review", key) for key in reversed(keys)]


async def test_unknown_filters_are_bad_input(client: httpx.AsyncClient) -> None:
    for filter in ({"state": "ZZZ"}, {"cycle": 0}):
        body = await execute(client, REVIEWS, {"filter": filter, "first": 1})
        assert error_codes(body) == ["BAD_USER_INPUT"]
