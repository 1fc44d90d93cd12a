"""GraphQL types of organisations."""

import uuid
from typing import Any

import strawberry
from sqlalchemy import Row, RowMapping

from schema.context import Context
from schema.reference.cache import ReferenceData
from schema.reference.types import State
from schema.relay import Node, to_global_id
from schema.tables.organisations import Organisation as OrganisationTable
from schema.tables.organisations import OrganisationKind
from security.policy import directory_listed

OrganisationKindEnum = strawberry.enum(OrganisationKind, name="OrganisationKind")

_organisations = OrganisationTable.__table__.c
ORGANISATION_COLUMNS = (
    _organisations.id,
    _organisations.name,
    _organisations.acronym,
    _organisations.kind,
    _organisations.country_code,
    _organisations.website,
    _organisations.vetted_partner,
    _organisations.public_profile,
)


@strawberry.type(description="An organisation working on UPR follow-up.")
class Organisation(Node):
    key: strawberry.Private[uuid.UUID]
    name: str
    acronym: str | None
    kind: OrganisationKindEnum  # type: ignore[valid-type]
    country: State | None = strawberry.field(description="Where it is based.")
    website: str | None
    vetted_partner: bool = strawberry.field(
        description="Vetted by the platform as a civil-society or UN partner."
    )

    @classmethod
    def from_row(cls, row: Row[Any], reference: ReferenceData) -> "Organisation":
        return cls.from_columns(row._mapping, reference)

    @classmethod
    def from_columns(cls, columns: RowMapping, reference: ReferenceData) -> "Organisation":
        return cls(
            id=to_global_id("Organisation", columns["id"]),
            key=columns["id"],
            name=columns["name"],
            acronym=columns["acronym"],
            kind=columns["kind"],
            country=reference.states[columns["country_code"]] if columns["country_code"] else None,
            website=columns["website"],
            vetted_partner=columns["vetted_partner"],
        )


def owner_of(columns: RowMapping, context: Context) -> Organisation | None:
    """The organisation of a row read with `ORGANISATION_COLUMNS` (its `_mapping`), where
    the directory lets this viewer see it; None where it does not (no public profile,
    say). Built once per request: a page names the same few owners again and again."""
    key = columns["id"]
    owners = context.memo.setdefault(owner_of, {})
    try:
        return owners[key]  # type: ignore[no-any-return]
    except KeyError:
        pass
    owner = None
    if directory_listed(context.viewer, key, columns["public_profile"]):
        owner = Organisation.from_columns(columns, context.reference)
    owners[key] = owner
    return owner
