"""The secure stakeholder registry: contacts stored as ciphertext.

Only coarse attributes stay plain (country; themes and affected groups worked on).
Everything that could identify or single out a person is a ciphertext column bound
(by its associated data) to table, column, row id and owning organisation.
"""

import datetime as dt
import uuid

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from schema.db import Base, UTCDateTime, Versioned, new_id


class Contact(Versioned, Base):
    """A person in the registry, owned by one organisation and never shared by
    sharing level: only by name, through `ContactShare`.

    `pseudonym_seed` is random and never derived from identity: pseudonyms and the
    per-viewer global ids are keyed HMACs of it. An erased contact keeps its row as a
    tombstone (`erased_at`) with every ciphertext, key and index removed.
    """

    __tablename__ = "contacts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner_organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )
    # Random, never derived from identity; removed with everything else on erasure.
    pseudonym_seed: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    country_code: Mapped[str | None] = mapped_column(String(3), ForeignKey("states.code"))
    # The contact's data key, wrapped by its organisation's key.
    wrapped_data_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    full_name_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    handle_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    address_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    notes_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    region_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    risk_level_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    consent_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    links_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Truncated blind indexes: exact-match lookups with deliberate false positives.
    email_index: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    phone_index: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


Index("ix_contacts_owner_country", Contact.owner_organisation_id, Contact.country_code)
Index("ix_contacts_owner_email_index", Contact.owner_organisation_id, Contact.email_index)
Index("ix_contacts_owner_phone_index", Contact.owner_organisation_id, Contact.phone_index)

contact_themes = Table(
    "contact_themes",
    Base.metadata,
    Column("contact_id", Uuid, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_code", String(64), ForeignKey("themes.code"), primary_key=True),
    Index("ix_contact_themes_theme_code", "theme_code", "contact_id"),
)

contact_affected_persons = Table(
    "contact_affected_persons",
    Base.metadata,
    Column("contact_id", Uuid, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "affected_person_code", String(64), ForeignKey("affected_persons.code"), primary_key=True
    ),
    Index("ix_contact_affected_persons_code", "affected_person_code", "contact_id"),
)


class ContactShare(Versioned, Base):
    """The owner shares chosen non-identifying attributes of a contact with one named
    non-government organisation. The purpose is encrypted under the contact's data key,
    bound to this row (`ContactFields.seal_share_purpose`)."""

    __tablename__ = "contact_shares"
    __table_args__ = (UniqueConstraint("contact_id", "recipient_organisation_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    contact_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("contacts.id", ondelete="CASCADE")
    )
    recipient_organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )
    # Which attributes the recipient sees, e.g. "country,themes,risk_level".
    shared_attributes: Mapped[str] = mapped_column(String(200))
    purpose_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    shared_by_user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
