"""Who may see what: one module builds the SQL filter for every read path.

Every list, node lookup, nested field, count and statistic scopes its rows with
these filters, so a row a viewer may not see is indistinguishable from a row that
does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from security.sharing import Visibility

Column: TypeAlias = InstrumentedAttribute[Any] | ColumnElement[Any]


class ShareableColumns(Protocol):
    """What the policy needs of a shareable table: an ORM class or a `Table.c`."""

    @property
    def owner_organisation_id(self) -> Column: ...
    @property
    def visibility(self) -> Column: ...
    @property
    def coalition_id(self) -> Column: ...


class DirectoryColumns(Protocol):
    @property
    def id(self) -> Column: ...
    @property
    def public_profile(self) -> Column: ...


@dataclass(frozen=True, slots=True)
class Viewer:
    """The organisation on whose behalf a request reads; anonymous when it has none.

    `vetted_partner` is never true for a government: the platform refuses to vet one.
    """

    organisation_id: uuid.UUID | None = None
    vetted_partner: bool = False
    coalition_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.organisation_id is None


ANONYMOUS = Viewer()


def visible(table: ShareableColumns, viewer: Viewer) -> ColumnElement[bool]:
    """The rows of a shareable table this viewer may see."""
    public = table.visibility == Visibility.PUBLIC
    if viewer.organisation_id is None:
        return public
    clauses = [public, table.owner_organisation_id == viewer.organisation_id]
    if viewer.vetted_partner:
        clauses.append(table.visibility == Visibility.PARTNERS)
    if viewer.coalition_ids:
        clauses.append(
            (table.visibility == Visibility.COALITION)
            & table.coalition_id.in_(sorted(viewer.coalition_ids))
        )
    return or_(*clauses)


def directory_visible(table: DirectoryColumns, viewer: Viewer) -> ColumnElement[bool]:
    """Organisations in the directory: public profiles (opt-in) for everyone; vetted
    partners see the whole directory; an organisation always sees itself."""
    if viewer.vetted_partner:
        return true()
    own = table.id == viewer.organisation_id if viewer.organisation_id else false()
    return or_(table.public_profile == true(), own)
