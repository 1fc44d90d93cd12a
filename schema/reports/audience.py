"""Who a report is for, and the reader it is read as.

The public is `ANONYMOUS`. A coalition is a viewer holding that coalition and its
active members, nothing else: not vetted (so no PARTNERS rows, its members may include
unvetted organisations or a government) and no organisation (so no one member's own
rows). The report is read as `shared_reader(asker, audience)`: what both may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from schema.context import Context
from schema.errors import BadUserInput, NotFound
from schema.node import uuid_key
from schema.relay import expect_global_id
from schema.reports.types import ReportAudience, ReportAudienceInput, ReportAudienceKind
from schema.tables.organisations import Coalition, CoalitionMembership, MembershipStatus
from security.policy import ANONYMOUS, NotAllowed, NotAuthenticated, Viewer, shared_reader

_coalitions = Coalition.__table__.c
_memberships = CoalitionMembership.__table__.c

PUBLIC = ReportAudience(kind=ReportAudienceKind.PUBLIC, coalition_name=None)


@dataclass(frozen=True, slots=True)
class Audience:
    described: ReportAudience
    viewer: Viewer


async def audience_of(context: Context, given: ReportAudienceInput | None) -> Audience:
    """The audience asked for. A coalition needs a signed-in reader (a user, or a token
    with recommendations:read) of one of its active members; any other coalition id
    answers NOT_FOUND, like one that does not exist."""
    if given is None or given.coalition_id is None:
        return Audience(PUBLIC, ANONYMOUS)
    if context.principal.is_anonymous:
        raise NotAuthenticated("Sign in to make a report for a coalition.")
    if context.principal.enrolment_pending:
        raise NotAllowed("Enrol a second factor first.")
    reader = context.viewer
    if reader.organisation_id is None:  # reads as the public: a token without the scope
        raise NotAllowed("A coalition's report needs the recommendations:read scope.")
    try:
        key = uuid_key(expect_global_id(given.coalition_id, "Coalition"))
    except BadUserInput:
        raise BadUserInput("Not a coalition id.") from None
    rows = await context.fetch_all(
        select(_coalitions.name, _memberships.organisation_id)
        .join(CoalitionMembership.__table__, _memberships.coalition_id == _coalitions.id)
        .where(_coalitions.id == key, _memberships.status == MembershipStatus.ACTIVE)
    )
    members = frozenset(row.organisation_id for row in rows)
    if reader.organisation_id not in members or key not in reader.coalition_ids:
        raise NotFound("No such coalition.")
    return Audience(
        ReportAudience(kind=ReportAudienceKind.COALITION, coalition_name=rows[0].name),
        Viewer(coalition_ids=frozenset({key}), coalition_member_ids=members),
    )


def reader_for(context: Context, audience: Audience) -> Context:
    """The request read as what both its viewer and the audience may see."""
    return context.reading_as(shared_reader(context.viewer, audience.viewer))
