"""`node(id)`: every type by its global id; hidden and missing answer alike."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.db import new_id
from schema.relay import to_global_id
from tests.factories import make_organisation, make_recommendation, make_review
from tests.graphql import error_codes, execute

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on State { code }
    ... on Review { reviewDate }
    ... on Recommendation { text }
    ... on Organisation { name }
  }
}
"""


async def test_every_type_resolves_by_its_id(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    review = await make_review(engine)
    recommendation = await make_recommendation(engine, review, text="Ratify the Optional Protocol")
    organisation = await make_organisation(engine, name="Listed NGO", public_profile=True)
    expected = {
        to_global_id("State", "KEN"): ("State", "code", "KEN"),
        to_global_id("Review", review): ("Review", "reviewDate", "2025-01-22"),
        to_global_id("Recommendation", recommendation): (
            "Recommendation",
            "text",
            "Ratify the Optional Protocol",
        ),
        to_global_id("Organisation", organisation): ("Organisation", "name", "Listed NGO"),
    }
    for global_id, (type_name, field, value) in expected.items():
        node = (await execute(client, NODE, {"id": global_id}))["data"]["node"]
        assert (node["__typename"], node["id"], node[field]) == (type_name, global_id, value)


async def test_hidden_and_missing_ids_answer_alike(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    # Given an organisation outside the public directory, and an id that never existed
    hidden = await make_organisation(engine, public_profile=False)
    answers = [
        await execute(client, NODE, {"id": to_global_id("Organisation", key)})
        for key in (hidden, new_id())
    ]
    # Then an anonymous client cannot tell them apart
    assert answers[0] == answers[1] == {"data": {"node": None}}


@pytest.mark.parametrize(
    "global_id",
    [
        to_global_id("Recommendation", new_id()),
        to_global_id("State", "ZZZ"),
        to_global_id("Unknown", "1"),
    ],
)
async def test_unknown_ids_are_null(client: httpx.AsyncClient, global_id: str) -> None:
    assert await execute(client, NODE, {"id": global_id}) == {"data": {"node": None}}


@pytest.mark.parametrize("global_id", ["%%%", to_global_id("Review", "not-a-uuid")])
async def test_malformed_ids_are_bad_user_input(client: httpx.AsyncClient, global_id: str) -> None:
    assert error_codes(await execute(client, NODE, {"id": global_id})) == ["BAD_USER_INPUT"]
