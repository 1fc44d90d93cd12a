"""Keeping contacts: create, update, erase."""

from __future__ import annotations

import os
import uuid

import strawberry
from sqlalchemy import delete, insert, update
from strawberry.types import Info

from schema.audit import organisation_chain, record
from schema.context import Context
from schema.db import new_id
from schema.payloads import UserError, conflict, reports_user_errors
from schema.registry.inputs import ContactInput, check_contact
from schema.registry.queries import build_contacts, contacts_select
from schema.registry.sealing import ContactFields
from schema.registry.service import (
    contact_data_key,
    owned_contact,
    purpose_text,
    replace_tags,
    sealed_values,
    still_live,
)
from schema.registry.types import Contact
from schema.tables.registry import Contact as ContactTable
from schema.tables.registry import ContactShare, contact_affected_persons, contact_themes
from security.policy import NotAllowed, require_fresh_second_factor, require_role
from security.roles import Role

_contacts = ContactTable.__table__.c


@strawberry.type
class ContactPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    contact: Contact | None = None


@strawberry.type
class EraseContactPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    erased: bool = False


def keeper(context: Context) -> uuid.UUID:
    """Members and admins of a non-government organisation keep its contacts."""
    organisation = require_role(context.principal, Role.MEMBER)
    if context.principal.government:
        raise NotAllowed("A government organisation keeps no registry.")
    return organisation


async def contact_payload(context: Context, key: uuid.UUID) -> ContactPayload:
    """The contact as it stands after the mutation committed (none if it was erased in
    between: the mutation stands, and an erased contact shows nothing)."""
    rows = await context.fetch_all(contacts_select(context.principal).where(_contacts.id == key))
    contacts = await build_contacts(context, rows)
    return ContactPayload(contact=contacts[0] if contacts else None)


@reports_user_errors(ContactPayload)
async def create_contact(info: Info[Context, None], input: ContactInput) -> ContactPayload:
    context = info.context
    owner = keeper(context)
    checked = await check_contact(context, input)
    key, now = new_id(), context.now()
    async with context.write() as connection:
        data_key, wrapped = await context.services.registry.new_contact_key(
            connection, key, owner, now
        )
        await connection.execute(
            insert(ContactTable).values(
                id=key,
                owner_organisation_id=owner,
                pseudonym_seed=os.urandom(32),
                wrapped_data_key=wrapped,
                created_at=now,
                updated_at=now,
                version=1,
                **sealed_values(
                    context.services.keys.keyring.blind_index, key, owner, checked, data_key
                ),
            )
        )
        await replace_tags(connection, key, checked)
        await record(
            connection,
            organisation_chain(owner),
            "contact.created",
            now,
            actor_user_id=context.principal.user_id,
            actor_organisation_id=owner,
            subject_type="Contact",
            subject_id=key,
        )
    return await contact_payload(context, key)


@reports_user_errors(ContactPayload)
async def update_contact(
    info: Info[Context, None], contact_id: strawberry.ID, input: ContactInput, version: int
) -> ContactPayload:
    """Replaces every field; a stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner = keeper(context)
    row = await owned_contact(context, contact_id)
    checked = await check_contact(context, input)
    now = context.now()
    async with context.write() as connection:
        row = await still_live(connection, row)
        key = await contact_data_key(context, connection, row)
        result = await connection.execute(
            update(ContactTable)
            .where(_contacts.id == row.id, _contacts.version == version)
            .values(
                updated_at=now,
                version=version + 1,
                **sealed_values(
                    context.services.keys.keyring.blind_index, row.id, owner, checked, key
                ),
            )
        )
        if result.rowcount != 1:
            raise conflict("The contact changed since you read it: read it again.")
        await replace_tags(connection, row.id, checked)
        await record(
            connection,
            organisation_chain(owner),
            "contact.updated",
            now,
            actor_user_id=context.principal.user_id,
            actor_organisation_id=owner,
            subject_type="Contact",
            subject_id=row.id,
        )
    return await contact_payload(context, row.id)


@reports_user_errors(EraseContactPayload)
async def erase_contact(
    info: Info[Context, None], contact_id: strawberry.ID, reason: str
) -> EraseContactPayload:
    """Erasure is real: the data key is destroyed with every ciphertext, index, tag,
    share and link; the audit's reason, sealed under that key, dies with it; a
    tombstone keeps only that a contact existed. Backups lose it when the KEK version
    of their day is destroyed (`upright keys destroy`). Org admins or reveal-grant
    holders, with a fresh second factor."""
    context = info.context
    principal = context.principal
    owner = keeper(context)
    if not (principal.reveal_grant or (principal.role and principal.role.at_least(Role.ORG_ADMIN))):
        raise NotAllowed("Only organisation admins and reveal-grant holders erase contacts.")
    require_fresh_second_factor(principal, context.now())
    stated = purpose_text(reason, "reason")
    row = await owned_contact(context, contact_id)
    now = context.now()
    async with context.write() as connection:
        row = await still_live(connection, row)  # a second erasure at once: NOT_FOUND
        fields = ContactFields(await contact_data_key(context, connection, row), row.id, owner)
        await record(
            connection,
            organisation_chain(owner),
            "contact.erased",
            now,
            actor_user_id=principal.user_id,
            actor_organisation_id=owner,
            subject_type="Contact",
            subject_id=row.id,
            seal=lambda event: fields.seal_audit(event, stated),
        )
        await connection.execute(
            delete(contact_themes).where(contact_themes.c.contact_id == row.id)
        )
        await connection.execute(
            delete(contact_affected_persons).where(contact_affected_persons.c.contact_id == row.id)
        )
        await connection.execute(delete(ContactShare).where(ContactShare.contact_id == row.id))
        await connection.execute(
            update(ContactTable)
            .where(_contacts.id == row.id)
            .values(
                {
                    column.name: None
                    for column in ContactTable.__table__.c
                    if column.name.endswith(("_ciphertext", "_index"))
                }
                | {
                    "wrapped_data_key": None,
                    "pseudonym_seed": None,
                    "country_code": None,
                    "erased_at": now,
                    "updated_at": now,
                    "version": _contacts.version + 1,
                }
            )
        )
    context.services.registry.cache.drop("contact", row.id)
    return EraseContactPayload(erased=True)
