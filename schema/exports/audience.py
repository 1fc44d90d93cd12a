"""Who an export is for, and the reader it is read as.

An export for an organisation holds only what both the exporter and that organisation
may see (`security.policy.shared_reader`); without a recipient it is for the public.
The recipient is read as the server reads one of its API tokens: its vetting, its kind
and its active coalitions with their members. A recipient the exporter cannot see in
the directory answers NOT_FOUND, exactly like one that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import strawberry
from sqlalchemy import select

from schema.accounts.authentication import active_coalitions
from schema.context import Context
from schema.errors import BadUserInput, NotFound
from schema.node import uuid_key
from schema.organisations.types import ORGANISATION_COLUMNS, Organisation
from schema.payloads import invalid
from schema.relay import expect_global_id
from schema.tables.organisations import Organisation as OrganisationTable
from schema.tables.organisations import OrganisationKind
from security.policy import ANONYMOUS, Viewer, directory_visible, shared_reader

_organisations = OrganisationTable.__table__.c
PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Audience:
    """The recipient (None: the public) and what the export may hold for it."""

    organisation: Organisation | None
    reader: Viewer

    @property
    def key(self) -> uuid.UUID | None:
        return self.organisation.key if self.organisation is not None else None

    @property
    def label(self) -> str:
        """How the audit names the recipient."""
        return str(self.key) if self.key is not None else PUBLIC


async def audience(context: Context, recipient: strawberry.ID | None) -> Audience:
    """The audience of an export by `context.viewer`; NOT_FOUND for a recipient the
    exporter may not see in the directory."""
    if recipient is None:
        return Audience(None, shared_reader(context.viewer, ANONYMOUS))
    try:
        key = uuid_key(expect_global_id(recipient, "Organisation"))
    except BadUserInput:
        raise invalid("recipient", "Not an organisation id.") from None
    rows = await context.fetch_all(
        select(*ORGANISATION_COLUMNS).where(
            _organisations.id == key, directory_visible(_organisations, context.viewer)
        )
    )
    if not rows:
        raise NotFound("No such organisation.")
    row = rows[0]
    coalitions, members = await active_coalitions(context, key)
    recipient_viewer = Viewer(
        organisation_id=key,
        vetted_partner=row.vetted_partner,
        coalition_ids=coalitions,
        coalition_member_ids=members,
        government=row.kind == OrganisationKind.GOVERNMENT,
    )
    return Audience(
        Organisation.from_row(row, context.reference),
        shared_reader(context.viewer, recipient_viewer),
    )
