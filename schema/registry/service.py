"""Registry writes shared by the mutations: sealing a contact, loading an owned one."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.context import Context
from schema.errors import NotFound
from schema.payloads import invalid
from schema.registry.inputs import CheckedContact
from schema.registry.model import ENCRYPTED
from schema.registry.sealing import ContactFields
from schema.relay import expect_global_id
from schema.tables.registry import Contact, contact_affected_persons, contact_themes
from security.blind_index import bits_for, blind_index, index_key
from security.keyring import KeyRoot
from security.pseudonyms import contact_from_token

# Blind-index width, sized from the registries we expect: hundreds to tens of thousands
# of contacts per organisation. 8 bits give 256 values per organisation and column, so
# from a few hundred contacts on, every value is shared by several people and an index
# never pins one person: not for a thief holding the key file, nor in a backup from
# before an erasure read with today's key file (SECURITY.md properties 5 and 7). A
# lookup returns the whole bucket (about n/256 of n contacts), each decrypted and
# compared: cheap for a search that is rare, audited and behind a fresh second factor.
# 16 bits would pin most people in every registry under 65,536 contacts.
SMALLEST_REGISTRY_SIZED_FOR = 1_000
INDEX_BITS = bits_for(SMALLEST_REGISTRY_SIZED_FOR)


def index_of(
    root: KeyRoot, version: int, organisation: uuid.UUID, column: str, value: str
) -> bytes:
    """Keys per (organisation, table, column, version): the same email held by two
    organisations gives unrelated values."""
    key = index_key(root.key(version), version, (str(organisation), "contacts", column))
    return blind_index(key, value, INDEX_BITS)


def indexes_of(root: KeyRoot, organisation: uuid.UUID, column: str, value: str) -> list[bytes]:
    """Under every version in the key file: rows indexed before a rotation are found."""
    return [index_of(root, v, organisation, column, value) for v in sorted(root.versions)]


async def owned_contact(context: Context, global_id: str) -> Row[Any]:
    """A live contact of the principal's own organisation; anything else NOT_FOUND,
    exactly as an id that never existed."""
    principal = context.principal
    key = contact_from_token(
        context.services.keys.keyring.pseudonym,
        principal.organisation_id,
        expect_global_id(global_id, "Contact"),
    )
    rows = (
        await context.fetch_all(
            select(Contact.__table__).where(
                Contact.id == key,
                Contact.owner_organisation_id == principal.organisation_id,
                Contact.erased_at.is_(None),
            )
        )
        if key is not None
        else []
    )
    if not rows:
        raise NotFound("No such contact.")
    return rows[0]


async def still_live(connection: AsyncConnection, row: Row[Any]) -> Row[Any]:
    """The contact `owned_contact` read, read again in the caller's write transaction:
    NOT_FOUND (as an id that never existed) if it was erased meanwhile. On PostgreSQL the
    row stays locked until the transaction ends, so no erasure commits between this check
    and the caller's commit (SQLite's write transactions already run one at a time).
    Every writer locks the contact before its organisation's audit chain, always in that
    order. A rotation may have re-wrapped the data key meanwhile: the key is the same, so
    the caller unwraps it from the row returned here (`contact_data_key`)."""
    query = select(Contact.__table__).where(
        Contact.id == row.id,
        Contact.owner_organisation_id == row.owner_organisation_id,
        Contact.erased_at.is_(None),
        Contact.wrapped_data_key.is_not(None),
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    fresh = (await connection.execute(query)).first()
    if fresh is None:
        raise NotFound("No such contact.")
    return fresh


async def contact_data_key(context: Context, connection: AsyncConnection, row: Row[Any]) -> bytes:
    """The contact's data key, from its row (in a write transaction: the `still_live` one)."""
    return await context.services.registry.contact_key(
        connection, row.id, row.owner_organisation_id, row.wrapped_data_key
    )


def sealed_values(
    root: KeyRoot,
    contact: uuid.UUID,
    owner: uuid.UUID,
    checked: CheckedContact,
    data_key: bytes,
) -> dict[str, Any]:
    """The row's columns: every protected field sealed, the blind indexes (under the
    blind-index `root`), the country."""
    fields = ContactFields(data_key, contact, owner)
    version, _ = root.primary_key()
    values: dict[str, Any] = {
        f"{column}_ciphertext": fields.seal(column, checked.text.get(column))
        for column in ENCRYPTED
        if column != "links"
    }
    values["links_ciphertext"] = fields.seal_links(checked.links)
    for column, value in (("email", checked.email), ("phone", checked.phone)):
        values[f"{column}_index"] = index_of(root, version, owner, column, value) if value else None
    values["country_code"] = checked.country
    return values


async def replace_tags(
    connection: AsyncConnection, contact: uuid.UUID, checked: CheckedContact
) -> None:
    """The plain, coarse tags (themes, affected persons) of a contact."""
    await connection.execute(delete(contact_themes).where(contact_themes.c.contact_id == contact))
    await connection.execute(
        delete(contact_affected_persons).where(contact_affected_persons.c.contact_id == contact)
    )
    if checked.themes:
        await connection.execute(
            insert(contact_themes),
            [{"contact_id": contact, "theme_code": code} for code in checked.themes],
        )
    if checked.affected:
        await connection.execute(
            insert(contact_affected_persons),
            [{"contact_id": contact, "affected_person_code": code} for code in checked.affected],
        )


def purpose_text(purpose: str, field: str = "purpose") -> str:
    """A stated reason: required for reveals, shares and erasures (and audited sealed)."""
    purpose = purpose.strip()
    if not 10 <= len(purpose) <= 500:
        raise invalid(field, "Say why, in 10 to 500 characters.")
    return purpose
