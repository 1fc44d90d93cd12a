"""The organisation directory under the policy."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.tables.organisations import OrganisationKind
from tests.factories import make_organisation
from tests.graphql import data

DIRECTORY = """
query($filter: OrganisationFilter) {
  organisations(filter: $filter, first: 10) { totalCount nodes { name kind country { code } } }
}
"""


async def test_anonymous_clients_see_public_profiles_only(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await make_organisation(engine, "Zeta Rights", public_profile=True)
    await make_organisation(
        engine,
        "Alpha Watch",
        OrganisationKind.INTERNATIONAL_NGO,
        country="CHE",
        public_profile=True,
    )
    await make_organisation(engine, "Quiet Defenders")  # no public profile
    result = (await data(client, DIRECTORY))["organisations"]
    # The count is over visible rows too: nothing hints at the hidden one.
    assert result["totalCount"] == 2
    assert [node["name"] for node in result["nodes"]] == ["Alpha Watch", "Zeta Rights"]


async def test_directory_filters(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    await make_organisation(engine, "Nairobi Forum", public_profile=True)
    await make_organisation(
        engine, "UN Team", OrganisationKind.UN_AGENCY, country="MWI", public_profile=True
    )
    by_kind = (await data(client, DIRECTORY, {"filter": {"kind": "UN_AGENCY"}}))["organisations"][
        "nodes"
    ]
    by_country = (await data(client, DIRECTORY, {"filter": {"country": "KE"}}))["organisations"][
        "nodes"
    ]
    assert [n["name"] for n in by_kind] == ["UN Team"]
    assert [(n["name"], n["country"]["code"]) for n in by_country] == [("Nairobi Forum", "KEN")]
