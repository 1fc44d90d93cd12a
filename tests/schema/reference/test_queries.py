"""Queries over reference data."""

from __future__ import annotations

import httpx

from tests.graphql import data

STATES = """
query($filter: StateFilter, $first: Int, $last: Int, $before: String) {
  states(filter: $filter, first: $first, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor }
    nodes { code name regionalGroup unMember }
  }
}
"""


async def test_states_filter_by_group_and_membership(client: httpx.AsyncClient) -> None:
    weog = (await data(client, STATES, {"filter": {"regionalGroup": "WEOG"}, "first": 100}))[
        "states"
    ]
    assert weog["totalCount"] == 29
    assert {"USA", "TUR", "ISR"} <= {node["code"] for node in weog["nodes"]}
    members = (await data(client, STATES, {"filter": {"unMember": True}, "first": 0}))["states"]
    assert members["totalCount"] == 193


async def test_states_page_backwards_from_the_end(client: httpx.AsyncClient) -> None:
    # The last three UN members, by name, still listed in ascending order.
    page = (await data(client, STATES, {"filter": {"unMember": True}, "last": 3}))["states"]
    assert [node["name"] for node in page["nodes"]] == ["Yemen", "Zambia", "Zimbabwe"]
    assert page["pageInfo"]["hasPreviousPage"] is True
    before = await data(
        client,
        STATES,
        {"filter": {"unMember": True}, "last": 1, "before": page["pageInfo"]["startCursor"]},
    )
    assert [node["name"] for node in before["states"]["nodes"]] == ["Viet Nam"]


async def test_state_by_code(client: httpx.AsyncClient) -> None:
    query = """{
      alpha3: state(code: "NPL") { name }
      alpha2: state(code: "mn") { code }
      none: state(code: "XX") { code }
    }"""
    assert await data(client, query) == {
        "alpha3": {"name": "Nepal"},
        "alpha2": {"code": "MNG"},
        "none": None,
    }


async def test_vocabularies_and_cycles(client: httpx.AsyncClient) -> None:
    result = await data(
        client,
        """{
          themes { code } affectedPersons { code } sdgGoals { number }
          cycles { number sessions { number } }
        }""",
    )
    assert (len(result["themes"]), len(result["affectedPersons"]), len(result["sdgGoals"])) == (
        54,
        26,
        17,
    )
    assert [cycle["number"] for cycle in result["cycles"]] == [1, 2, 3, 4]
    assert [s["number"] for s in result["cycles"][3]["sessions"]] == list(range(41, 55))
