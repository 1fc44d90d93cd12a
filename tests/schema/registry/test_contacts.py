"""Contacts: pseudonyms per viewer, attributes for the owner, chosen ones for a recipient,
identity only by reveal (grant, purpose, fresh second factor), erasure for good."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.registry.service import index_of
from schema.relay import to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.registry import Contact
from security.blind_index import normalise_email
from security.keyring import load_keyring
from tests.graphql import error_codes
from tests.schema.registry.conftest import GRANT, Registry

LIST = """
{
  contacts(first: 10) {
    totalCount nodes { id pseudonym owned riskLevel region country { code } }
  }
}
"""
REVEAL = """
mutation($id: ID!, $purpose: String!) {
  revealContact(contactId: $id, purpose: $purpose) {
    userErrors { field code } contact { fullName email phone }
  }
}
"""
SHARE = """
mutation($id: ID!, $org: ID!, $attributes: [SharedAttribute!]!, $purpose: String!) {
  shareContact(contactId: $id, organisationId: $org, attributes: $attributes, purpose: $purpose) {
    userErrors { field code } contact { id }
  }
}
"""
FIND = """
mutation($email: String!) { findContactByEmail(email: $email) { contacts { id pseudonym } } }
"""
FIND_PHONE = """
mutation($phone: String!) { findContactByPhone(phone: $phone) { contacts { id pseudonym } } }
"""
ERASE = """
mutation($id: ID!, $reason: String!) {
  eraseContact(contactId: $id, reason: $reason) { erased userErrors { code } }
}
"""


async def test_the_owner_sees_attributes_and_others_nothing(registry: Registry) -> None:
    created = await registry.create(
        region="Rift Valley", country="KE", themes=["human-rights-defenders"]
    )
    assert created["pseudonym"].startswith("HRD-")
    assert (created["riskLevel"], created["region"], created["country"]) == (
        "HIGH",
        "Rift Valley",
        {"code": "KEN"},
    )
    mine = (await registry.run(registry.keeper, LIST))["data"]["contacts"]
    assert [n["pseudonym"] for n in mine["nodes"]] == [created["pseudonym"]]
    # Another organisation cannot learn it exists: not in lists, counts or node(id)
    theirs = (await registry.run(registry.outsider, LIST))["data"]["contacts"]
    assert theirs == {"totalCount": 0, "nodes": []}
    node = await registry.run(
        registry.outsider, "query($id: ID!) { node(id: $id) { id } }", {"id": created["id"]}
    )
    assert node == {"data": {"node": None}}


async def test_reveal_needs_grant_purpose_and_fresh_second_factor(
    registry: Registry, engine: AsyncEngine
) -> None:
    created = await registry.create(email="jane@example.org")
    variables = {"id": created["id"], "purpose": "Preparing the safety plan for her travel"}
    # A member without a grant, and the grant holder without a fresh factor, are refused
    assert error_codes(await registry.run(registry.member, REVEAL, variables)) == ["FORBIDDEN"]
    registry.clock.advance(minutes=6)
    assert error_codes(await registry.run(registry.keeper, REVEAL, variables)) == ["FORBIDDEN"]
    # A short purpose is refused
    await registry.step_up(registry.keeper)
    short = await registry.run(registry.keeper, REVEAL, {**variables, "purpose": "why"})
    assert short["data"]["revealContact"]["userErrors"] == [
        {"field": "purpose", "code": "BAD_USER_INPUT"}
    ]
    # With all three, the identity comes back and the audit holds the purpose, sealed
    body = await registry.run(registry.keeper, REVEAL, variables)
    revealed = body["data"]["revealContact"]
    assert revealed["contact"] == {
        "fullName": "Jane Defender",
        "email": "jane@example.org",
        "phone": None,
    }
    async with engine.connect() as connection:
        sealed = await connection.scalar(
            select(AuditEvent.sealed_details).where(AuditEvent.action == "contact.revealed")
        )
    assert sealed is not None
    assert b"safety plan" not in sealed


async def test_a_recipient_sees_its_own_pseudonym_and_the_chosen_attributes(
    registry: Registry,
) -> None:
    created = await registry.create(region="Rift Valley", country="KE")
    await registry.step_up(registry.keeper)
    shared = await registry.run(
        registry.keeper,
        SHARE,
        {
            "id": created["id"],
            "org": to_global_id("Organisation", registry.partner),
            "attributes": ["COUNTRY", "RISK_LEVEL"],
            "purpose": "Joint protection follow-up in Geneva",
        },
    )
    assert shared["data"]["shareContact"]["userErrors"] == []
    (seen,) = (await registry.run(registry.outsider, LIST))["data"]["contacts"]["nodes"]
    assert seen["pseudonym"] != created["pseudonym"]
    assert seen["id"] != created["id"]
    assert (seen["owned"], seen["riskLevel"], seen["region"], seen["country"]) == (
        False,
        "HIGH",
        None,
        {"code": "KEN"},
    )
    # The recipient cannot reveal it
    variables = {"id": seen["id"], "purpose": "Curious about this person"}
    assert error_codes(await registry.run(registry.outsider, REVEAL, variables)) == ["FORBIDDEN"]


async def test_find_by_email_filters_false_positives(registry: Registry) -> None:
    wanted = await registry.create(email="Jane@Example.org")
    await registry.create(email="someone.else@example.org")
    await registry.step_up(registry.keeper)
    found = (await registry.run(registry.keeper, FIND, {"email": "jane@example.ORG"}))["data"]
    assert [c["pseudonym"] for c in found["findContactByEmail"]["contacts"]] == [
        wanted["pseudonym"]
    ]


async def test_erasure_leaves_only_a_tombstone(registry: Registry, engine: AsyncEngine) -> None:
    created = await registry.create(email="jane@example.org", phone="+254712345678", country="KE")
    await registry.step_up(registry.admin)
    erased = await registry.run(
        registry.admin, ERASE, {"id": created["id"], "reason": "She asked to be removed entirely"}
    )
    assert erased["data"]["eraseContact"] == {"erased": True, "userErrors": []}
    async with engine.connect() as connection:
        row = (await connection.execute(select(Contact.__table__))).one()
    kept = {name: value for name, value in row._mapping.items() if value is not None}
    assert set(kept) == {
        "id",
        "owner_organisation_id",
        "erased_at",
        "created_at",
        "updated_at",
        "version",
    }
    assert (await registry.run(registry.keeper, LIST))["data"]["contacts"]["totalCount"] == 0


AUDIT = "{ auditEvents(first: 20) { nodes { action subjectId purpose details } } }"


async def test_admins_read_purposes_until_the_contact_is_erased(registry: Registry) -> None:
    # Given a reveal with a stated purpose
    created = await registry.create()
    await registry.step_up(registry.keeper)
    purpose = "Checking her consent before the dialogue"
    await registry.run(registry.keeper, REVEAL, {"id": created["id"], "purpose": purpose})
    # Then the organisation's admins read it, against the contact's id as they see it
    events = (await registry.run(registry.admin, AUDIT))["data"]["auditEvents"]["nodes"]
    revealed = next(e for e in events if e["action"] == "contact.revealed")
    assert (revealed["purpose"], revealed["subjectId"]) == (purpose, created["id"])
    # And members do not read the audit at all
    assert error_codes(await registry.run(registry.member, AUDIT)) == ["FORBIDDEN"]
    # When the contact is erased, then the purpose is gone with its key
    await registry.step_up(registry.admin)
    reason = "She asked to be removed entirely"
    await registry.run(registry.admin, ERASE, {"id": created["id"], "reason": reason})
    events = (await registry.run(registry.admin, AUDIT))["data"]["auditEvents"]["nodes"]
    assert all(e["purpose"] is None for e in events)
    assert {"contact.revealed", "contact.erased"} <= {e["action"] for e in events}


FIELDS = "{ contacts(first: 5) { nodes { pseudonym riskLevel region consent } } }"


async def test_a_damaged_ciphertext_fails_only_its_field(
    registry: Registry, engine: AsyncEngine
) -> None:
    # Given a contact whose region ciphertext was damaged (a flipped byte)
    created = await registry.create(region="Rift Valley")
    async with engine.begin() as connection:
        sealed = await connection.scalar(select(Contact.region_ciphertext))
        damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
        await connection.execute(update(Contact).values(region_ciphertext=damaged))
    # When the owner lists it; then the region errors, masked, and the rest stands
    body = await registry.run(registry.keeper, FIELDS)
    (node,) = body["data"]["contacts"]["nodes"]
    assert (node["pseudonym"], node["riskLevel"], node["region"]) == (
        created["pseudonym"],
        "HIGH",
        None,
    )
    assert [(e["path"][-1], e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        ("region", "INTERNAL_SERVER_ERROR", "Unexpected error.")
    ]


async def test_a_ciphertext_moved_to_another_row_does_not_decrypt(
    registry: Registry, engine: AsyncEngine
) -> None:
    # Given two contacts, and one's name ciphertext copied over the other's region
    await registry.create(fullName="Jane Defender", region="North")
    await registry.create(fullName="John Witness", region="South")
    async with engine.begin() as connection:
        rows = (
            await connection.execute(
                select(Contact.id, Contact.region_ciphertext).order_by(Contact.id)
            )
        ).all()
        await connection.execute(
            update(Contact)
            .where(Contact.id == rows[1].id)
            .values(region_ciphertext=rows[0].region_ciphertext)
        )
    # Then it fails to decrypt in its new place (bound to table, column, row and owner)
    body = await registry.run(registry.keeper, FIELDS)
    regions = [node["region"] for node in body["data"]["contacts"]["nodes"]]
    assert regions == ["North", None]
    assert [e["path"][-1] for e in body["errors"]] == ["region"]


async def test_a_partner_with_its_own_grant_cannot_reveal_search_or_probe(
    registry: Registry,
) -> None:
    # Given the partner's admin holding a reveal grant of its own, with a fresh factor
    outsider = registry.outsider
    granted = await registry.run(outsider, GRANT, {"id": to_global_id("User", outsider.user_id)})
    assert granted["data"]["grantReveal"]["holdsGrant"] is True, granted
    await registry.step_up(outsider)
    # And two contacts of the NGO: one shared with the partner, one not
    shared = await registry.create(email="shared@example.org", phone="+254712345678")
    hidden = await registry.create(email="hidden@example.org", phone="+254798765432")
    await registry.step_up(registry.keeper)
    answer = await registry.run(
        registry.keeper,
        SHARE,
        {
            "id": shared["id"],
            "org": to_global_id("Organisation", registry.partner),
            "attributes": ["COUNTRY"],
            "purpose": "Joint protection follow-up in Geneva",
        },
    )
    assert answer["data"]["shareContact"]["userErrors"] == []
    (seen,) = (await registry.run(outsider, LIST))["data"]["contacts"]["nodes"]
    purpose = {"purpose": "Verifying who this person is"}
    # Then the shared contact, under the id the partner sees, does not reveal
    revealed = await registry.run(outsider, REVEAL, {"id": seen["id"], **purpose})
    assert error_codes(revealed) == ["NOT_FOUND"]
    # And the unshared one, under the owner's id, answers as an id that does not exist
    probed = await registry.run(outsider, REVEAL, {"id": hidden["id"], **purpose})
    missing = await registry.run(outsider, REVEAL, {"id": to_global_id("Contact", "x"), **purpose})
    assert error_codes(probed) == error_codes(missing) == ["NOT_FOUND"]
    assert probed["errors"][0]["message"] == missing["errors"][0]["message"]
    # And searching by their email or phone finds neither (the indexes are the owner's)
    for email in ("shared@example.org", "hidden@example.org"):
        found = await registry.run(outsider, FIND, {"email": email})
        assert found["data"]["findContactByEmail"]["contacts"] == []
    by_phone = await registry.run(outsider, FIND_PHONE, {"phone": "+254798765432"})
    assert by_phone["data"]["findContactByPhone"]["contacts"] == []
    # While the owner's grant holder finds both (the searches are not vacuous)
    found = await registry.run(registry.keeper, FIND, {"email": "hidden@example.org"})
    assert [c["pseudonym"] for c in found["data"]["findContactByEmail"]["contacts"]] == [
        hidden["pseudonym"]
    ]


async def test_a_search_returns_only_the_person_not_their_bucket(
    registry: Registry, keys_file: Path
) -> None:
    # Given two contacts whose emails fall in the same index bucket (found by search)
    root = load_keyring(keys_file).blind_index
    version = root.primary

    def bucket(email: str) -> bytes:
        return index_of(root, version, registry.ngo, "email", normalise_email(email))

    wanted = "jane@example.org"
    twin = next(
        email
        for email in (f"person{n}@example.org" for n in range(10_000))
        if bucket(email) == bucket(wanted)
    )
    jane = await registry.create(email=wanted)
    twin_contact = await registry.create(fullName="Someone Else", email=twin)
    # When the grant holder searches for one; then only that one comes back
    await registry.step_up(registry.keeper)
    found = (await registry.run(registry.keeper, FIND, {"email": wanted}))["data"]
    assert [c["pseudonym"] for c in found["findContactByEmail"]["contacts"]] == [jane["pseudonym"]]
    found = (await registry.run(registry.keeper, FIND, {"email": twin}))["data"]
    assert [c["pseudonym"] for c in found["findContactByEmail"]["contacts"]] == [
        twin_contact["pseudonym"]
    ]
