"""Organisations, coalitions and their memberships, and platform users."""

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from schema.db import Base, UTCDateTime, Versioned, new_id
from security.roles import Role
from security.sharing import enum_column


class OrganisationKind(enum.StrEnum):
    INTERNATIONAL_NGO = "INTERNATIONAL_NGO"
    NATIONAL_NGO = "NATIONAL_NGO"
    UN_AGENCY = "UN_AGENCY"
    NHRI = "NHRI"  # national human rights institution
    GOVERNMENT = "GOVERNMENT"
    DONOR = "DONOR"
    OTHER = "OTHER"


class Organisation(Versioned, Base):
    """A member organisation. The directory is under the policy: vetted partners see
    it, anyone else only the organisations that opted into a public profile."""

    __tablename__ = "organisations"
    __table_args__ = (
        # The policy lets vetted partners see PARTNERS rows: never a government.
        CheckConstraint(
            "NOT (kind = 'GOVERNMENT' AND vetted_partner)", name="government_never_vetted"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    acronym: Mapped[str | None] = mapped_column(String(30))
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind"), index=True
    )
    country_code: Mapped[str | None] = mapped_column(
        String(3), ForeignKey("states.code"), index=True
    )
    website: Mapped[str | None] = mapped_column(String(300))
    # Set by a platform admin.
    vetted_partner: Mapped[bool] = mapped_column(Boolean, server_default=false(), index=True)
    public_profile: Mapped[bool] = mapped_column(Boolean, server_default=false(), index=True)


class Coalition(Versioned, Base):
    """Names are unique per creating organisation only: a platform-wide rule would let
    anyone probe, by a refused name, for a coalition they may not see."""

    __tablename__ = "coalitions"
    __table_args__ = (UniqueConstraint("created_by_organisation_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    created_by_organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )


class MembershipStatus(enum.StrEnum):
    INVITED = "INVITED"
    ACTIVE = "ACTIVE"  # the organisation accepted the invitation
    DECLINED = "DECLINED"
    LEFT = "LEFT"


class CoalitionMembership(Versioned, Base):
    """Organisations join a coalition by accepting an invitation, never by being added."""

    __tablename__ = "coalition_memberships"
    __table_args__ = (UniqueConstraint("coalition_id", "organisation_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    coalition_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("coalitions.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "membership_status")
    )
    invited_by_organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id")
    )
    joined_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class User(Versioned, Base):
    """A person signing in for one organisation. Name and email are stored only as
    ciphertext under the platform data key; login finds the row by `email_index`, a
    blind index of the normalised email."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    name_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    email_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # Unique: a login must find exactly one account (two racing sign-ups cannot share it).
    email_index: Mapped[bytes] = mapped_column(LargeBinary(32), index=True, unique=True)
    password_hash: Mapped[str | None] = mapped_column(
        String(200)
    )  # None until invited user sets one
    totp_secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Set once the user proved the enrolled secret works; until then it is not required.
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
