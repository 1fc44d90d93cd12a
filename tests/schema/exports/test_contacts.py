"""Contacts in an export: only for the owner's own use, only as pseudonyms of the
export's own domain (not the app's), never a name (SECURITY.md property 6)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import orjson
from sqlalchemy import update

from schema.exports.contacts import export_domain
from schema.relay import to_global_id
from schema.tables.registry import Contact
from security.keyring import KeyRoot
from security.pseudonyms import pseudonym
from tests.graphql import data
from tests.schema.exports.conftest import ExportWorld
from tests.worlds import NGO, PARTNER

PSEUDONYM = re.compile(r"HRD-[0-9A-Z]{4}-[0-9A-Z]{4}")
CREATE = """
mutation($input: ContactInput!) {
  createContact(input: $input) { userErrors { code } contact { pseudonym } }
}
"""


async def _contact(world: ExportWorld, who: str, name: str, *linked: uuid.UUID) -> str:
    """A contact `who` keeps, linked to recommendations; its pseudonym in the app."""
    contact = {
        "fullName": name,
        "riskLevel": "HIGH",
        "consent": "GIVEN",
        "recommendations": [to_global_id("Recommendation", key) for key in linked],
    }
    found = await data(world.client, CREATE, {"input": contact}, token=world.sessions[who])
    assert found["createContact"]["userErrors"] == []
    shown: str = found["createContact"]["contact"]["pseudonym"]
    return shown


def _contacts(rows: list[dict[str, Any]]) -> list[list[str] | None]:
    return [row.get("contacts") for row in rows]


async def test_own_use_exports_carry_export_pseudonyms_of_own_contacts_only(
    world: ExportWorld,
) -> None:
    # Given two recommendations, the NGO's contacts linked to them, and the partner's
    first, second = await world.recommendation(), await world.recommendation()
    in_app = {
        await _contact(world, NGO, "Jane Defender", first),
        await _contact(world, NGO, "John Witness", first, second),
    }
    await _contact(world, PARTNER, "Paula Partner", first)
    own = world.organisation_id(NGO)
    # When the NGO's member exports for its own use
    page = await world.export(NGO, format="JSON", recipient=own)
    rows = orjson.loads(page["content"])
    # Then each recommendation lists the pseudonyms of the NGO's contacts linked to it
    assert page["contactsIncluded"] is True
    named = _contacts(rows)
    assert [len(names or []) for names in named] == [2, 1]
    assert all(PSEUDONYM.fullmatch(name) for names in named for name in names or [])
    # And they are the export's own, not the ones the app shows
    assert not set(named[0] or []) & in_app
    # And no name, of the NGO's contacts or the partner's, is anywhere in it
    for name in ("Jane", "John", "Paula", "Defender", "Witness"):
        assert name not in page["content"]
    # And the CSV carries them in a column of their own
    csv_page = await world.export(NGO, recipient=own)
    assert csv_page["content"].splitlines()[0].endswith(",latest_assessments,contacts")
    assert all(name in csv_page["content"] for name in named[0] or [])


async def test_no_contact_field_in_an_export_for_anyone_else(world: ExportWorld) -> None:
    # Given an NGO contact linked to a recommendation
    key = await world.recommendation()
    await _contact(world, NGO, "Jane Defender", key)
    # When the NGO exports for the partner and for the public
    for given in ({"recipient": world.organisation_id(PARTNER)}, {}):
        page = await world.export(NGO, format="JSON", **given)
        # Then there is no contact field at all
        assert page["contactsIncluded"] is False
        assert _contacts(orjson.loads(page["content"])) == [None]
        csv_page = await world.export(NGO, **given)
        assert "contacts" not in csv_page["content"].splitlines()[0]


async def test_tokens_never_get_contact_links(world: ExportWorld) -> None:
    # Given an NGO contact linked to a recommendation, and two tokens, one of them
    # allowed to read contacts
    key = await world.recommendation()
    await _contact(world, NGO, "Jane Defender", key)
    reader = await world.token(NGO, "recommendations:read")
    keeper = await world.token(NGO, "recommendations:read", "contacts:read")
    own = world.organisation_id(NGO)
    # When each exports for the NGO's own use, and a member does
    member = await world.export(NGO, format="JSON", recipient=own)
    # Then the member's export holds the link, as a pseudonym; no token's does: the app
    # opens contact links for users only
    assert member["contactsIncluded"] is True
    assert _contacts(orjson.loads(member["content"])) != [None]
    for token in (reader, keeper):
        page = await world.export(token, format="JSON", recipient=own)
        assert page["contactsIncluded"] is False
        assert _contacts(orjson.loads(page["content"])) == [None]
        csv_page = await world.export(token, recipient=own)
        assert "contacts" not in csv_page["content"].splitlines()[0]


async def test_an_erased_contact_is_in_no_export(world: ExportWorld) -> None:
    # Given a contact whose row is marked erased (even with its links still there)
    key = await world.recommendation()
    await _contact(world, NGO, "Jane Defender", key)
    async with world.engine.begin() as connection:
        await connection.execute(update(Contact).values(erased_at=world.clock.now))
    # When the NGO exports for its own use
    page = await world.export(NGO, format="JSON", recipient=world.organisation_id(NGO))
    # Then the recommendation lists no contact
    assert _contacts(orjson.loads(page["content"])) == [[]]


def test_export_pseudonyms_differ_per_recipient_and_from_the_app() -> None:
    # Given one contact's seed, two recipients and the app's domain for the first
    root = KeyRoot("pseudonym", {1: bytes(range(32))}, 1)
    seed, first, second = bytes(32), uuid.uuid4(), uuid.uuid4()
    # Then the three pseudonyms are all different
    shown = {
        pseudonym(root, export_domain(first), seed),
        pseudonym(root, export_domain(second), seed),
        pseudonym(root, f"viewer:{first}", seed),
    }
    assert len(shown) == 3
