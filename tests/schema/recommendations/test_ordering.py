"""`recommendations(orderBy:)`: each order, both directions, cursors bound to their order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from tests.factories import make_recommendation, make_review
from tests.graphql import data, error_codes, execute

PAGE = """
query($order: RecommendationOrder, $first: Int, $after: String) {
  recommendations(orderBy: $order, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id }
  }
}
"""


async def walk(client: httpx.AsyncClient, order: dict[str, str], size: int) -> list[str]:
    """Every id, page by page, following the cursors."""
    seen: list[str] = []
    after = None
    while True:
        page = (await data(client, PAGE, {"order": order, "first": size, "after": after}))[
            "recommendations"
        ]
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
async def added(engine: AsyncEngine) -> dict[str, str]:
    """Recommendations added in this order: Nepal 51, Kenya 35, a treaty body's, Kenya 48."""
    reviews = {
        "NPL": await make_review(engine, "NPL", 51),
        "KEN-35": await make_review(engine, "KEN", 35),
        "KEN-48": await make_review(engine, "KEN", 48),
    }
    keys = {
        "npl-51": await make_recommendation(engine, reviews["NPL"], "NPL"),
        "ken-35": await make_recommendation(engine, reviews["KEN-35"], "KEN"),
        "treaty": await make_recommendation(engine, None, "BRA"),
        "ken-48": await make_recommendation(engine, reviews["KEN-48"], "KEN"),
    }
    return {name: to_global_id("Recommendation", key) for name, key in keys.items()}


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ({}, ["npl-51", "ken-35", "treaty", "ken-48"]),
        ({"direction": "DESC"}, ["ken-48", "treaty", "ken-35", "npl-51"]),
        ({"field": "STATE"}, ["treaty", "ken-35", "ken-48", "npl-51"]),
        ({"field": "STATE", "direction": "DESC"}, ["npl-51", "ken-48", "ken-35", "treaty"]),
        ({"field": "SESSION"}, ["treaty", "ken-35", "ken-48", "npl-51"]),
        ({"field": "SESSION", "direction": "DESC"}, ["npl-51", "ken-48", "ken-35", "treaty"]),
    ],
)
async def test_every_order_pages_through_everything_once(
    client: httpx.AsyncClient,
    added: dict[str, str],
    order: dict[str, str],
    expected: list[str],
) -> None:
    # When walking the list in pages of one and of three; then the same order each time
    for size in (1, 3):
        assert await walk(client, order, size) == [added[name] for name in expected]


async def test_a_cursor_belongs_to_its_order(
    client: httpx.AsyncClient, added: dict[str, str]
) -> None:
    # Given a cursor of the list by state
    page = await data(client, PAGE, {"order": {"field": "STATE"}, "first": 1})
    cursor = page["recommendations"]["pageInfo"]["endCursor"]
    # When it is used with another order, or direction; then it is refused
    for order in ({"field": "SESSION"}, {"field": "STATE", "direction": "DESC"}, {}):
        body: dict[str, Any] = await execute(
            client, PAGE, {"order": order, "first": 1, "after": cursor}
        )
        assert error_codes(body) == ["BAD_USER_INPUT"]
