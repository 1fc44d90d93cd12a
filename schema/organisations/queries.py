"""Queries over the organisation directory, scoped by the policy."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from schema.batch import fetch_by_keys
from schema.context import Context
from schema.filters import state_code
from schema.node import register_node, uuid_key
from schema.organisations.types import ORGANISATION_COLUMNS, Organisation, OrganisationKindEnum
from schema.pagination import Ordering, PageArgs, SortKey, paginate
from schema.relay import After, Before, Connection, First, Last
from schema.tables.organisations import Organisation as OrganisationTable
from schema.tables.organisations import OrganisationKind
from security.policy import directory_visible

_organisations = OrganisationTable.__table__.c
BY_NAME = Ordering(
    "organisations:name", (SortKey(_organisations.name, str), SortKey(_organisations.id, uuid.UUID))
)


async def organisations_by_id(
    context: Context, keys: list[uuid.UUID]
) -> Sequence[Organisation | None]:
    return await fetch_by_keys(
        context,
        select(*ORGANISATION_COLUMNS).where(directory_visible(_organisations, context.viewer)),
        _organisations.id,
        keys,
        lambda row: Organisation.from_row(row, context.reference),
    )


register_node("Organisation", organisations_by_id, uuid_key)


@strawberry.input(description="Narrows the directory; every field given must match.")
class OrganisationFilter:
    kind: OrganisationKindEnum | None = None  # type: ignore[valid-type]
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 code.")


@strawberry.type
class OrganisationQuery:
    @strawberry.field(
        description="The organisation directory, by name: the organisations you may see."
    )
    async def organisations(
        self,
        info: Info[Context, None],
        filter: OrganisationFilter | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Organisation]:
        context = info.context
        query = select(*ORGANISATION_COLUMNS).where(
            directory_visible(_organisations, context.viewer)
        )
        if filter is not None and filter.kind is not None:
            query = query.where(_organisations.kind == OrganisationKind(filter.kind))
        if filter is not None and filter.country is not None:
            query = query.where(
                _organisations.country_code == state_code(context.reference, filter.country)
            )
        return await paginate(
            context,
            query,
            BY_NAME,
            PageArgs(first, after, last, before),
            lambda row: Organisation.from_row(row, context.reference),
        )
