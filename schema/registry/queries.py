"""Queries over the registry: `contacts`, and contacts by their per-viewer ids."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import Row, Select, select
from strawberry.types import Info

from schema.context import Context
from schema.errors import BadUserInput
from schema.filters import state_code
from schema.lookahead import connection_node_fields
from schema.node import register_node
from schema.pagination import (
    Ordering,
    PageArgs,
    SortKey,
    build_connection,
    count_statement,
    page_statement,
)
from schema.registry.model import ENCRYPTED_ATTRIBUTES, SharedAttribute, parse_shared
from schema.registry.sealing import ContactFields, Unreadable
from schema.registry.types import Contact, ContactShareInfo, build_contact
from schema.relay import After, Before, Connection, First, Last, to_global_id
from schema.tables.followup import Activity
from schema.tables.organisations import Organisation
from schema.tables.registry import Contact as ContactTable
from schema.tables.registry import ContactShare, contact_affected_persons, contact_themes
from security.crypto import DecryptionError
from security.keyring import KeyRoot
from security.policy import (
    Viewer,
    contacts_filterable,
    contacts_visible,
    require_contact_filter,
    visible,
)
from security.pseudonyms import contact_from_token, contact_token

_contacts = ContactTable.__table__.c
_shares = ContactShare.__table__.c
AS_ADDED = Ordering("contacts:added", (SortKey(_contacts.id, uuid.UUID),))
EVERYTHING = frozenset(SharedAttribute)


@strawberry.input(description="Narrows a list of contacts; every field given must match.")
class ContactFilter:
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 code.")
    theme: str | None = strawberry.field(default=None, description="A theme code.")


def filtered(context: Context, query: Select[Any], filter: ContactFilter) -> Select[Any]:
    """Country and theme filters look only where the viewer may see those attributes."""
    viewer = context.principal
    if filter.country is not None:
        require_contact_filter(viewer)
        code = state_code(context.reference, filter.country)
        query = query.where(
            _contacts.country_code == code,
            contacts_filterable(_contacts, _shares, viewer, SharedAttribute.COUNTRY.value),
        )
    if filter.theme is not None:
        require_contact_filter(viewer)
        if filter.theme not in context.reference.themes:
            raise BadUserInput("Unknown theme code.")
        query = query.where(
            _contacts.id.in_(
                select(contact_themes.c.contact_id).where(
                    contact_themes.c.theme_code == filter.theme
                )
            ),
            contacts_filterable(_contacts, _shares, viewer, SharedAttribute.THEMES.value),
        )
    return query


@dataclass(frozen=True, slots=True)
class ViewerOrdering(Ordering):
    """Contacts as added, with cursors sealed for the viewing organisation like its
    contact ids: a cursor holding the contact's id would be the same for every viewer
    (two recipients could join what each was shown) and would date the contact."""

    root: KeyRoot
    viewer: uuid.UUID | None

    def encode(self, row: Row[Any]) -> str:
        return contact_token(self.root, self.viewer, row.id)

    def decode(self, cursor: str) -> list[Any]:
        found = contact_from_token(self.root, self.viewer, cursor)
        if found is None:
            raise BadUserInput("Invalid cursor for this list and order.")
        return [found]


def viewer_ordering(context: Context) -> ViewerOrdering:
    return ViewerOrdering(
        AS_ADDED.name,
        AS_ADDED.keys,
        root=context.services.keys.keyring.pseudonym,
        viewer=context.principal.organisation_id,
    )


def contacts_select(viewer: Viewer) -> Select[Any]:
    """Visible contacts, with what this viewer's organisation was shared of each."""
    return select(
        ContactTable.__table__,
        select(_shares.shared_attributes)
        .where(
            _shares.contact_id == _contacts.id,
            _shares.recipient_organisation_id == viewer.organisation_id,
            _shares.revoked_at.is_(None),
        )
        .scalar_subquery()
        .label("shared_attributes"),
    ).where(contacts_visible(_contacts, _shares, viewer))


# The fields that need the contact's data key: a page asking none of them unwraps none,
# and the links (a ciphertext and a policy query of their own) are opened only if asked.
ATTRIBUTE_FIELDS = frozenset({"region", "riskLevel", "consent"})
LINK_FIELDS = frozenset({"linkedRecommendations", "linkedActivities"})
EVERY_FIELD = ATTRIBUTE_FIELDS | LINK_FIELDS


async def build_contacts(
    context: Context, rows: Sequence[Row[Any]], wanted: frozenset[str] = EVERY_FIELD
) -> list[Contact]:
    """Contacts of one page: keys, tags, links and shares fetched once for all, and only
    what the query asks for (`wanted`: its field names) decrypted."""
    principal = context.principal
    viewer = principal.organisation_id
    if viewer is None:  # contacts_visible selected nothing
        return []
    keys = [row.id for row in rows]
    tags = await _tags(context, keys)
    owned = [row for row in rows if row.owner_organisation_id == viewer]
    shares = await _shares_of(context, [row.id for row in owned]) if principal.is_user else {}
    fields: dict[uuid.UUID, ContactFields] = {}
    shown: dict[uuid.UUID, frozenset[SharedAttribute]] = {}
    for row in rows:
        shown[row.id] = (
            frozenset()
            if principal.is_token
            else EVERYTHING
            if row.owner_organisation_id == viewer
            else parse_shared(row.shared_attributes or "")
        )
    # The owner decrypts its contacts (attributes and links); a recipient, only if it
    # was shared an encrypted attribute.
    decrypting = [
        row
        for row in rows
        if wanted & EVERY_FIELD
        and (
            (row.owner_organisation_id == viewer and principal.is_user)
            or shown[row.id] & ENCRYPTED_ATTRIBUTES
        )
    ]
    if decrypting:
        async with context.connection() as connection:
            for row in decrypting:
                owner = row.owner_organisation_id
                try:
                    key = await context.services.registry.contact_key(
                        connection, row.id, owner, row.wrapped_data_key
                    )
                except DecryptionError as error:
                    fields[row.id] = Unreadable(error, row.id, owner)
                    continue
                fields[row.id] = ContactFields(key, row.id, owner)
    links = (
        await _links(context, owned, fields) if principal.is_user and wanted & LINK_FIELDS else {}
    )
    root = context.services.keys.keyring.pseudonym
    return [
        build_contact(
            row,
            viewer=viewer,
            root=root,
            reference=context.reference,
            fields=fields.get(row.id),
            shown=shown[row.id],
            tags=tags.get(row.id, ([], [])),
            links=links.get(row.id),
            shares=shares.get(row.id) if row.owner_organisation_id == viewer else None,
        )
        for row in rows
    ]


async def _tags(
    context: Context, keys: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[list[str], list[str]]]:
    themes: dict[uuid.UUID, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    if not keys:
        return themes
    for row in await context.fetch_all(
        select(contact_themes).where(contact_themes.c.contact_id.in_(keys))
    ):
        themes[row.contact_id][0].append(row.theme_code)
    for row in await context.fetch_all(
        select(contact_affected_persons).where(contact_affected_persons.c.contact_id.in_(keys))
    ):
        themes[row.contact_id][1].append(row.affected_person_code)
    return themes


async def _shares_of(
    context: Context, keys: list[uuid.UUID]
) -> dict[uuid.UUID, list[ContactShareInfo]]:
    found: dict[uuid.UUID, list[ContactShareInfo]] = defaultdict(list)
    if not keys:
        return found
    organisations = Organisation.__table__.c
    rows = await context.fetch_all(
        select(_shares.contact_id, _shares.shared_attributes, organisations.id, organisations.name)
        .join(Organisation.__table__, organisations.id == _shares.recipient_organisation_id)
        .where(_shares.contact_id.in_(keys), _shares.revoked_at.is_(None))
        .order_by(organisations.name)
    )
    for row in rows:
        found[row.contact_id].append(
            ContactShareInfo(
                organisation_key=row.id,
                organisation_name=row.name,
                attributes=sorted(parse_shared(row.shared_attributes)),
            )
        )
    return found


async def _links(
    context: Context, owned: Sequence[Row[Any]], fields: dict[uuid.UUID, ContactFields]
) -> dict[uuid.UUID, tuple[list[strawberry.ID], list[strawberry.ID]] | Exception]:
    """The links inside the owner's ciphertexts; activities are checked through the
    policy after decryption (a contact may link one this viewer no longer sees). A
    damaged ciphertext fails only its own contact's link fields."""
    opened: dict[uuid.UUID, list[tuple[str, uuid.UUID]] | Exception] = {}
    for row in owned:
        if row.id in fields:
            try:
                opened[row.id] = fields[row.id].open_links(row.links_ciphertext)
            except DecryptionError as error:
                opened[row.id] = error
    activity_ids = {
        key
        for links in opened.values()
        if not isinstance(links, Exception)
        for kind, key in links
        if kind == "activity"
    }
    seen: set[uuid.UUID] = set()
    if activity_ids:
        activities = Activity.__table__.c
        rows = await context.fetch_all(
            select(activities.id).where(
                activities.id.in_(activity_ids), visible(activities, context.viewer)
            )
        )
        seen = {row.id for row in rows}
    return {
        key: links
        if isinstance(links, Exception)
        else (
            [to_global_id("Recommendation", k) for kind, k in links if kind == "recommendation"],
            [to_global_id("Activity", k) for kind, k in links if kind == "activity" and k in seen],
        )
        for key, links in opened.items()
    }


async def contacts_by_token(context: Context, tokens: list[str]) -> Sequence[Contact | None]:
    """`node(id)` for contacts: the id decodes only for the viewer it was made for."""
    root = context.services.keys.keyring.pseudonym
    viewer = context.principal.organisation_id
    keys = [contact_from_token(root, viewer, token) for token in tokens]
    wanted = [key for key in keys if key is not None]
    rows = (
        await context.fetch_all(contacts_select(context.principal).where(_contacts.id.in_(wanted)))
        if wanted
        else []
    )
    built = {contact.key: contact for contact in await build_contacts(context, rows)}
    return [built.get(key) if key is not None else None for key in keys]


register_node("Contact", contacts_by_token)


@strawberry.type
class RegistryQuery:
    @strawberry.field(
        description="The contacts your organisation keeps, and those shared with it: as "
        "pseudonyms, with the attributes you may see."
    )
    async def contacts(
        self,
        info: Info[Context, None],
        filter: ContactFilter | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Contact]:
        context = info.context
        query = contacts_select(context.principal)
        if filter is not None:
            query = filtered(context, query, filter)
        args = PageArgs(first, after, last, before)
        ordering = viewer_ordering(context)
        statement, size = page_statement(query, ordering, args)
        rows = await context.fetch_all(statement)
        page = rows[:size]
        wanted = frozenset(connection_node_fields(info))
        built = {contact.key: contact for contact in await build_contacts(context, page, wanted)}
        return build_connection(
            rows=rows,
            size=size,
            args=args,
            ordering=ordering,
            to_node=lambda row: built[row.id],
            count=lambda: context.fetch_scalar(count_statement(query)),
        )
