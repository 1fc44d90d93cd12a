"""Who may see what: one module builds the SQL filter for every read path.

Every list, node lookup, nested field, count and statistic scopes its rows with
these filters, so a row a viewer may not see is indistinguishable from a row that
does not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from sqlalchemy import ColumnElement, and_, bindparam, false, literal, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from security.roles import Role, Scope
from security.sharing import Visibility
from security.sql import OneOf

Column: TypeAlias = InstrumentedAttribute[Any] | ColumnElement[Any]


class ShareableColumns(Protocol):
    """What the policy needs of a shareable table: an ORM class or a `Table.c`."""

    @property
    def owner_organisation_id(self) -> Column: ...
    @property
    def visibility(self) -> Column: ...
    @property
    def coalition_id(self) -> Column: ...


class UserColumns(Protocol):
    @property
    def organisation_id(self) -> Column: ...


class MembershipColumns(Protocol):
    @property
    def organisation_id(self) -> Column: ...
    @property
    def status(self) -> Column: ...


class ContactColumns(Protocol):
    @property
    def id(self) -> Column: ...
    @property
    def owner_organisation_id(self) -> Column: ...
    @property
    def erased_at(self) -> Column: ...


class ContactShareColumns(Protocol):
    @property
    def contact_id(self) -> Column: ...
    @property
    def recipient_organisation_id(self) -> Column: ...
    @property
    def revoked_at(self) -> Column: ...
    @property
    def shared_attributes(self) -> Column: ...


class DirectoryColumns(Protocol):
    @property
    def id(self) -> Column: ...
    @property
    def public_profile(self) -> Column: ...


class AccessDenied(Exception):
    """A decision of the policy; the message is safe to show."""


class NotAuthenticated(AccessDenied):
    """No (valid) credentials where some are needed."""


class NotAllowed(AccessDenied):
    """Valid credentials, not enough rights."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: anonymous, a user, or an organisation's API token.

    `organisation_id` and the rest say what the viewer may read; a user still to
    enrol a required second factor reads as anonymous until they do. `vetted_partner`
    is never true for a government: the database refuses to vet one.
    """

    organisation_id: uuid.UUID | None = None
    vetted_partner: bool = False
    coalition_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    # Organisations active in one of those coalitions: members see each other.
    coalition_member_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    government: bool = False
    user_id: uuid.UUID | None = None
    role: Role | None = None
    session_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    # When this session last proved the second factor (step-up), if ever.
    second_factor_at: dt.datetime | None = None
    # A required second factor is not enrolled yet: only enrolment is open.
    enrolment_pending: bool = False
    # An org admin's explicit permission to reveal, search and share contacts.
    reveal_grant: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.token_id is None

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    @property
    def is_token(self) -> bool:
        return self.token_id is not None


ANONYMOUS = Viewer()


def visible(table: ShareableColumns, viewer: Viewer | PolicyShape) -> ColumnElement[bool]:
    """The rows of a shareable table this viewer may see. Given a `PolicyShape` instead,
    the same condition with the viewer's values left as parameters (`policy_parameters`),
    so a hot statement is built once per shape rather than once per request."""
    if isinstance(viewer, PolicyShape):
        organisation: Any = bindparam(VIEWER_ORGANISATION)
        in_coalitions: ColumnElement[bool] = OneOf(table.coalition_id, VIEWER_COALITIONS)
        shape = viewer
    else:
        organisation = viewer.organisation_id
        in_coalitions = table.coalition_id.in_(sorted(viewer.coalition_ids))
        shape = policy_shape(viewer)
    public = table.visibility == Visibility.PUBLIC
    clauses = [public]
    if shape.organisation:
        clauses.append(table.owner_organisation_id == organisation)
    if shape.vetted:
        clauses.append(table.visibility == Visibility.PARTNERS)
    if shape.coalitions:
        clauses.append((table.visibility == Visibility.COALITION) & in_coalitions)
    return or_(*clauses) if len(clauses) > 1 else public


VIEWER_ORGANISATION = "viewer_organisation_id"
VIEWER_COALITIONS = "viewer_coalition_ids"


@dataclass(frozen=True, slots=True)
class PolicyShape:
    """Which clauses `visible` holds for a viewer, without the viewer's values: the key a
    statement built once with parameters is kept under."""

    organisation: bool
    vetted: bool
    coalitions: bool


def policy_shape(viewer: Viewer) -> PolicyShape:
    return PolicyShape(
        organisation=viewer.organisation_id is not None,
        vetted=viewer.vetted_partner,
        coalitions=bool(viewer.coalition_ids),
    )


def policy_parameters(viewer: Viewer) -> dict[str, Any]:
    """The values a statement built with `visible(table, policy_shape(viewer))` runs
    with. A statement run without them fails: nothing is read as nobody in particular."""
    return {
        VIEWER_ORGANISATION: viewer.organisation_id,
        VIEWER_COALITIONS: sorted(viewer.coalition_ids),
    }


def shared_reader(first: Viewer, second: Viewer) -> Viewer:
    """A reader who sees only what both `first` and `second` may see: what an export or
    report made by one for the other (or for an audience) may hold.

    It keeps the organisation only when both are the same one, vetting only when both are
    vetted, and only the coalitions they share; it never holds a user, a token, a role or
    a reveal grant, so it cannot read contacts or administer. It is exact for every row
    but one kind, which it leaves out to be safe: a PARTNERS row owned by one of the two
    when that one is not itself vetted.
    """
    same = first.organisation_id == second.organisation_id
    return Viewer(
        organisation_id=first.organisation_id if same else None,
        vetted_partner=first.vetted_partner and second.vetted_partner,
        coalition_ids=first.coalition_ids & second.coalition_ids,
        coalition_member_ids=first.coalition_member_ids & second.coalition_member_ids,
        government=first.government or second.government,
    )


def directory_visible(table: DirectoryColumns, viewer: Viewer) -> ColumnElement[bool]:
    """Organisations in the directory: public profiles (opt-in) for everyone; vetted
    partners and platform admins see the whole directory; an organisation always sees
    itself and the members of its coalitions."""
    if viewer.vetted_partner or viewer.role is Role.PLATFORM_ADMIN:  # admins vet from it
        return true()
    own = table.id == viewer.organisation_id if viewer.organisation_id else false()
    clauses = [table.public_profile == true(), own]
    if viewer.coalition_member_ids:
        clauses.append(table.id.in_(sorted(viewer.coalition_member_ids)))
    return or_(*clauses)


def directory_listed(viewer: Viewer, organisation_id: uuid.UUID, public_profile: bool) -> bool:
    """`directory_visible` for an organisation read along with a row the viewer may see
    (the owner of an engagement, say): whether to name it there. Naming the owner of a
    PUBLIC row never publishes an organisation that has not opted into a public profile."""
    return (
        viewer.vetted_partner
        or viewer.role is Role.PLATFORM_ADMIN
        or public_profile
        or organisation_id == viewer.organisation_id
        or organisation_id in viewer.coalition_member_ids
    )


@dataclass(frozen=True, slots=True)
class ListingShape:
    """Which clauses `directory_listed_clause` holds for a viewer, without its values."""

    everyone: bool  # vetted partners and platform admins see the whole directory
    organisation: bool
    members: bool


VIEWER_MEMBERS = "viewer_coalition_member_ids"


def listing_shape(viewer: Viewer) -> ListingShape:
    return ListingShape(
        everyone=viewer.vetted_partner or viewer.role is Role.PLATFORM_ADMIN,
        organisation=viewer.organisation_id is not None,
        members=bool(viewer.coalition_member_ids),
    )


def listing_parameters(viewer: Viewer) -> dict[str, Any]:
    """The values a statement with `directory_listed_clause` runs with."""
    return {
        VIEWER_ORGANISATION: viewer.organisation_id,
        VIEWER_MEMBERS: sorted(viewer.coalition_member_ids),
    }


def directory_listed_clause(
    organisation_id: ColumnElement[Any], public_profile: ColumnElement[bool], shape: ListingShape
) -> ColumnElement[bool]:
    """`directory_listed` as SQL, for a statement that names a row's owner itself; the
    viewer's values are parameters (`listing_parameters`), as for `visible`."""
    if shape.everyone:
        return true()
    clauses: list[ColumnElement[bool]] = [public_profile]
    if shape.organisation:
        clauses.append(organisation_id == bindparam(VIEWER_ORGANISATION))
    if shape.members:
        clauses.append(OneOf(organisation_id, VIEWER_MEMBERS))
    return or_(*clauses)


def child_visible(
    child: ShareableColumns, parent: ShareableColumns, viewer: Viewer
) -> ColumnElement[bool]:
    """A child row (a pledge of an activity, say) is never more visible than its parent:
    the viewer must see both."""
    return and_(visible(child, viewer), visible(parent, viewer))


def contacts_visible(
    contact: ContactColumns, share: ContactShareColumns, viewer: Viewer
) -> ColumnElement[bool]:
    """Contacts are never PUBLIC, PARTNERS or COALITION: the owner sees its own, and an
    organisation sees those shared with it by name. A government sees none, and an API
    token needs `contacts:read`. Everyone else cannot learn that a contact exists."""
    if viewer.organisation_id is None or viewer.government or viewer.enrolment_pending:
        return false()
    if viewer.is_token and Scope.CONTACTS_READ not in viewer.scopes:
        return false()
    shared = (
        select(share.contact_id)
        .where(
            share.contact_id == contact.id,
            share.recipient_organisation_id == viewer.organisation_id,
            share.revoked_at.is_(None),
        )
        .exists()
    )
    owned = contact.owner_organisation_id == viewer.organisation_id
    return and_(contact.erased_at.is_(None), or_(owned, shared))


def contacts_filterable(
    contact: ContactColumns, share: ContactShareColumns, viewer: Viewer, attribute: str
) -> ColumnElement[bool]:
    """Where a filter on a plain attribute (`attribute`: "COUNTRY", "THEMES") may look:
    the viewer's own contacts, and those shared with it naming that attribute. Filtering
    the others would let a recipient shown only the risk level bisect the country
    through counts. (`require_contact_filter` keeps tokens out first.)"""
    named = (
        select(share.contact_id)
        .where(
            share.contact_id == contact.id,
            share.recipient_organisation_id == viewer.organisation_id,
            share.revoked_at.is_(None),
            # shared_attributes is space-separated, e.g. "COUNTRY THEMES"
            (literal(" ") + share.shared_attributes + literal(" ")).like(f"% {attribute} %"),
        )
        .exists()
    )
    return or_(contact.owner_organisation_id == viewer.organisation_id, named)


def require_contact_filter(viewer: Viewer) -> None:
    """API tokens see contacts as pseudonyms only: nothing to filter them by."""
    if viewer.is_token:
        raise NotAllowed("API tokens see contacts as pseudonyms only: no filter applies.")


def users_visible(table: UserColumns, viewer: Viewer) -> ColumnElement[bool]:
    """Users are seen by the users of their own organisation, and by nobody else (not by
    API tokens, not by a user still to enrol a required second factor)."""
    if viewer.user_id is None or viewer.enrolment_pending or viewer.organisation_id is None:
        return false()
    return table.organisation_id == viewer.organisation_id


def memberships_visible(table: MembershipColumns, viewer: Viewer) -> ColumnElement[bool]:
    """The coalition memberships through which an organisation learns that a coalition
    exists: its own, active or invited. Nobody else learns of the coalition."""
    if viewer.organisation_id is None:
        return false()
    return and_(
        table.organisation_id == viewer.organisation_id,
        table.status.in_(["ACTIVE", "INVITED"]),
    )


STEP_UP_WINDOW = dt.timedelta(minutes=5)


def require_user(viewer: Viewer, *, allow_pending_enrolment: bool = False) -> uuid.UUID:
    """The user id of a signed-in user; API tokens and anonymous clients are refused."""
    if viewer.user_id is None:
        if viewer.is_token:
            raise NotAllowed("API tokens cannot do this.")
        raise NotAuthenticated("Sign in first.")
    if viewer.enrolment_pending and not allow_pending_enrolment:
        raise NotAllowed("Enrol a second factor first.")
    return viewer.user_id


def require_role(viewer: Viewer, role: Role) -> uuid.UUID:
    """The organisation of a signed-in user holding at least `role` there."""
    require_user(viewer)
    if viewer.role is None or not viewer.role.at_least(role) or viewer.organisation_id is None:
        raise NotAllowed("Your role does not allow this.")
    return viewer.organisation_id


def require_author(viewer: Viewer, scope: Scope) -> uuid.UUID:
    """The organisation recording follow-up work (engagements, assessments, activities):
    a user with at least the MEMBER role, or an API token holding `scope`."""
    if viewer.is_token:
        if scope not in viewer.scopes or viewer.organisation_id is None:
            raise NotAllowed("This API token lacks the scope for this.")
        return viewer.organisation_id
    return require_role(viewer, Role.MEMBER)


def require_reveal_grant(viewer: Viewer, now: dt.datetime) -> uuid.UUID:
    """Revealing, searching and sharing contacts: a user (never a token) of the owning
    organisation with a reveal grant, who proved the second factor in the last 5 minutes."""
    user_id = require_user(viewer)
    if not viewer.reveal_grant:
        raise NotAllowed("You hold no reveal grant.")
    require_fresh_second_factor(viewer, now)
    return user_id


def require_fresh_second_factor(viewer: Viewer, now: dt.datetime) -> None:
    """Sensitive operations need a second factor proved within the last five minutes."""
    if viewer.second_factor_at is None or now - viewer.second_factor_at > STEP_UP_WINDOW:
        raise NotAllowed("Confirm your second factor first (stepUp).")


def may_assign(viewer: Viewer, role: Role) -> bool:
    """Nobody hands out a role above their own; platform administration is never handed
    out inside an organisation."""
    return (
        viewer.role is not None and role is not Role.PLATFORM_ADMIN and viewer.role.at_least(role)
    )


def manageable_roles(viewer: Viewer) -> list[Role]:
    """The roles of the users an admin may manage (see `may_assign`)."""
    return [role for role in Role if may_assign(viewer, role)]


def reading_viewer(viewer: Viewer) -> Viewer:
    """What a viewer reads as: tokens without `recommendations:read`, and users with a
    second factor still to enrol, read only what is public."""
    if viewer.enrolment_pending or (
        viewer.is_token and Scope.RECOMMENDATIONS_READ not in viewer.scopes
    ):
        return ANONYMOUS
    return viewer
