"""The exceptional acts: revealing who a contact is, searching by email or phone,
sharing a contact with another organisation. Each needs a user (never a token) of the
owning organisation with a reveal grant and a second factor proved in the last five
minutes; each is audited, with its stated purpose sealed under the contact's key, and
the audit entry commits before any plaintext leaves the server."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info

from schema.audit import organisation_chain, record
from schema.context import Context
from schema.db import new_id
from schema.errors import NotFound
from schema.node import uuid_key
from schema.payloads import UserError, invalid, reports_user_errors
from schema.registry.model import SharedAttribute
from schema.registry.mutations.contacts import ContactPayload, contact_payload, keeper
from schema.registry.queries import build_contacts, contacts_select
from schema.registry.sealing import ContactFields
from schema.registry.service import (
    contact_data_key,
    indexes_of,
    owned_contact,
    purpose_text,
    still_live,
)
from schema.registry.types import Contact, RevealedContact, SharedAttributeEnum
from schema.relay import expect_global_id
from schema.tables.organisations import Organisation, OrganisationKind
from schema.tables.registry import Contact as ContactTable
from schema.tables.registry import ContactShare
from security.blind_index import normalise_email, normalise_phone
from security.policy import directory_visible, require_reveal_grant

_contacts = ContactTable.__table__.c
_shares = ContactShare.__table__.c
_organisations = Organisation.__table__.c


@strawberry.type
class RevealPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    contact: RevealedContact | None = None


@strawberry.type
class FindContactsPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    contacts: list[Contact] = strawberry.field(default_factory=list)


async def _fields(context: Context, row: Row[Any]) -> ContactFields:
    async with context.connection() as connection:
        key = await contact_data_key(context, connection, row)
    return ContactFields(key, row.id, row.owner_organisation_id)


async def _live(
    context: Context, connection: AsyncConnection, row: Row[Any]
) -> tuple[Row[Any], ContactFields]:
    """The contact read again in the write transaction (NOT_FOUND if erased since), and
    its fields: nothing is sealed under, or opened with, the key of an erased contact."""
    row = await still_live(connection, row)
    key = await contact_data_key(context, connection, row)
    return row, ContactFields(key, row.id, row.owner_organisation_id)


async def _audit(
    context: Context,
    connection: AsyncConnection,
    action: str,
    row: Row[Any],
    sealed: tuple[ContactFields, str] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """In the caller's write transaction: the act and its record commit together or not
    at all, and before the caller answers (no plaintext leaves without its record).
    `sealed`: the stated purpose, sealed under the contact's key for this entry."""
    principal = context.principal
    await record(
        connection,
        organisation_chain(row.owner_organisation_id),
        action,
        context.now(),
        actor_user_id=principal.user_id,
        actor_organisation_id=principal.organisation_id,
        subject_type="Contact",
        subject_id=row.id,
        details=details,
        seal=(lambda event: sealed[0].seal_audit(event, sealed[1])) if sealed else None,
    )


@reports_user_errors(RevealPayload)
async def reveal_contact(
    info: Info[Context, None], contact_id: strawberry.ID, purpose: str
) -> RevealPayload:
    """The identity is read in the transaction that records the reveal, after checking
    the contact is still there: a reveal racing an erasure either commits before it (and
    answers) or finds the contact gone (and records and answers nothing)."""
    context = info.context
    require_reveal_grant(context.principal, context.now())
    stated = purpose_text(purpose)
    row = await owned_contact(context, contact_id)
    async with context.write() as connection:
        row, fields = await _live(context, connection, row)
        await _audit(context, connection, "contact.revealed", row, (fields, stated))
    full_name = fields.open("full_name", row.full_name_ciphertext)
    return RevealPayload(
        contact=RevealedContact(
            full_name=full_name or "",
            email=fields.open("email", row.email_ciphertext),
            phone=fields.open("phone", row.phone_ciphertext),
            handle=fields.open("handle", row.handle_ciphertext),
            address=fields.open("address", row.address_ciphertext),
            notes=fields.open("notes", row.notes_ciphertext),
        )
    )


async def _find(context: Context, column: str, value: str) -> FindContactsPayload:
    """Candidates by blind index (deliberately not unique), then the false positives
    filtered out after decryption. The audit records that a search happened, never
    what was searched."""
    principal = context.principal
    require_reveal_grant(principal, context.now())
    owner = keeper(context)
    root = context.services.keys.keyring.blind_index
    index = getattr(_contacts, f"{column}_index")
    candidates = await context.fetch_all(
        contacts_select(principal).where(
            _contacts.owner_organisation_id == owner,
            index.in_(indexes_of(root, owner, column, value)),
        )
    )
    matches = []
    for row in candidates:
        fields = await _fields(context, row)
        if fields.open(column, getattr(row, f"{column}_ciphertext")) == value:
            matches.append(row)
    async with context.write() as connection:
        await record(
            connection,
            organisation_chain(owner),
            "contact.searched",
            context.now(),
            actor_user_id=principal.user_id,
            actor_organisation_id=owner,
            details={"by": column, "matches": len(matches)},
        )
    return FindContactsPayload(contacts=await build_contacts(context, matches))


@reports_user_errors(FindContactsPayload)
async def find_contact_by_email(info: Info[Context, None], email: str) -> FindContactsPayload:
    require_reveal_grant(info.context.principal, info.context.now())  # before any input check
    try:
        normalised = normalise_email(email)
    except ValueError:
        raise invalid("email", "Not an email address.") from None
    return await _find(info.context, "email", normalised)


@reports_user_errors(FindContactsPayload)
async def find_contact_by_phone(info: Info[Context, None], phone: str) -> FindContactsPayload:
    require_reveal_grant(info.context.principal, info.context.now())  # before any input check
    try:
        normalised = normalise_phone(phone)
    except ValueError:
        raise invalid(
            "phone", "Not a phone number (give it with its + and country code)."
        ) from None
    return await _find(info.context, "phone", normalised)


@reports_user_errors(ContactPayload)
async def share_contact(
    info: Info[Context, None],
    contact_id: strawberry.ID,
    organisation_id: strawberry.ID,
    attributes: list[SharedAttributeEnum],  # type: ignore[valid-type]
    purpose: str,
) -> ContactPayload:
    """Share chosen non-identifying attributes with one named non-government
    organisation the sharer can see; sharing again replaces the choice."""
    context = info.context
    principal = context.principal
    require_reveal_grant(principal, context.now())
    stated = purpose_text(purpose)
    row = await owned_contact(context, contact_id)
    recipient = uuid_key(expect_global_id(organisation_id, "Organisation"))
    found = await context.fetch_all(
        select(_organisations.kind).where(
            _organisations.id == recipient, directory_visible(_organisations, context.viewer)
        )
    )
    if not found or recipient == principal.organisation_id:
        raise NotFound("No such organisation.")
    if found[0].kind == OrganisationKind.GOVERNMENT:
        raise invalid("organisationId", "A contact is never shared with a government.")
    chosen = sorted({SharedAttribute(a).value for a in attributes})
    if not chosen:
        raise invalid("attributes", "Choose at least one attribute to share.")
    now = context.now()
    async with context.write() as connection:
        row, fields = await _live(context, connection, row)
        existing = (
            await connection.execute(
                select(_shares.id).where(
                    _shares.contact_id == row.id, _shares.recipient_organisation_id == recipient
                )
            )
        ).first()
        share = new_id() if existing is None else existing.id
        values = {
            "shared_attributes": " ".join(chosen),
            "purpose_ciphertext": fields.seal_share_purpose(share, stated),
            "shared_by_user_id": principal.user_id,
            "revoked_at": None,
            "updated_at": now,
        }
        if existing is None:
            await connection.execute(
                insert(ContactShare).values(
                    id=share,
                    contact_id=row.id,
                    recipient_organisation_id=recipient,
                    created_at=now,
                    version=1,
                    **values,
                )
            )
        else:
            await connection.execute(
                update(ContactShare)
                .where(_shares.id == share)
                .values(**values, version=ContactShare.version + 1)
            )
        details = {"recipient": str(recipient), "attributes": chosen}
        await _audit(context, connection, "contact.shared", row, (fields, stated), details)
    return await contact_payload(context, row.id)


@reports_user_errors(ContactPayload)
async def unshare_contact(
    info: Info[Context, None], contact_id: strawberry.ID, organisation_id: strawberry.ID
) -> ContactPayload:
    """Any keeper of the contact may stop a share: it only ever narrows who sees it."""
    context = info.context
    keeper(context)
    row = await owned_contact(context, contact_id)
    recipient = uuid_key(expect_global_id(organisation_id, "Organisation"))
    async with context.write() as connection:
        row = await still_live(connection, row)
        result = await connection.execute(
            update(ContactShare)
            .where(
                _shares.contact_id == row.id,
                _shares.recipient_organisation_id == recipient,
                _shares.revoked_at.is_(None),
            )
            .values(revoked_at=context.now())
        )
        if result.rowcount != 1:
            raise NotFound("No such share.")
        await _audit(
            context, connection, "contact.unshared", row, None, {"recipient": str(recipient)}
        )
    return await contact_payload(context, row.id)
