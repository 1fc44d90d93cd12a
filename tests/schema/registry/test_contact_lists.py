"""The contacts list leaks nothing through its edges: cursors are per viewer like ids,
and filters look only where the viewer may see the attribute filtered on."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.registry import Contact
from tests.graphql import error_codes, execute
from tests.schema.accounts.test_api_tokens import create_token
from tests.schema.registry.conftest import Registry
from tests.schema.registry.test_contacts import SHARE

SCOPES = ("CONTACTS_READ",)
PAGE = "{ contacts(first: 10) { edges { cursor node { id pseudonym } } } }"
AFTER = "query($after: String) { contacts(first: 10, after: $after) { nodes { pseudonym } } }"
FILTERED = """
query($filter: ContactFilter) {
  contacts(first: 10, filter: $filter) { totalCount nodes { country { code } themes { code } } }
}
"""


async def share(registry: Registry, contact: dict[str, Any], attributes: list[str]) -> None:
    await registry.step_up(registry.keeper)
    variables = {
        "id": contact["id"],
        "org": to_global_id("Organisation", registry.partner),
        "attributes": attributes,
        "purpose": "Joint protection follow-up in Geneva",
    }
    answer = await registry.run(registry.keeper, SHARE, variables)
    assert answer["data"]["shareContact"]["userErrors"] == [], answer


async def test_cursors_differ_per_viewer_and_hold_no_contact_id(
    registry: Registry, engine: AsyncEngine
) -> None:
    # Given a contact shared with the partner
    created = await registry.create(country="KE")
    await share(registry, created, ["RISK_LEVEL"])
    (mine,) = (await registry.run(registry.keeper, PAGE))["data"]["contacts"]["edges"]
    (theirs,) = (await registry.run(registry.outsider, PAGE))["data"]["contacts"]["edges"]
    async with engine.connect() as connection:
        contact_id = await connection.scalar(select(Contact.id))
    # Then the two organisations' cursors differ, and neither holds the contact's id
    assert mine["cursor"] != theirs["cursor"]
    for cursor in (mine["cursor"], theirs["cursor"]):
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        assert contact_id.bytes not in raw
        assert str(contact_id).encode() not in raw
    # And each still pages for its own viewer, while the other's cursor is refused
    later = await registry.run(registry.outsider, AFTER, {"after": theirs["cursor"]})
    assert later["data"]["contacts"]["nodes"] == []
    crossed = await registry.run(registry.outsider, AFTER, {"after": mine["cursor"]})
    assert error_codes(crossed) == ["BAD_USER_INPUT"]


async def test_cursors_page_through_every_contact_in_order(registry: Registry) -> None:
    created = [await registry.create(fullName=f"Person {n}") for n in range(5)]
    query = """
    query($after: String) {
      contacts(first: 2, after: $after) { edges { cursor node { pseudonym } } }
    }
    """
    seen, after = [], None
    for _ in range(3):
        edges = (await registry.run(registry.keeper, query, {"after": after}))["data"]
        seen += [edge["node"]["pseudonym"] for edge in edges["contacts"]["edges"]]
        after = edges["contacts"]["edges"][-1]["cursor"]
    assert seen == [contact["pseudonym"] for contact in created]


async def test_filters_see_only_the_attributes_shared(registry: Registry) -> None:
    # Given a contact in Kenya working on defenders, shared with the partner as its risk
    # level only, and another shared with its country and themes
    hidden = await registry.create(country="KE", themes=["human-rights-defenders"])
    await share(registry, hidden, ["RISK_LEVEL"])
    shown = await registry.create(country="UG", themes=["human-rights-defenders"])
    await share(registry, shown, ["COUNTRY", "THEMES"])
    everything = (await registry.run(registry.outsider, FILTERED, {"filter": None}))["data"]
    assert everything["contacts"]["totalCount"] == 2
    # Then filtering on what was not shared finds nothing, the way an absent value would
    for unshared in ({"country": "KE"}, {"theme": "human-rights-defenders", "country": "KE"}):
        found = (await registry.run(registry.outsider, FILTERED, {"filter": unshared}))["data"]
        assert found["contacts"] == {"totalCount": 0, "nodes": []}
    # And what was shared filters as usual
    by_theme = {"theme": "human-rights-defenders"}
    found = (await registry.run(registry.outsider, FILTERED, {"filter": by_theme}))["data"]
    assert found["contacts"]["nodes"] == [
        {"country": {"code": "UGA"}, "themes": [{"code": "human-rights-defenders"}]}
    ]
    # While the owner filters on everything it keeps
    owner = (await registry.run(registry.keeper, FILTERED, {"filter": {"country": "KE"}}))["data"]
    assert owner["contacts"]["totalCount"] == 1


async def test_api_tokens_see_pseudonyms_and_filter_nothing(registry: Registry) -> None:
    # Given the NGO's contact and a token of the NGO allowed to read contacts
    created = await registry.create(country="KE", themes=["human-rights-defenders"])
    admin = registry.admin.token
    token = (await create_token(registry.client, admin, registry.clock, scopes=SCOPES))["secret"]
    # Then it lists the pseudonym without the plain attributes...
    listed = await execute(registry.client, FILTERED, {"filter": None}, token=token)
    assert listed["data"]["contacts"]["nodes"] == [{"country": None, "themes": None}]
    assert created["country"] == {"code": "KEN"}
    # ... and cannot filter by them, which would show them one by one
    for by in ({"country": "KE"}, {"theme": "human-rights-defenders"}):
        refused = await execute(registry.client, FILTERED, {"filter": by}, token=token)
        assert error_codes(refused) == ["FORBIDDEN"]
