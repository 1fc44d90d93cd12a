"""`auditEvents`: an organisation's admins read its chain, with the purposes stated for
reveals, shares and erasures decrypted (a purpose dies with its contact's data key);
platform admins read the platform chain, metadata only. API tokens read nothing."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import strawberry
from sqlalchemy import Row, select
from strawberry.scalars import JSON
from strawberry.types import Info

from schema.audit import PLATFORM_CHAIN, organisation_chain
from schema.context import Context
from schema.pagination import (
    Ordering,
    PageArgs,
    SortKey,
    build_connection,
    count_statement,
    page_statement,
)
from schema.registry.sealing import ContactFields
from schema.registry.types import contact_id
from schema.relay import After, Before, Connection, First, Last, to_global_id
from schema.tables.audit import AuditEvent as AuditTable
from schema.tables.registry import Contact
from security.crypto import DecryptionError
from security.keyring import KeyringError
from security.policy import require_role
from security.roles import Role

logger = logging.getLogger("upright.audit")
_events = AuditTable.__table__.c
NEWEST_FIRST = Ordering("audit:newest", (SortKey(_events.sequence, int, descending=True),))


@strawberry.type(description="One entry of an audit chain.")
class AuditEvent:
    sequence: int
    occurred_at: dt.datetime
    action: str
    actor_user_id: strawberry.ID | None
    subject_type: str | None
    subject_id: strawberry.ID | None = strawberry.field(
        description="The subject's global id, as you would see it."
    )
    details: JSON = strawberry.field(description="Metadata only: never a searched value.")
    purpose: str | None = strawberry.field(
        description="The stated purpose or reason (your organisation's chain only); null once "
        "the contact it was about is erased."
    )


async def _purposes(context: Context, rows: list[Row[Any]]) -> dict[uuid.UUID, str | None]:
    """Sealed texts opened with their contacts' data keys; erased contacts give None."""
    sealed = [row for row in rows if row.sealed_details and row.subject_type == "Contact"]
    if not sealed:
        return {}
    contacts = {
        row.id: row
        for row in await context.fetch_all(
            select(Contact.id, Contact.owner_organisation_id, Contact.wrapped_data_key).where(
                Contact.id.in_({row.subject_id for row in sealed})
            )
        )
    }
    opened: dict[uuid.UUID, str | None] = {}
    async with context.connection() as connection:
        for row in sealed:
            contact = contacts.get(row.subject_id)
            if contact is None or contact.wrapped_data_key is None:
                opened[row.id] = None
                continue
            try:
                key = await context.services.registry.contact_key(
                    connection, contact.id, contact.owner_organisation_id, contact.wrapped_data_key
                )
                fields = ContactFields(key, contact.id, contact.owner_organisation_id)
                opened[row.id] = fields.open_audit(row.id, row.sealed_details)
            except (DecryptionError, KeyringError) as error:
                # One unreadable key or text costs that purpose, not the page. The log
                # names the entry and the kind of failure, never any text.
                logger.warning(
                    "audit entry %s of %s: purpose unreadable (%s)",
                    row.sequence,
                    row.chain,
                    type(error).__name__,
                )
                opened[row.id] = None
    return opened


def _subject(context: Context, row: Row[Any]) -> strawberry.ID | None:
    if row.subject_id is None or row.subject_type is None:
        return None
    if row.subject_type == "Contact":
        root = context.services.keys.keyring.pseudonym
        return contact_id(root, context.principal.organisation_id, row.subject_id)
    return to_global_id(row.subject_type, row.subject_id)


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Admins: your organisation's audit chain (platform admins: the "
        "platform's), newest first."
    )
    async def audit_events(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AuditEvent]:
        context = info.context
        principal = context.principal
        organisation = require_role(principal, Role.ORG_ADMIN)
        platform = principal.role is Role.PLATFORM_ADMIN
        chain = PLATFORM_CHAIN if platform else organisation_chain(organisation)
        query = select(AuditTable.__table__).where(_events.chain == chain)
        args = PageArgs(first, after, last, before)
        statement, size = page_statement(query, NEWEST_FIRST, args)
        rows = await context.fetch_all(statement)
        purposes = {} if platform else await _purposes(context, list(rows[:size]))
        return build_connection(
            rows=rows,
            size=size,
            args=args,
            ordering=NEWEST_FIRST,
            to_node=lambda row: AuditEvent(
                sequence=row.sequence,
                occurred_at=row.occurred_at,
                action=row.action,
                actor_user_id=to_global_id("User", row.actor_user_id)
                if row.actor_user_id
                else None,
                subject_type=row.subject_type,
                subject_id=_subject(context, row),
                details=row.details,
                purpose=purposes.get(row.id),
            ),
            count=lambda: context.fetch_scalar(count_statement(query)),
        )
