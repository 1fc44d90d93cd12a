"""Contacts in an export: only in an export for the exporter's own organisation, only as
pseudonyms of the export's own domain (`export:<recipient>`), never a name or any other
attribute (SECURITY.md property 6).

The links between contacts and recommendations live inside each contact's ciphertext,
so they are opened here, for the owner only, with the contact's data key: nothing
outside the ciphertext says which people work on what. A contact whose key does not
unwrap fails the whole page (nothing is audited or returned) rather than silently
dropping a person from the organisation's own list.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select

from schema.context import Context
from schema.registry.sealing import ContactFields
from schema.tables.registry import Contact, ContactShare
from security.policy import Viewer, contacts_visible
from security.pseudonyms import pseudonym

_contacts = Contact.__table__.c
_shares = ContactShare.__table__.c


def export_domain(recipient: uuid.UUID) -> str:
    """Pseudonyms of their own per recipient: two exports cannot be joined, nor an export
    joined with what the app shows (`viewer:<organisation>`)."""
    return f"export:{recipient}"


def includes_contacts(principal: Viewer, recipient: uuid.UUID | None) -> bool:
    """Only for the owner's own use: the recipient is the exporter's own organisation,
    and the principal is one of its users (a government keeps none). Never an API token,
    whatever its scopes: which recommendation a contact is linked to lives inside the
    contact's ciphertext because it could single the person out, and the app opens those
    links for users only. `contacts_visible` checks the rest again in SQL."""
    return (
        recipient is not None
        and recipient == principal.organisation_id
        and principal.is_user
        and not principal.government
        and not principal.enrolment_pending
    )


async def pseudonyms_by_recommendation(
    context: Context, recipient: uuid.UUID, keys: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """The export pseudonyms of the principal's own (not erased) contacts whose links name
    each of `keys`, sorted."""
    principal = context.principal
    rows = await context.fetch_all(
        select(
            _contacts.id,
            _contacts.owner_organisation_id,
            _contacts.pseudonym_seed,
            _contacts.wrapped_data_key,
            _contacts.links_ciphertext,
        )
        .where(
            contacts_visible(_contacts, _shares, principal),
            _contacts.owner_organisation_id == principal.organisation_id,
            _contacts.links_ciphertext.is_not(None),
        )
        .order_by(_contacts.id)
    )
    wanted = set(keys)
    root, domain = context.services.keys.keyring.pseudonym, export_domain(recipient)
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    async with context.connection() as connection:
        for row in rows:
            owner = row.owner_organisation_id
            key = await context.services.registry.contact_key(
                connection, row.id, owner, row.wrapped_data_key
            )
            links = ContactFields(key, row.id, owner).open_links(row.links_ciphertext)
            linked = {target for kind, target in links if kind == "recommendation"} & wanted
            if linked:
                shown = pseudonym(root, domain, row.pseudonym_seed)
                for recommendation in linked:
                    found[recommendation].add(shown)
    return {recommendation: sorted(names) for recommendation, names in found.items()}
