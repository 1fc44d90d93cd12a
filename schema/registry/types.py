"""GraphQL types of the registry. A contact shows what this viewer may see of it: the
owner sees its attributes, an organisation it is shared with the chosen ones, an API
token the pseudonym only. Identifying fields appear only through `revealContact`."""

import uuid
from typing import Any

import strawberry
from sqlalchemy import Row

from schema.reference.cache import ReferenceData
from schema.reference.types import AffectedPerson, State, Theme
from schema.registry.model import ConsentStatus, RiskLevel, SharedAttribute
from schema.registry.sealing import ContactFields
from schema.relay import Node, to_global_id
from security.keyring import KeyRoot
from security.pseudonyms import contact_token, pseudonym

RiskLevelEnum = strawberry.enum(RiskLevel, name="RiskLevel")
ConsentStatusEnum = strawberry.enum(ConsentStatus, name="ConsentStatus")
SharedAttributeEnum = strawberry.enum(
    SharedAttribute,
    name="SharedAttribute",
    description="What may be shared of a contact: never anything that identifies them.",
)


@strawberry.type(description="An organisation a contact is shared with, and what it sees.")
class ContactShareInfo:
    organisation_key: strawberry.Private[uuid.UUID]
    organisation_name: str
    attributes: list[SharedAttributeEnum]  # type: ignore[valid-type]


@strawberry.type(description="A person in the registry, as a pseudonym (see revealContact).")
class Contact(Node):
    key: strawberry.Private[uuid.UUID]
    pseudonym: str = strawberry.field(
        description="Pairwise: another organisation sees another pseudonym for this person."
    )
    owned: bool = strawberry.field(description="Your organisation keeps this contact.")
    country: State | None
    themes: list[Theme] | None
    affected_persons: list[AffectedPerson] | None
    shared_with: list[ContactShareInfo] | None = strawberry.field(
        description="Owner only: who else sees this contact, and what of it."
    )
    version: int | None = strawberry.field(description="Owner only: give it back to update.")
    # The encrypted attributes are opened field by field when asked for: a damaged
    # ciphertext fails its own field (masked), and the rest of the response stands.
    sealed: strawberry.Private[dict[str, bytes | None]]
    fields: strawberry.Private[ContactFields | None]
    # The owner's links, or the error met opening them (raised by the fields below).
    links: strawberry.Private[tuple[list[strawberry.ID], list[strawberry.ID]] | Exception | None]

    def _links(self, index: int) -> list[strawberry.ID] | None:
        if isinstance(self.links, Exception):
            raise self.links
        return self.links[index] if self.links is not None else None

    @strawberry.field(description="Owner only: the recommendations this person works on.")
    def linked_recommendations(self) -> list[strawberry.ID] | None:
        return self._links(0)

    @strawberry.field(
        description="Owner only: activities you may see that this person takes part in."
    )
    def linked_activities(self) -> list[strawberry.ID] | None:
        return self._links(1)

    def _open(self, column: str) -> str | None:
        if self.fields is None or column not in self.sealed:
            return None
        return self.fields.open(column, self.sealed[column])

    @strawberry.field
    def region(self) -> str | None:
        return self._open("region")

    @strawberry.field
    def risk_level(self) -> RiskLevelEnum | None:  # type: ignore[valid-type]
        value = self._open("risk_level")
        return RiskLevel(value) if value else None

    @strawberry.field
    def consent(self) -> ConsentStatusEnum | None:  # type: ignore[valid-type]
        value = self._open("consent")
        return ConsentStatus(value) if value else None


@strawberry.type(description="The identifying fields of a contact: shown once per reveal.")
class RevealedContact:
    full_name: str
    email: str | None
    phone: str | None
    handle: str | None
    address: str | None
    notes: str | None


def contact_id(root: KeyRoot, viewer: uuid.UUID | None, key: uuid.UUID) -> strawberry.ID:
    """A global id of this contact for this viewer only: ids cannot be joined across
    organisations either."""
    return to_global_id("Contact", contact_token(root, viewer, key))


def build_contact(
    row: Row[Any],
    *,
    viewer: uuid.UUID,
    root: KeyRoot,
    reference: ReferenceData,
    fields: ContactFields | None,
    shown: frozenset[SharedAttribute],
    tags: tuple[list[str], list[str]],
    links: tuple[list[strawberry.ID], list[strawberry.ID]] | Exception | None,
    shares: list[ContactShareInfo] | None,
) -> Contact:
    """`shown`: the attributes this viewer sees (all for the owner, the shared ones for
    a recipient, none for a token); `fields` is None when nothing is to be decrypted."""
    owned = row.owner_organisation_id == viewer
    themes, affected = tags
    attributes = {
        "region": SharedAttribute.REGION,
        "risk_level": SharedAttribute.RISK_LEVEL,
        "consent": SharedAttribute.CONSENT,
    }
    sealed = {
        column: getattr(row, f"{column}_ciphertext")
        for column, attribute in attributes.items()
        if attribute in shown
    }
    return Contact(
        id=contact_id(root, viewer, row.id),
        key=row.id,
        pseudonym=pseudonym(root, f"viewer:{viewer}", row.pseudonym_seed),
        owned=owned,
        country=reference.states.get(row.country_code or "")
        if SharedAttribute.COUNTRY in shown
        else None,
        themes=[reference.themes[c] for c in themes] if SharedAttribute.THEMES in shown else None,
        affected_persons=[reference.affected_persons[c] for c in affected]
        if SharedAttribute.AFFECTED_PERSONS in shown
        else None,
        sealed=sealed,
        fields=fields,
        links=links,
        shared_with=shares,
        version=row.version if owned and fields is not None else None,
    )
