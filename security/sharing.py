"""Sharing levels and the columns every shareable table declares.

The policy builds its SQL filters from these columns alone, so it never needs to
import the tables that use them.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import CheckConstraint, Constraint, Enum, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class Visibility(enum.StrEnum):
    PUBLIC = "PUBLIC"  # anyone, anonymous clients too
    PARTNERS = "PARTNERS"  # organisations vetted by a platform admin (never governments)
    COALITION = "COALITION"  # members of one coalition
    ORGANISATION = "ORGANISATION"  # the owning organisation only


def enum_column(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum: a short string with a CHECK, not a native PostgreSQL type.

    Adding a value then needs no ALTER TYPE, and both databases behave the same.
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Shareable:
    """Owner, sharing level and (for COALITION) the coalition of a shareable row."""

    owner_organisation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), index=True
    )
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "visibility"))
    coalition_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("coalitions.id"), index=True
    )

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Constraint, ...]:
        return shareable_constraints()


def shareable_constraints() -> tuple[Constraint, ...]:
    """A COALITION row names its coalition; no other level may name one."""
    return (
        CheckConstraint(
            "(visibility = 'COALITION') = (coalition_id IS NOT NULL)",
            name="coalition_matches_visibility",
        ),
    )
